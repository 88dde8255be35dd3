"""`bops serve --workers N`: N forked processes serve HTTP on one listening socket; this process runs the relay.

Everything below the HTTP server is safe with several processes (the SQLite log serialises writers, services refresh
what they cache from the log), so the embedded runtime uses every core as Lambda would scale out.

A fork copies only the thread that calls it, with whatever locks the other threads held at that moment. So every HTTP
worker is forked by one single-threaded process, the workers' supervisor, itself forked before the relay starts and
never while a scheduled job runs (`bops.schedule`). The supervisor replaces a worker that ends (killed, out of memory)
with a fresh one, forked from the same clean copy, as gunicorn does; if workers keep ending (`MAX_ENDINGS` within
`ENDINGS_WINDOW_SECONDS`: a fault every fresh worker meets), it gives up and the server stops with that reason. Each
worker ends when the supervisor goes away, the supervisor when this process goes away. This process's stop signal is
handled by `bops.shutdown.stop_on_signals` (the supervisor's and the workers' by their parent).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bops.runtime import EmbeddedRuntime

MAX_ENDINGS = 5
ENDINGS_WINDOW_SECONDS = 60.0
WATCH_SECONDS = 0.2  # how often the supervisor looks for ended workers and for its parent


def _exit_with_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _fork_worker(runtime: EmbeddedRuntime, supervisor: int) -> int:
    pid = os.fork()
    if pid == 0:
        try:  # whatever happens in the worker (the supervisor's stop signal before the next line, say) ends it here
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            _exit_with_parent(supervisor)
            runtime.server.serve_forever(handle_signals=False)
        finally:
            os._exit(0)
    return pid


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"killed by {signal.Signals(number).name}"
        except ValueError:  # a real-time signal, which has no name
            return f"killed by signal {number}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _say(message: str) -> None:
    sys.stderr.write(f"bops serve: {message}\n")
    sys.stderr.flush()


class _Stop(Exception):
    """The supervisor's stop signal."""


def _raise_stop(*_: object) -> None:
    raise _Stop


def _supervise(runtime: EmbeddedRuntime, workers: int, parent: int) -> int:
    """The supervisor's whole life (single-threaded, so every fork copies a process no other thread holds a lock in):
    keep `workers` HTTP workers running until the parent goes away or stops it; its exit status."""
    me = os.getpid()
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    running: set[int] = set()
    endings: deque[float] = deque()
    try:
        running.update(_fork_worker(runtime, me) for _ in range(workers))
        while os.getppid() == parent:
            pid, waited = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                time.sleep(WATCH_SECONDS)
                continue
            running.discard(pid)
            now = time.monotonic()
            endings.append(now)
            while endings[0] < now - ENDINGS_WINDOW_SECONDS:
                endings.popleft()
            if len(endings) >= MAX_ENDINGS:
                _say(f"HTTP worker {pid} ended ({_how_it_ended(waited)}), the {len(endings)}th within a minute")
                return 1
            replacement = _fork_worker(runtime, me)
            running.add(replacement)
            _say(f"HTTP worker {pid} ended ({_how_it_ended(waited)}); worker {replacement} started in its place")
        return 0
    except _Stop:
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _end(running)


def _end(pids: set[int], seconds: float = 3.0) -> None:
    """Stop these workers and wait (a bounded time) for them to go, so their listening socket is closed on return."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(pid, os.WNOHANG)[0] == 0 and time.monotonic() < deadline:
                time.sleep(0.01)


def serve_with_workers(runtime: EmbeddedRuntime, workers: int) -> None:
    parent = os.getpid()
    supervisor = os.fork()
    if supervisor == 0:
        status = 1
        try:
            status = _supervise(runtime, workers, parent)
        finally:
            os._exit(status)
    # Background work (the relay and its subscribers) gives way to requests when the machine is busy, as an officer
    # waiting on a page matters more than a download finishing a moment sooner.
    os.nice(5)
    runtime.relay.start()
    try:
        _, status = os.waitpid(supervisor, 0)
        supervisor = 0
        raise SystemExit("HTTP workers keep ending: the server stops" if status else "the HTTP workers stopped")
    finally:
        if supervisor:
            _end({supervisor}, seconds=5.0)
        runtime.relay.stop()
