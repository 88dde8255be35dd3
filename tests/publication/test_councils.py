from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.publication.councils import UnknownCouncil, requested_councils


def aws_deps(reads: list[str]) -> SimpleNamespace:
    """An AWS stack's dependencies serving DEMO (slug `demo-borough`), noting each settings read."""

    def council_settings(code: str) -> SimpleNamespace:
        reads.append(code)
        return SimpleNamespace(slug="demo-borough")

    return SimpleNamespace(settings=SimpleNamespace(runtime="aws", council="DEMO"), council_settings=council_settings)


def test_on_aws_the_stacks_council_named_by_its_code_needs_no_settings_read():
    reads: list[str] = []
    deps = aws_deps(reads)
    assert requested_councils(deps, {}, {"council": "demo"}) == frozenset({"DEMO"})
    assert reads == []
    assert requested_councils(deps, {"X-Client": "demo-borough"}, None) == frozenset({"DEMO"})
    assert reads == ["DEMO"]
    assert requested_councils(deps, {}, {}) == frozenset()
    with pytest.raises(UnknownCouncil):
        requested_councils(deps, {}, {"council": "OTHR"})
