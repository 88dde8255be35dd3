"""One Chromium for the session; one `bops serve` per test module (tests of a module share it, so each test makes
its own applications and officers); the module's tests run on one xdist worker (`xdist_group("browser")`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import CHROMIUM, Console, served_console


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Console]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in ("BOPS_RUNTIME", "BOPS_DATA_DIR", "BOPS_ODP_SCHEMA_DIR", "BOPS_ROUTE_SCOPES", "BOPS_NOW"):
            monkeypatch.delenv(name, raising=False)  # restored (removed) at the end of the module
        yield from served_console(tmp_path_factory.mktemp("console") / "data", chromium)


@pytest.fixture
def console(served: Console, monkeypatch: pytest.MonkeyPatch, _isolated_environment: None) -> Iterator[Console]:
    """The module's console, its settings put back for this test (the suite's isolation removes them)."""
    from shared import wiring

    for name, value in served.env.items():
        monkeypatch.setenv(name, value)
    wiring.reset()
    yield served
    served.close()
