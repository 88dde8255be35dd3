"""The embedded event log: one SQLite file in WAL mode, safe with several threads and processes writing at once.

Durability: WAL with synchronous=NORMAL. A commit is written to the WAL file before `append` returns, so a process
crash (even SIGKILL) never loses a returned append nor leaves half a batch; only a power loss or kernel crash can drop
the last commits (never corrupt the file). synchronous=FULL would also survive those, at an fsync per append.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from events import NewEvent, RecordedEvent
from events.serialization import deserialize_rows, format_time
from shared.clock import Clock, SystemClock
from shared.eventstore.port import (
    GENESIS_HASH,
    ConcurrencyError,
    StreamAppend,
    StreamVerification,
    check_stream_appends,
)
from shared.eventstore.records import check_link, record
from shared.private_files import private_sqlite_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    data BLOB NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (stream_id, version)
);
"""

_HEAD = "SELECT version, hash FROM events WHERE stream_id = ? ORDER BY version DESC LIMIT 1"
_LAST = "SELECT data, hash, position FROM events WHERE stream_id = ? ORDER BY version DESC LIMIT 1"
_INSERT = (
    "INSERT INTO events (stream_id, version, event_type, recorded_at, data, prev_hash, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)

_MAX_HEADS = 10_000

JOURNAL_MODE = "WAL"
SYNCHRONOUS = "NORMAL"
BUSY_TIMEOUT_MS = 60_000


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection with the log's journal, durability and locking settings (also used by the benchmark's floor)."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    connection.execute(f"PRAGMA journal_mode={JOURNAL_MODE}")
    connection.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    return connection


class StoredEvent(NamedTuple):
    position: int
    stream_id: str
    version: int
    event_type: str
    data: bytes
    prev_hash: str
    hash: str


