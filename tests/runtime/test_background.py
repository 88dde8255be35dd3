"""Background work: it runs while the caller goes on, and its result or error reaches whoever asks for it."""

from __future__ import annotations

import threading

import pytest

from shared.background import Background


def test_the_work_runs_while_the_caller_goes_on():
    started, release = threading.Event(), threading.Event()

    def work() -> str:
        started.set()
        assert release.wait(5), "the caller never went on"
        return "done"

    background = Background(work)
    assert started.wait(5)
    release.set()  # only reachable if the work did not block the caller
    assert background.result() == "done"
    assert background.result() == "done"  # asked again: the same value, no second run


def test_an_error_is_raised_to_whoever_asks_for_the_result():
    def work() -> None:
        raise LookupError("no such council")

    background = Background(work)
    for _ in range(2):
        with pytest.raises(LookupError, match="no such council"):
            background.result()
