from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.intake.documents.support import FileServer


@pytest.fixture
def server() -> Iterator[FileServer]:
    running = FileServer().start()
    try:
        yield running
    finally:
        running.stop()
