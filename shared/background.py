"""Start a piece of work on its own thread and take its result later: independent reads that wait on the network
(a council's settings, a secret) overlap instead of queueing up, which matters most on a cold start."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """`work` running on a daemon thread from now; `result()` waits for it, then returns its value or raises its error.

    An error nobody asks for is dropped with the thread: start only reads whose failure may go unnoticed when their
    result turns out not to be needed.
    """

    def __init__(self, work: Callable[[], T], name: str = "background") -> None:
        self._work = work
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
        except BaseException as error:  # handed to whoever asks for the result
            self._error = error

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
