"""`bops serve --workers N`: a worker that ends is replaced; workers that keep ending stop the server, saying why."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import Client
from tests.runtime.bops_process import start, stop

pytestmark = pytest.mark.slow


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (from /proc, as `ps` reads it)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while listed
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def workers_of(server_pid: int, expected: int) -> tuple[int, set[int]]:
    """The server's workers' supervisor and its `expected` live workers (waiting for a replacement to start)."""
    deadline = time.monotonic() + 20
    while True:
        [supervisor] = children(server_pid)
        workers = children(supervisor)
        if len(workers) == expected or time.monotonic() > deadline:
            return supervisor, workers
        time.sleep(0.05)


def test_a_killed_http_worker_is_replaced_and_the_server_keeps_answering(tmp_path):
    process = start(tmp_path / "data", "--workers", "2", "--quiet")
    client = Client(process.url)
    try:
        supervisor, workers = workers_of(process.process.pid, 2)
        assert len(workers) == 2
        killed = min(workers)
        os.kill(killed, signal.SIGKILL)
        replacement = process.wait_for(f"HTTP worker {killed} ended")
        assert "(killed by SIGKILL); worker" in replacement and "started in its place" in replacement
        _, now = workers_of(process.process.pid, 2)
        assert len(now) == 2 and killed not in now and now & workers == workers - {killed}
        for _ in range(20):  # both workers answer (each connection goes to whichever accepts it)
            assert client.request("GET", "/health")[0] == 200
        assert process.process.poll() is None
    finally:
        output = stop(process)
    assert process.process.returncode == 0, output
    assert not children(supervisor) and not (Path("/proc") / str(supervisor)).exists()


def test_workers_that_keep_ending_stop_the_server_with_the_reason(tmp_path):
    process = start(tmp_path / "data", "--workers", "1", "--quiet")
    try:
        for _ in range(5):  # MAX_ENDINGS within a minute
            _, workers = workers_of(process.process.pid, 1)
            [worker] = workers
            os.kill(worker, signal.SIGKILL)
            process.wait_for(f"HTTP worker {worker} ended")
        assert process.process.wait(timeout=30) == 1
    finally:
        if process.process.poll() is None:
            stop(process)
    output = process.output()
    assert "the 5th within a minute" in output and "HTTP workers keep ending: the server stops" in output
    assert "Traceback" not in output
