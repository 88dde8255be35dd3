"""Many writers racing on one stream of the SQLite event store: threads in one process, and separate processes.

Each writer reads the stream's version, appends at it and, when someone else got there first (ConcurrencyError),
counts a loss and tries again. Afterwards every version is there exactly once, every acknowledged event is there,
every failed attempt was a ConcurrencyError, batches are never interleaved and the hash chain verifies.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from shared.eventstore import ConcurrencyError
from shared.eventstore.sqlite import SqliteEventStore
from tests.eventstore.writer_process import batch_events, event_name

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
STREAM = "council:RACE"


def check_stream(store: SqliteEventStore, total: int, acknowledged: list[tuple[list[str], list[int]]]) -> None:
    """Versions 1..total once each, every acknowledged event at its acknowledged version, the chain intact."""
    events = store.read(STREAM)
    assert [e.version for e in events] == list(range(1, total + 1))
    by_id = {str(e.event_id): e.version for e in events}
    assert len(by_id) == total, "an event id appears twice"
    acknowledged_ids = [
        (event_id, version) for ids, versions in acknowledged for event_id, version in zip(ids, versions, strict=True)
    ]
    assert len(acknowledged_ids) == total
    for event_id, version in acknowledged_ids:
        assert by_id.get(event_id) == version, f"acknowledged event {event_id} (version {version}) is not stored"
    positions = [e.position for e in events]
    assert positions == sorted(positions)
    result = store.verify(STREAM)
    assert result.ok, result.first_bad
    assert result.events_checked == total


def check_batches(store: SqliteEventStore, batch: int) -> None:
    """Each append's events sit together in order: version 1 + k*batch .. (k+1)*batch, named i of batch."""
    events = store.read(STREAM)
    for start in range(0, len(events), batch):
        group = events[start : start + batch]
        names = [event_name(e) for e in group]
        prefixes = {name.rsplit("-", 1)[0] for name in names}
        assert len(prefixes) == 1, f"batch interleaved at versions {group[0].version}..: {names}"
        assert [name.rsplit("-", 1)[1] for name in names] == [f"{i}of{batch}" for i in range(1, batch + 1)]
        assert len({e.recorded_at for e in group}) == 1


def test_threads_racing_on_one_stream(tmp_path):
    store = SqliteEventStore(tmp_path / "events.sqlite")
    total, threads = 1000, 8
    tickets = iter(range(total))  # each successful append uses one ticket: exactly `total` in all
    tickets_lock = threading.Lock()
    start = threading.Barrier(threads)
    results: list[dict] = [{"attempts": 0, "losses": 0, "appends": []} for _ in range(threads)]
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        mine = results[n]
        try:
            start.wait()
            while True:
                with tickets_lock:
                    ticket = next(tickets, None)
                if ticket is None:
                    return
                while True:
                    mine["attempts"] += 1
                    version = store.stream_version(STREAM)
                    time.sleep(0)  # let the others in between the read and the append
                    try:
                        recorded = store.append(STREAM, version, batch_events(f"t{n}-b{ticket}", 1, version))
                    except ConcurrencyError:
                        mine["losses"] += 1
                        continue
                    mine["appends"].append(([str(e.event_id) for e in recorded], [e.version for e in recorded]))
                    break
        except BaseException as error:  # anything but ConcurrencyError fails the test
            errors.append(error)
        finally:
            store.close()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers)
    assert not errors, errors

    successes = sum(len(r["appends"]) for r in results)
    attempts = sum(r["attempts"] for r in results)
    losses = sum(r["losses"] for r in results)
    print(f"{threads} threads, {total} appends: {attempts} attempts, {losses} lost")
    assert successes == total
    assert losses == attempts - successes
    assert losses > 0, "eight threads never collided: the race did not happen"
    assert sum(1 for r in results if r["appends"]) > 1
    check_stream(store, total, [append for r in results for append in r["appends"]])


def race_processes(tmp_path: Path, writers: int, appends_each: int, batch: int) -> list[dict]:
    path = tmp_path / "events.sqlite"
    SqliteEventStore(path).close()  # the schema exists before the writers start
    start_file = tmp_path / "start"
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.eventstore.writer_process",
                "race",
                str(path),
                STREAM,
                f"p{n}",
                str(appends_each),
                str(batch),
                str(start_file),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(start_file.with_suffix(f".p{n}.ready").exists() for n in range(writers)):
            assert time.monotonic() < deadline, "the writers did not get ready"
            assert all(process.poll() is None for process in processes), "a writer died before the start"
            time.sleep(0.01)
        start_file.touch()  # all have imported and opened the store: they start together
        outputs = [process.communicate(timeout=120) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    return [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]


@pytest.mark.parametrize(("batch", "appends_each"), [(1, 250), (3, 84)], ids=["single events", "batches of 3"])
def test_processes_racing_on_one_stream(tmp_path, batch, appends_each):
    writers = 4
    results = race_processes(tmp_path, writers, appends_each, batch)
    appends = writers * appends_each
    total = appends * batch

    attempts = sum(r["attempts"] for r in results)
    losses = sum(r["losses"] for r in results)
    print(f"{writers} processes, {appends} appends of {batch}: {attempts} attempts, {losses} lost")
    assert sum(len(r["appends"]) for r in results) == appends
    assert losses == attempts - appends
    assert losses > 0, "four processes never collided: the race did not happen"
    assert all(len(r["appends"]) == appends_each for r in results)

    store = SqliteEventStore(tmp_path / "events.sqlite")
    check_stream(store, total, [tuple(a) for r in results for a in r["appends"]])
    for r in results:
        for _, versions in r["appends"]:
            assert versions == list(range(versions[0], versions[0] + batch))
            assert versions[0] % batch == 1 % batch
    check_batches(store, batch)
    writers_seen = Counter(event_name(e).split("-", 1)[0] for e in store.read(STREAM))
    assert writers_seen == {f"p{n}": appends_each * batch for n in range(writers)}
