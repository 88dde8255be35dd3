"""`bops serve` ends within a bounded time after its components have stopped.

Python's shutdown joins every non-daemon thread without a limit, so one delivery still running in a relay worker (a
subscriber waiting on a host that never answers, say) would hold the process open long after SIGTERM. Once the server,
relay, file server and scheduler have stopped, the threads still running get `grace` seconds; any still running then is
named on stderr and abandoned by ending the process at once. Nothing is lost: a delivery that did not finish has not
moved its subscriber's checkpoint, so it is delivered again at the next start (every subscriber is idempotent), and
every write already made is one committed SQLite transaction.
"""

from __future__ import annotations

import os
import sys
import threading
import time


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
