from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.assessment.api_support import COUNCIL


@pytest.fixture
def deps(tmp_path, monkeypatch) -> Iterator:
    """The embedded adapters on a fresh data directory, the clock frozen on Tuesday 3 March 2026, the council made."""
    from services.councils.service import CouncilService
    from shared import wiring

    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOPS_NOW", "2026-03-03T10:00:00Z")
    wiring.reset()
    deps = wiring.dependencies()
    CouncilService(deps.event_store, deps.clock).create_council(COUNCIL, "Demo Borough Council", "demo")
    yield deps
