from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.notifications.support import create_council


@pytest.fixture
def deps(tmp_path, monkeypatch) -> Iterator[Any]:
    """The embedded adapters on a fresh data directory, the clock frozen, the council and its officers made."""
    from shared import wiring

    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOPS_NOW", "2026-03-03T10:00:00Z")
    wiring.reset()
    deps = wiring.dependencies()
    create_council(deps.event_store)
    yield deps


@pytest.fixture
def outbox(deps) -> Any:
    from services.notifications.service import outbox_channel

    return outbox_channel(deps).gateway
