"""`bops serve` in a child process for tests, on a port the operating system picks.

A port picked by the test (bind to 0, close, pass the number on) can be taken by another test's server, or its demo
file server, before the child binds it; the child then fails, or the test talks to someone else's server. With
`--port 0` the child binds a free port itself and the test reads it from the URL line the child prints.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import PROJECT

URL_LINE = re.compile(r"BOPS (?:is running at|listening on) (http://127\.0\.0\.1:\d+)")
START_SECONDS = 30


@dataclass
class Served:
    """A running `bops serve`: its process, its URL once printed, and everything it printed so far."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    printed: threading.Condition = field(default_factory=threading.Condition)
    reader: threading.Thread | None = None
    ended: bool = False  # its output closed: it exited
    url: str = ""  # read from its URL line once printed

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def output(self) -> str:
        with self.printed:
            return "".join(self.lines)

    def wait_for(self, text: str, seconds: float = START_SECONDS) -> str:
        """Everything printed up to the line holding `text` (the process's whole output if it ends first)."""
        deadline = time.monotonic() + seconds
        with self.printed:
            while not any(text in line for line in self.lines):
                left = deadline - time.monotonic()
                assert left > 0 and not self.ended, "".join(self.lines)
                self.printed.wait(min(left, 0.5))
            return "".join(self.lines)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.printed:
                self.lines.append(line)
                self.printed.notify_all()
        with self.printed:
            self.ended = True
            self.printed.notify_all()


def start(data_dir: Path, *extra: str) -> Served:
    """Start `bops serve` on a free port and return once its `/health` answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOPS_") or k == "BOPS_REFERENCE_DIR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bops.cli", "serve", "--port", "0", "--data-dir", str(data_dir), *extra],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(process)
    served.reader = threading.Thread(target=served._read, daemon=True)
    served.reader.start()
    try:
        found = URL_LINE.search(served.wait_for("http://127.0.0.1:"))
        assert found, served.output()
        served.url = found.group(1)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"{served.url}/health", timeout=1)
                return served
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, served.output()
                time.sleep(0.1)
    except BaseException:
        process.kill()
        raise


def stop(served: Served) -> str:
    """Stop it as a council's service manager would (SIGTERM) and return everything it printed."""
    served.process.send_signal(signal.SIGTERM)
    try:
        served.process.wait(timeout=60)  # a stop runs the periodic jobs once more: slow on a loaded machine
    except subprocess.TimeoutExpired:
        served.process.kill()  # its stop deadline (40 s) did not end it: what it printed says how far it got
        served.process.wait(timeout=10)
        if served.reader is not None:
            served.reader.join(timeout=10)
        raise AssertionError(
            f"bops serve did not stop within 60 s of SIGTERM; it printed:\n{served.output()}"
        ) from None
    if served.reader is not None:
        served.reader.join(timeout=10)
    return served.output()
