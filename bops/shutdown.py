"""`bops serve` ends within a bounded time after its components have stopped.

Python's shutdown joins every non-daemon thread without a limit, so one delivery still running in a relay worker (a
subscriber waiting on a host that never answers, say) would hold the process open long after SIGTERM. Once the server,
relay, file server and scheduler have stopped, the threads still running get `grace` seconds; any still running then is
named on stderr and abandoned by ending the process at once. Nothing is lost: a delivery that did not finish has not
moved its subscriber's checkpoint, so it is delivered again at the next start (every subscriber is idempotent), and
every write already made is one committed SQLite transaction.

The first stop signal also arms a deadline for the whole stop (`arm_stop_deadline`): whatever still runs then (a
component whose own stop hangs), every thread's stack is written to stderr and the process ends with status 1. It is
armed by the signal handler of whichever process got the signal: uvicorn's (`bops.server`) when this process serves
HTTP itself, `stop_on_signals`' when it only runs the relay beside forked HTTP workers (`bops.workers`).
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import threading
import time
from types import FrameType

STOP_DEADLINE_SECONDS = 40.0  # from the first stop signal to the end of the process, whatever still runs
_deadline_armed = threading.Event()


def arm_stop_deadline() -> None:
    """End the process (status 1, every thread's stack on stderr) `STOP_DEADLINE_SECONDS` from the first call; later
    calls do not move the deadline."""
    if not _deadline_armed.is_set():
        _deadline_armed.set()
        faulthandler.dump_traceback_later(STOP_DEADLINE_SECONDS, exit=True)


def stop_on_signals() -> None:
    """SIGTERM ends the main thread's work with `SystemExit(0)` and SIGINT with `KeyboardInterrupt`, so the caller's
    `finally` stops the components; both arm the stop deadline first. Call from the main thread.

    A second signal while that stop runs (Ctrl-C twice) ends the process at once, with status 1, as a kill would:
    raised as an exception it would only interrupt the stop midway (or Python's own wait for threads at exit, with a
    traceback). Nothing is lost either way: every write is a committed transaction and an unfinished delivery is
    delivered again at the next start."""
    received: list[int] = []

    def stop(sig: int, _frame: FrameType | None) -> None:
        if received:
            os.write(2, b"bops serve: a second stop signal: ending now, without waiting for the stop to finish\n")
            os._exit(1)
        received.append(sig)
        arm_stop_deadline()
        if sig == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def end_within(grace: float, code: int = 0) -> None:
    """Wait up to `grace` seconds for the other non-daemon threads; end the process with `code` if any remains."""
    deadline = time.monotonic() + grace
    for thread in _others():
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in _others() if thread.is_alive()]
    if stuck:
        print(
            f"bops serve: {len(stuck)} thread(s) still running {grace:g} s after the stop, abandoned: "
            f"{', '.join(stuck)} (an unfinished delivery is delivered again at the next start)",
            file=sys.stderr,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _others() -> list[threading.Thread]:
    current = threading.current_thread()
    return [thread for thread in threading.enumerate() if thread is not current and not thread.daemon]
