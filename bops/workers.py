"""`bops serve --workers N`: N forked processes serve HTTP on one listening socket; this process runs the relay.

Everything below the HTTP server is safe with several processes (the SQLite log serialises writers, services refresh
what they cache from the log), so the embedded runtime uses every core as Lambda would scale out. Workers are forked
before the relay starts, and never while a scheduled job runs (`bops.schedule`), so no worker inherits a lock or a
connection another thread was using; each exits when the parent goes away. This process's stop signal is handled by
`bops.shutdown.stop_on_signals` (the workers' by their parent).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bops.runtime import EmbeddedRuntime


def _exit_with_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve_with_workers(runtime: EmbeddedRuntime, workers: int) -> None:
    parent = os.getpid()
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            _exit_with_parent(parent)
            try:
                runtime.server.serve_forever(handle_signals=False)
            finally:
                os._exit(0)
        children.append(pid)
    # Background work (the relay and its subscribers) gives way to requests when the machine is busy, as an officer
    # waiting on a page matters more than a download finishing a moment sooner.
    os.nice(5)
    runtime.relay.start()
    try:
        while children:
            pid, _ = os.wait()
            if pid in children:
                children.remove(pid)
                raise SystemExit(f"HTTP worker {pid} stopped")
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        runtime.relay.stop()
