"""A writer process for the SQLite event store's concurrency and crash tests (run with `python -m`).

    python -m tests.eventstore.writer_process race PATH STREAM WRITER APPENDS BATCH START_FILE
        Touch START_FILE.WRITER.ready, wait until START_FILE exists, then make APPENDS successful appends of BATCH
        events each to STREAM, racing the other writers: read the stream's version, wait up to 1 ms (deciding, as a
        command handler would), append at it, on ConcurrencyError count a loss and try again. Prints one JSON line:
        {"writer", "attempts", "losses", "appends": [[ids], [versions]] for each append}.

    python -m tests.eventstore.writer_process load PATH STREAM SEED
        Append to STREAM forever, single events and batches, and after each append that returned print one JSON
        line {"batch", "size", "ids", "versions"} and flush: an acknowledged append. The test kills it with SIGKILL.

Every event is a CouncilSettingsChanged named "<batch>-<i>of<size>" (plus a CouncilCreated first in a new stream),
so a reader can tell which append each stored event came from and whether that append is complete.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from events import Actor, NewEvent
from events.council import CouncilCreated, CouncilSettingsChanged, CouncilSettingsChanges
from shared.eventstore import ConcurrencyError
from shared.eventstore.sqlite import SqliteEventStore

ACTOR = Actor(kind="officer", id="o-1", display_name="Ada Admin")


def created(name: str) -> NewEvent:
    return NewEvent(CouncilCreated(code="DEMO", name=name, slug="demo"), "DEMO", ACTOR, datetime.now(UTC))


def renamed(name: str) -> NewEvent:
    return NewEvent(CouncilSettingsChanged(changes=CouncilSettingsChanges(name=name)), "DEMO", ACTOR, datetime.now(UTC))


def batch_events(batch: str, size: int, version: int) -> list[NewEvent]:
    """SIZE events of one append at VERSION; a new stream starts with CouncilCreated."""
    names = [f"{batch}-{i}of{size}" for i in range(1, size + 1)]
    return [created(name) if version + i == 0 else renamed(name) for i, name in enumerate(names)]


def event_name(event) -> str:
    """The name an event of these writers carries (see the module docstring)."""
    payload = event.payload
    return payload.name if isinstance(payload, CouncilCreated) else payload.changes.name


def race(path: str, stream: str, writer: str, appends: int, batch: int, start_file: str) -> None:
    store = SqliteEventStore(path)
    store.stream_version(stream)  # open the connection before the start
    start = Path(start_file)
    start.with_suffix(f".{writer}.ready").touch()
    while not start.exists():
        time.sleep(0.002)
    rng = random.Random(writer)
    attempts = losses = 0
    done: list[tuple[list[str], list[int]]] = []
    for number in range(appends):
        name = f"{writer}-b{number}"
        while True:
            attempts += 1
            version = store.stream_version(stream)
            time.sleep(rng.uniform(0, 0.001))
            try:
                recorded = store.append(stream, version, batch_events(name, batch, version))
            except ConcurrencyError:
                losses += 1
                continue
            done.append(([str(e.event_id) for e in recorded], [e.version for e in recorded]))
            break
    print(json.dumps({"writer": writer, "attempts": attempts, "losses": losses, "appends": done}), flush=True)


def load(path: str, stream: str, seed: int) -> None:
    rng = random.Random(seed)
    store = SqliteEventStore(path)
    version = store.stream_version(stream)
    number = 0
    while True:
        number += 1
        batch = f"batch-{number}"
        size = rng.choice((1, 1, 1, 2, 3, 5, 8, 40))
        recorded = store.append(stream, version, batch_events(batch, size, version))
        version = recorded[-1].version
        line = {"batch": batch, "size": size, "ids": [str(e.event_id) for e in recorded]}
        line["versions"] = [e.version for e in recorded]
        print(json.dumps(line), flush=True)


def main(argv: list[str]) -> None:
    mode, *args = argv
    if mode == "race":
        path, stream, writer, appends, batch, start_file = args
        race(path, stream, writer, int(appends), int(batch), start_file)
    elif mode == "load":
        path, stream, seed = args
        load(path, stream, int(seed))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
