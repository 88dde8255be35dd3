"""Benchmark of the SQLite event store against plain SQLite on the same file settings (no arguments).

    uv run python bench/eventstore.py

Prints progress lines, then as its last line one JSON object:

- appends_per_s: single-event appends through `SqliteEventStore.append` (own transaction each, with the optimistic
  concurrency check, serialisation and hash chain);
- raw_inserts_per_s: the same rows inserted by plain SQL into a table of the same shape, one transaction each, on a
  connection from `shared.eventstore.sqlite.connect` (same journal, synchronous and locking settings): the floor;
- append_ratio: appends_per_s / raw_inserts_per_s;
- replay_events_per_s: the whole log read in order through `read_all` in pages and deserialised into RecordedEvent
  with payload models;
- raw_reads_per_s: the same rows read in the same pages without deserialising;
- replay_ratio: replay_events_per_s / raw_reads_per_s;
- events: how many events were replayed.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from events import Actor, NewEvent, RecordedEvent
from events.council import CouncilCreated, CouncilSettingsChanged, CouncilSettingsChanges
from shared.clock import SystemClock
from shared.eventstore.sqlite import SCHEMA, SqliteEventStore, connect

APPEND_ROUNDS = 3
APPENDS_PER_ROUND = 3_000
APPEND_STREAMS = 100
REPLAY_EVENTS = 1_000_000
FILL_BATCH = 500  # events per append while filling the log (one stream each)
PAGE = 1_000  # read_all page size

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
OFFICERS = [Actor(kind="officer", id=f"officer-{i:04d}", display_name=f"Officer {i}") for i in range(20)]
INSERT = (
    "INSERT INTO events (stream_id, version, event_type, recorded_at, data, prev_hash, hash, log_hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def log(message: str) -> None:
    print(message, flush=True)


def settings_changed(i: int) -> NewEvent:
    """A realistic small event (about 550 bytes stored, most of it the envelope)."""
    changes = CouncilSettingsChanges(name=f"Example Council {i % 977}")
    return NewEvent(
        CouncilSettingsChanged(changes=changes),
        council="DEMO",
        actor=OFFICERS[i % len(OFFICERS)],
        occurred_at=T0 + timedelta(seconds=i),
    )


def council_created(i: int) -> NewEvent:
    return NewEvent(
        CouncilCreated(code="DEMO", name=f"Borough Council of Example {i}", slug=f"example-{i}"),
        council="DEMO",
        actor=Actor.system(),
        occurred_at=T0,
    )


def bench_appends(directory: Path) -> tuple[float, float]:
    """Single-event appends through the store, then the same rows as plain inserts; rounds interleaved."""
    store = SqliteEventStore(directory / "appends.sqlite", clock=SystemClock())
    raw = connect(directory / "raw.sqlite")
    raw.executescript(SCHEMA)
    versions = dict.fromkeys((f"council:A{i:05d}" for i in range(APPEND_STREAMS)), 0)
    streams = list(versions)
    events = [settings_changed(i) for i in range(APPEND_ROUNDS * APPENDS_PER_ROUND)]
    append_seconds = raw_seconds = 0.0
    appended = inserted = 0
    for round_ in range(APPEND_ROUNDS):
        batch = events[round_ * APPENDS_PER_ROUND : (round_ + 1) * APPENDS_PER_ROUND]
        append = store.append
        first_position = store.head_position()
        started = time.perf_counter()
        for i, event in enumerate(batch):
            stream = streams[i % APPEND_STREAMS]
            version = versions[stream]
            append(stream, version, [event])
            versions[stream] = version + 1
        append_seconds += time.perf_counter() - started
        appended += len(batch)

        rows = (
            store._connection()
            .execute(
                "SELECT stream_id, version, event_type, recorded_at, data, prev_hash, hash, log_hash FROM events"
                " WHERE position > ? ORDER BY position",
                (first_position,),
            )
            .fetchall()
        )
        assert len(rows) == len(batch)
        execute = raw.execute
        started = time.perf_counter()
        for row in rows:
            execute(INSERT, row)  # autocommit: one transaction per row
        raw_seconds += time.perf_counter() - started
        inserted += len(rows)
        log(
            f"round {round_ + 1}/{APPEND_ROUNDS}: appends {appended / append_seconds:,.0f}/s,"
            f" raw inserts {inserted / raw_seconds:,.0f}/s"
        )
    for stream in streams[:3]:
        assert store.verify(stream).ok
    store.close()
    raw.close()
    return appended / append_seconds, inserted / raw_seconds


def fill(store: SqliteEventStore, count: int) -> None:
    """Fill the log with real, chain-hashed events: batched appends of FILL_BATCH events to one stream each."""
    template = [settings_changed(i) for i in range(FILL_BATCH)]
    started = time.perf_counter()
    written = 0
    stream_number = 0
    while written < count:
        size = min(FILL_BATCH, count - written)
        stream = f"council:R{stream_number:06d}"
        # fresh event ids per event: re-use the payloads (immutable) but not the envelopes
        batch = [council_created(stream_number)] + [
            NewEvent(e.payload, e.council, e.actor, e.occurred_at) for e in template[: size - 1]
        ]
        store.append(stream, 0, batch)
        written += size
        stream_number += 1
        if stream_number % 200 == 0:
            elapsed = time.perf_counter() - started
            log(f"filled {written:,} events in {elapsed:.1f} s ({written / elapsed:,.0f}/s)")
    average = store._connection().execute("SELECT AVG(LENGTH(data)) FROM events").fetchone()[0]
    log(f"filled {written:,} events in {time.perf_counter() - started:.1f} s, {average:.0f} bytes each on average")


def bench_replay(directory: Path) -> tuple[float, float, int]:
    store = SqliteEventStore(directory / "replay.sqlite", clock=SystemClock())
    fill(store, REPLAY_EVENTS)
    connection = store._connection()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # warm the page cache so neither measurement pays for the first read from disk
    for _ in connection.execute("SELECT data, hash, position FROM events ORDER BY position"):
        pass

    gc.collect()
    started = time.perf_counter()
    rows_read = 0
    after = 0
    sql = "SELECT data, hash, position FROM events WHERE position > ? ORDER BY position LIMIT ?"
    while True:
        rows = connection.execute(sql, (after, PAGE)).fetchall()
        if not rows:
            break
        rows_read += len(rows)
        after = rows[-1][2]
    raw_seconds = time.perf_counter() - started
    log(f"raw reads: {rows_read:,} rows in {raw_seconds:.2f} s ({rows_read / raw_seconds:,.0f}/s)")

    gc.collect()
    started = time.perf_counter()
    replayed = 0
    after = 0
    last: RecordedEvent | None = None
    read_all = store.read_all
    while True:
        page = read_all(after, PAGE)
        if not page:
            break
        replayed += len(page)
        last = page[-1]
        after = last.position
    replay_seconds = time.perf_counter() - started
    log(f"replay: {replayed:,} events in {replay_seconds:.2f} s ({replayed / replay_seconds:,.0f}/s)")

    assert replayed == rows_read == REPLAY_EVENTS, (replayed, rows_read)
    assert last is not None and isinstance(last.payload, CouncilSettingsChanged) and last.payload.changes.name
    assert store.verify(last.stream_id).ok
    store.close()
    return replayed / replay_seconds, rows_read / raw_seconds, replayed


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-eventstore-") as tmp:
        directory = Path(tmp)
        log(f"SQLite event store benchmark in {directory}")
        appends_per_s, raw_inserts_per_s = bench_appends(directory)
        replay_per_s, raw_reads_per_s, events = bench_replay(directory)
    log(f"done in {time.perf_counter() - started:.1f} s")
    result = {
        "appends_per_s": round(appends_per_s),
        "raw_inserts_per_s": round(raw_inserts_per_s),
        "append_ratio": round(appends_per_s / raw_inserts_per_s, 3),
        "replay_events_per_s": round(replay_per_s),
        "raw_reads_per_s": round(raw_reads_per_s),
        "replay_ratio": round(replay_per_s / raw_reads_per_s, 3),
        "events": events,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
