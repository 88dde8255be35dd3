"""`bops serve` ends within a bounded time after its components stopped, whatever thread is still running."""

from __future__ import annotations

import subprocess
import sys
import time

PROGRAM = """
import threading, time
from bops.shutdown import end_within
threading.Thread(target=time.sleep, args=({sleep},), name="relay-stuck-delivery").start()
end_within(0.5)
print("returned")
"""


def run(sleep: float) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(sleep=sleep)], capture_output=True, text=True, timeout=30, check=False
    )
    return done, time.monotonic() - started


def test_a_thread_still_running_after_the_grace_is_named_and_abandoned():
    done, took = run(sleep=60)
    assert done.returncode == 0 and took < 20  # not the thread's 60 s
    assert "returned" not in done.stdout
    assert "abandoned: relay-stuck-delivery" in done.stderr


def test_threads_that_end_within_the_grace_are_waited_for():
    done, _ = run(sleep=0.1)
    assert done.returncode == 0 and "returned" in done.stdout and done.stderr == ""
