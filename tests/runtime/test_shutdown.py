"""`bops serve` ends within a bounded time after its components stopped, whatever thread is still running."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

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


# The stop signal reaches uvicorn's handler (this process serves HTTP itself, `--workers 0`).
STUCK_SERVER_STOP = """
import signal, time
import uvicorn
import bops.server as server, bops.shutdown as shutdown
shutdown.STOP_DEADLINE_SECONDS = 0.5
stopping = server._BoundedStopServer(uvicorn.Config(app=None))
stopping.handle_exit(signal.SIGTERM, None)
time.sleep(60)  # a stop that hangs
print("returned")
"""

# The stop signal reaches the handler of a process that only runs the relay beside forked HTTP workers (the default).
STUCK_RELAY_STOP = """
import os, signal, time
import bops.shutdown as shutdown
shutdown.STOP_DEADLINE_SECONDS = 0.5
shutdown.stop_on_signals()
try:
    os.kill(os.getpid(), signal.{signal})
    time.sleep(60)  # not reached: the signal's exception ends the wait
except {exception}:
    time.sleep(60)  # a stop that hangs
print("returned")
"""


@pytest.mark.parametrize(
    "program",
    [
        STUCK_SERVER_STOP,
        STUCK_RELAY_STOP.format(signal="SIGTERM", exception="SystemExit"),
        STUCK_RELAY_STOP.format(signal="SIGINT", exception="KeyboardInterrupt"),
    ],
    ids=["http-in-process", "relay-sigterm", "relay-sigint"],
)
def test_a_stop_that_hangs_anyway_ends_at_its_deadline_with_every_threads_stack(program):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30, check=False)
    assert time.monotonic() - started < 20 and done.returncode == 1, done.stderr
    assert "returned" not in done.stdout
    assert "most recent call first" in done.stderr and "time.sleep" not in done.stdout  # the stacks, on stderr


# A stop in progress (Python waiting for a thread at exit, here) when a second stop signal comes.
SECOND_SIGNAL = """
import os, signal, threading, time
import bops.shutdown as shutdown
shutdown.stop_on_signals()
threading.Thread(target=time.sleep, args=(30,), name="still-delivering").start()
threading.Timer(1.0, os.kill, args=(os.getpid(), signal.SIGTERM)).start()  # during the wait for the thread at exit
os.kill(os.getpid(), signal.SIGTERM)
"""


def test_a_second_stop_signal_ends_the_process_at_once_without_a_traceback():
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", SECOND_SIGNAL], capture_output=True, text=True, timeout=60, check=False
    )
    assert time.monotonic() - started < 20 and done.returncode == 1, done.stderr  # not the thread's 30 s
    assert "a second stop signal: ending now" in done.stderr and "Traceback" not in done.stderr, done.stderr
