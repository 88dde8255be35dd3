from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.publication.councils import UnknownCouncil, deployment_fingerprint, requested_councils
from services.publication.read_model.port import PublicCouncil


def aws_deps(reads: list[str], kept: dict[str, PublicCouncil] | None = None) -> SimpleNamespace:
    """An AWS stack's dependencies serving DEMO (slug `demo-borough`), noting each settings read; `kept`: the
    councils' facts its public register holds."""

    def council_settings(code: str) -> SimpleNamespace:
        reads.append(code)
        return SimpleNamespace(code=code, slug="demo-borough", public_base_url="https://demo.example")

    register = SimpleNamespace(council=(kept or {}).get)
    return SimpleNamespace(
        settings=SimpleNamespace(runtime="aws", council="DEMO", council_deployment='{"code": "DEMO"}'),
        council_settings=council_settings,
        council_profiles=SimpleNamespace(load=lambda code, refresh=True: SimpleNamespace(version=3)),
        memo=lambda name, build: register,
    )


def test_on_aws_the_stacks_council_named_by_its_code_needs_no_settings_read():
    reads: list[str] = []
    deps = aws_deps(reads)
    assert requested_councils(deps, {}, {"council": "demo"}) == frozenset({"DEMO"})
    assert reads == []
    assert requested_councils(deps, {"X-Client": "demo-borough"}, None) == frozenset({"DEMO"})
    assert reads == ["DEMO"]  # the register keeps no facts of the council yet: its settings are read
    assert requested_councils(deps, {}, {}) == frozenset()
    with pytest.raises(UnknownCouncil):
        requested_councils(deps, {}, {"council": "OTHR"})


def test_on_aws_a_slug_is_looked_up_in_the_registers_facts_made_with_this_deployment():
    reads: list[str] = []
    probe = aws_deps(reads)
    kept = PublicCouncil("DEMO", "demo-borough", "https://demo.example", 3, deployment_fingerprint(probe))
    deps = aws_deps(reads, {"DEMO": kept})
    assert requested_councils(deps, {"x-client": "demo-borough"}, None) == frozenset({"DEMO"})
    assert reads == []
    stale = aws_deps(reads, {"DEMO": PublicCouncil("DEMO", "old-slug", "https://old.example", 3, "another")})
    assert requested_councils(stale, {"x-client": "demo-borough"}, None) == frozenset({"DEMO"})
    assert reads == ["DEMO"]  # made with another deployment config: not taken
