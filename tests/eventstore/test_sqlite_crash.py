"""A writer killed with SIGKILL in the middle of appending to the SQLite event store loses nothing it acknowledged.

The writer (`writer_process load`) appends single events and batches to one stream and prints each append after it
returned. The test kills it at a random moment, reopens the file and checks: every acknowledged append is stored at
its versions, every batch is whole or absent, versions are contiguous, the chain verifies and the store takes the
next append.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from shared.eventstore.sqlite import SqliteEventStore
from tests.eventstore.writer_process import batch_events, event_name

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
STREAM = "council:CRASH"


def run_and_kill(path: Path, seed: int, acknowledged_before_kill: int, delay: float) -> list[dict]:
    """Start the writer, wait for that many acknowledged appends, wait `delay`, SIGKILL it; all it acknowledged."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.eventstore.writer_process", "load", str(path), STREAM, str(seed)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        while len(lines) < acknowledged_before_kill:
            line = process.stdout.readline()
            if not line:
                pytest.fail(f"the writer stopped by itself: {process.communicate(timeout=10)[1]}")
            lines.append(line)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        # What it printed before it died was acknowledged too. Read it through the same buffered file object:
        # communicate() would read the raw pipe and miss what readline() has already buffered.
        rest = process.stdout.read()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    lines += rest.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines.pop()  # killed in the middle of printing: that one was not acknowledged
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("seed", range(4))
def test_sigkill_in_the_middle_of_appends(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "events.sqlite"
    acknowledged = run_and_kill(path, seed, rng.randint(150, 400), rng.uniform(0, 0.05))
    assert len(acknowledged) >= 150

    store = SqliteEventStore(path)
    events = store.read(STREAM)
    versions = [e.version for e in events]
    assert versions == list(range(1, len(events) + 1)), "versions are not contiguous"

    # every acknowledged append is there, at the versions it was acknowledged with
    by_id = {str(e.event_id): e for e in events}
    for append in acknowledged:
        for event_id, version in zip(append["ids"], append["versions"], strict=True):
            assert event_id in by_id, f"{append['batch']}: acknowledged event {event_id} is lost"
            assert by_id[event_id].version == version
            assert event_name(by_id[event_id]).startswith(append["batch"] + "-")

    # every stored batch is whole: named 1ofN..NofN at contiguous versions, one recorded-at time
    batches: dict[str, list] = defaultdict(list)
    for event in events:
        batch, part = event_name(event).rsplit("-", 1)
        batches[batch].append((part, event))
    for batch, parts in batches.items():
        size = int(parts[0][0].split("of")[1])
        assert [part for part, _ in parts] == [f"{i}of{size}" for i in range(1, size + 1)], f"{batch} is not whole"
        batch_versions = [event.version for _, event in parts]
        assert batch_versions == list(range(batch_versions[0], batch_versions[0] + size))
        assert len({event.recorded_at for _, event in parts}) == 1

    # at most the append in flight when the writer died is stored without having been acknowledged
    unacknowledged = list(batches)[len(acknowledged) :]
    assert len(unacknowledged) in (0, 1), (unacknowledged, acknowledged[-2:])
    assert [a["batch"] for a in acknowledged] == list(batches)[: len(acknowledged)]

    result = store.verify(STREAM)
    assert result.ok, result.first_bad
    assert result.events_checked == len(events)
    connection = store._connection()
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # and the log goes on from where it is
    [next_event] = store.append(STREAM, len(events), batch_events("after", 1, len(events)))
    assert next_event.version == len(events) + 1
    assert store.verify(STREAM).ok
    store.close()