class SqliteEventStore:
    """EventStore and EventFeed on a SQLite file; the global position is the row id (writers are serialised)."""

    def __init__(self, path: Path | str, clock: Clock | None = None) -> None:
        self.path = private_sqlite_file(path)  # owner-only, with its -wal and -shm (applicants' personal data)
        self.clock = clock or SystemClock()
        self._local = threading.local()
        # the last event this store appended or read per stream: (version, hash), for appends that skip the read
        self._heads: dict[str, tuple[int, str]] = {}
        self._lock_path = self.path.with_name(self.path.name + ".writer-lock")
        self._thread_lock = threading.Lock()
        self._lock_pid = -1
        self._lock_fd = -1
        self._connection().executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = connect(self.path)
            self._local.cursor = connection.cursor()
        return connection

    def _cursor(self) -> sqlite3.Cursor:
        """This thread's connection's cursor for appends (saves making one per statement)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            self._connection()
            cursor = self._local.cursor
        return cursor

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
            self._local.cursor = None

    @contextmanager
    def _writer(self) -> Iterator[None]:
        """Writers queue on a lock file (and a lock per process) rather than in SQLite's busy handler.

        SQLite makes a blocked writer sleep and poll (1, 2, 5, 10… ms); a lock on a file wakes the next writer as soon
        as the previous one commits, so several processes appending at once keep the log's full speed.
        """
        with self._thread_lock:
            if self._lock_pid != os.getpid():  # a forked child needs its own open file for the lock to exclude
                self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                self._lock_pid = os.getpid()
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def append(self, stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> list[RecordedEvent]:
        with self._writer():
            return self._append(stream_id, expected_version, events)

    def append_streams(self, appends: Sequence[StreamAppend]) -> list[list[RecordedEvent]]:
        check_stream_appends(appends)
        with self._writer():
            return self._append_streams(appends)

    def _append(self, stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> list[RecordedEvent]:
        known = self._heads.get(stream_id)
        if known is not None and known[0] == expected_version and len(events) == 1:
            return self._append_one(stream_id, expected_version, known[1], events)
        return self._append_streams((StreamAppend(stream_id, expected_version, events),))[0]

    def _append_streams(self, appends: Sequence[StreamAppend]) -> list[list[RecordedEvent]]:
        """Every append in one write transaction, in the order given (the caller holds the writer lock)."""
        cursor = self._cursor()
        execute = cursor.execute
        execute("BEGIN IMMEDIATE")
        stream_id, expected_version = appends[0].stream_id, appends[0].expected_version
        try:
            links: list[str] = []
            for append in appends:
                row = execute(_HEAD, (append.stream_id,)).fetchone()
                version, previous_hash = row if row else (0, GENESIS_HASH)
                if version != append.expected_version:
                    raise ConcurrencyError(append.stream_id, append.expected_version, version)
                links.append(previous_hash)
            recorded_at = self.clock.now()  # once, after every head was read: the same moment for all the streams
            batches = [
                record(append.events, append.stream_id, append.expected_version, recorded_at, link)
                for append, link in zip(appends, links, strict=True)
            ]
            recorded_at_text = format_time(recorded_at)
            for append, link, recorded in zip(appends, links, batches, strict=True):
                stream_id, expected_version = append.stream_id, append.expected_version
                for event, data in recorded:
                    hash_ = event.hash
                    execute(_INSERT, (stream_id, event.version, event.event_type, recorded_at_text, data, link, hash_))
                    object.__setattr__(event, "position", cursor.lastrowid)
                    link = hash_
            execute("COMMIT")
        except sqlite3.IntegrityError:
            # defensive: BEGIN IMMEDIATE holds the write lock from the head reads on, so no other writer can take a
            # version in between; should one ever, name the stream whose insert failed
            execute("ROLLBACK")
            raise ConcurrencyError(stream_id, expected_version) from None
        except BaseException:
            if self._connection().in_transaction:
                execute("ROLLBACK")
            raise
        for recorded in batches:
            last = recorded[-1][0]
            self._remember(last.stream_id, last.version, last.hash)
        return [[event for event, _ in recorded] for recorded in batches]

    def _append_one(
        self, stream_id: str, expected_version: int, previous_hash: str, events: Sequence[NewEvent]
    ) -> list[RecordedEvent]:
        """One event onto a stream whose event at expected_version this store has seen (`_heads`): one INSERT.

        Events are never changed or removed and versions are contiguous, so the remembered hash is still that
        event's, and if version expected+1 does not exist when the INSERT runs (the UNIQUE key checks it, atomically,
        in the INSERT's own transaction), expected_version is still the stream's last version: the same check, link
        and all-or-nothing write as the general path, without reading the head first. The recorded-at time is still
        taken after the stream was seen at expected_version, so it never runs backwards within a stream.
        """
        recorded_at = self.clock.now()
        [(event, data)] = record(events, stream_id, expected_version, recorded_at, previous_hash)
        cursor = self._cursor()
        try:
            cursor.execute(
                _INSERT,
                (stream_id, event.version, event.event_type, format_time(recorded_at), data, previous_hash, event.hash),
            )
        except sqlite3.IntegrityError:
            self._heads.pop(stream_id, None)
            raise ConcurrencyError(stream_id, expected_version, self.stream_version(stream_id)) from None
        object.__setattr__(event, "position", cursor.lastrowid)
        self._remember(stream_id, event.version, event.hash)
        return [event]

    def _remember(self, stream_id: str, version: int, hash_: str) -> None:
        """Note that the stream's event at `version` has this hash (a fact that stays true; bounded memory)."""
        heads = self._heads
        if len(heads) >= _MAX_HEADS and stream_id not in heads:
            heads.clear()
        heads[stream_id] = (version, hash_)

    def read(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        as_of: datetime | None = None,
    ) -> list[RecordedEvent]:
        sql = "SELECT data, hash, position FROM events WHERE stream_id = ? AND version >= ?"
        params: list[object] = [stream_id, from_version]
        if to_version is not None:
            sql += " AND version <= ?"
            params.append(to_version)
        if as_of is not None:
            sql += " AND recorded_at <= ?"
            params.append(format_time(as_of))
        events = deserialize_rows(self._connection().execute(sql + " ORDER BY version", params).fetchall())
        if events:
            self._remember(stream_id, events[-1].version, events[-1].hash)
        return events

    def read_last(self, stream_id: str) -> RecordedEvent | None:
        rows = self._connection().execute(_LAST, (stream_id,)).fetchall()
        if not rows:
            return None
        [event] = deserialize_rows(rows)
        self._remember(stream_id, event.version, event.hash)
        return event

    def stream_version(self, stream_id: str) -> int:
        row = self._connection().execute("SELECT MAX(version) FROM events WHERE stream_id = ?", (stream_id,)).fetchone()
        return row[0] or 0

    def stream_ids(self, prefix: str = "") -> Iterator[str]:
        rows = self._connection().execute(
            "SELECT stream_id FROM events WHERE version = 1 AND substr(stream_id, 1, ?) = ? ORDER BY stream_id",
            (len(prefix), prefix),
        )
        for (stream_id,) in rows.fetchall():
            yield stream_id

    def verify(self, stream_id: str) -> StreamVerification:
        rows = self._connection().execute(
            "SELECT version, event_type, data, prev_hash, hash FROM events WHERE stream_id = ? ORDER BY version",
            (stream_id,),
        )
        previous_hash = GENESIS_HASH
        checked = 0
        for version, event_type, data, prev_hash, hash_ in rows:
            columns = {"stream_id": stream_id, "version": version, "event_type": event_type}
            problem, previous_hash = check_link(
                stream_id, checked + 1, previous_hash, version, prev_hash, hash_, bytes(data), columns
            )
            if problem:
                return StreamVerification(stream_id, checked, problem)
            checked += 1
        return StreamVerification(stream_id, checked)

    # EventFeed

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        rows = (
            self._connection()
            .execute(
                "SELECT data, hash, position FROM events WHERE position > ? ORDER BY position LIMIT ?",
                (after_position, limit),
            )
            .fetchall()
        )
        return deserialize_rows(rows)

    def head_position(self) -> int:
        row = self._connection().execute("SELECT MAX(position) FROM events").fetchone()
        return row[0] or 0

    def read_all_stored(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """The stored rows in log order without deserialising (the relay forwards these bytes as they are)."""
        rows = (
            self._connection()
            .execute(
                "SELECT position, stream_id, version, event_type, data, prev_hash, hash FROM events"
                " WHERE position > ? ORDER BY position LIMIT ?",
                (after_position, limit),
            )
            .fetchall()
        )
        return [StoredEvent(*row) for row in rows]

    def read_types_stored(
        self, event_types: Sequence[str], after_position: int = 0, limit: int = 1000
    ) -> tuple[list[StoredEvent], int]:
        """The stored rows of some event types after a position, and how far the log was scanned.

        One read snapshot: every position up to the scanned-to one is committed, so a subscriber may move its
        checkpoint there even when none of those rows were of its types.
        """
        connection = self._connection()
        placeholders = ",".join("?" * len(event_types))
        connection.execute("BEGIN")
        try:
            head = connection.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]
            rows = connection.execute(
                "SELECT position, stream_id, version, event_type, data, prev_hash, hash FROM events"
                f" WHERE position > ? AND position <= ? AND event_type IN ({placeholders}) ORDER BY position LIMIT ?",
                (after_position, head, *event_types, limit),
            ).fetchall()
        finally:
            connection.execute("COMMIT")
        stored = [StoredEvent(*row) for row in rows]
        return stored, (stored[-1].position if len(stored) == limit else head)
