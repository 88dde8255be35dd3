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
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from events import NewEvent, RecordedEvent
from events.serialization import deserialize_rows, format_time
from shared.clock import Clock, SystemClock
from shared.eventstore.port import (
    GENESIS_HASH,
    WHOLE_LOG,
    BadEvent,
    ConcurrencyError,
    LogVerification,
    StreamAnchor,
    StreamAppend,
    StreamVerification,
    check_distinct_streams,
    check_stream_appends,
)
from shared.eventstore.records import record
from shared.eventstore.verification import StoredRow, describe, log_link, verify_rows
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
    log_hash TEXT,
    UNIQUE (stream_id, version)
);
"""

_HEAD = "SELECT version, hash FROM events WHERE stream_id = ? ORDER BY version DESC LIMIT 1"
_LAST = "SELECT data, hash, position FROM events WHERE stream_id = ? ORDER BY version DESC LIMIT 1"
_INSERT = (
    "INSERT INTO events (position, stream_id, version, event_type, recorded_at, data, prev_hash, hash, log_hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# The log-wide chain's head: the newest row's position and log hash (a rowid lookup).
_LOG_HEAD = "SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1"

_MAX_HEADS = 10_000
_BEFORE_ANY_POSITION = -(2**63)
# A log from before the log-wide chain: none of its rows has a log hash (after the upgrade every row has one, so a
# NULL in a chained log is tampering, which the audit reports, not a reason to re-chain).
_NOT_CHAINED = (
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM events) AND NOT EXISTS (SELECT 1 FROM events WHERE log_hash IS NOT NULL)"
)

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


class _Moved(Exception):
    """A stream's head is not at the expected version (inside an append: rolled back, then named)."""


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
        self._chain_the_log()

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

    def _audit_connection(self) -> sqlite3.Connection:
        """Audits read through their own connection, which reads any text: an insider may have stored bytes that
        are not UTF-8 in a text column, which the ordinary connection would refuse to read (an error, not a report).
        """
        connection = getattr(self._local, "audit_connection", None)
        if connection is None:
            connection = self._local.audit_connection = connect(self.path)
            connection.text_factory = _any_text
        return connection

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
            self._local.cursor = None
        audit_connection = getattr(self._local, "audit_connection", None)
        if audit_connection is not None:
            audit_connection.close()
            self._local.audit_connection = None

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
        return self._append_streams((StreamAppend(stream_id, expected_version, events),))[0]

    def _append_streams(self, appends: Sequence[StreamAppend]) -> list[list[RecordedEvent]]:
        """Every append in one write transaction, in the order given (the caller holds the writer lock).

        A stream's head is read only when this store does not know the hash of its event at the expected version
        (`_known_link`); otherwise the INSERT's UNIQUE (stream_id, version) key is the version check, as in
        `_append_one`, which a single event onto a known head takes (one statement, as the single append).
        """
        known = [self._known_link(append.stream_id, append.expected_version) for append in appends]
        if len(appends) == 1 and len(appends[0].events) == 1 and known[0] is not None:
            append = appends[0]
            return [self._append_one(append.stream_id, append.expected_version, known[0], append.events)]
        cursor = self._cursor()
        execute = cursor.execute
        execute("BEGIN IMMEDIATE")
        try:
            links: list[str] = []
            for append, link in zip(appends, known, strict=True):
                if link is None:
                    row = execute(_HEAD, (append.stream_id,)).fetchone()
                    version, link = row if row else (0, GENESIS_HASH)
                    if version != append.expected_version:
                        raise _Moved
                links.append(link)
            position, log_hash = self._log_head(execute)
            recorded_at = self.clock.now()  # once, after every head was read: the same moment for all the streams
            batches = [
                record(append.events, append.stream_id, append.expected_version, recorded_at, link)
                for append, link in zip(appends, links, strict=True)
            ]
            recorded_at_text = format_time(recorded_at)
            for append, link, recorded in zip(appends, links, batches, strict=True):
                stream_id = append.stream_id
                for event, data in recorded:
                    hash_ = event.hash
                    position += 1
                    log_hash = log_link(log_hash, position, hash_)
                    row = (position, stream_id, event.version, event.event_type, recorded_at_text, data, link, hash_)
                    execute(_INSERT, (*row, log_hash))
                    object.__setattr__(event, "position", position)
                    link = hash_
            execute("COMMIT")
        except (_Moved, sqlite3.IntegrityError):
            # a stream is not at its expected version (its head, or the UNIQUE key of a known head's next version):
            # nothing is written; name the first such stream, as it is now (the writer lock keeps it so)
            execute("ROLLBACK")
            for append in appends:
                self._heads.pop(append.stream_id, None)
            raise self._first_moved(appends) from None
        except BaseException:
            if self._connection().in_transaction:
                execute("ROLLBACK")
            raise
        for recorded in batches:
            last = recorded[-1][0]
            self._remember(last.stream_id, last.version, last.hash)
        return [[event for event, _ in recorded] for recorded in batches]

    def _known_link(self, stream_id: str, expected_version: int) -> str | None:
        """The hash of the stream's event at expected_version when this store knows it (always for a new stream)."""
        if expected_version == 0:
            return GENESIS_HASH
        known = self._heads.get(stream_id)
        return known[1] if known is not None and known[0] == expected_version else None

    def _first_moved(self, appends: Sequence[StreamAppend]) -> ConcurrencyError:
        for append in appends:
            version = self.stream_version(append.stream_id)
            if version != append.expected_version:
                return ConcurrencyError(append.stream_id, append.expected_version, version)
        first = appends[0]  # defensive: every stream is where expected, yet the append failed
        return ConcurrencyError(first.stream_id, first.expected_version)

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
        # the caller holds the writer lock, so no other writer moves the log's head before the INSERT
        position, log_hash = self._log_head(cursor.execute)
        position += 1
        row = (position, stream_id, event.version, event.event_type, format_time(recorded_at), data, previous_hash)
        try:
            cursor.execute(_INSERT, (*row, event.hash, log_link(log_hash, position, event.hash)))
        except sqlite3.IntegrityError:
            self._heads.pop(stream_id, None)
            raise ConcurrencyError(stream_id, expected_version, self.stream_version(stream_id)) from None
        object.__setattr__(event, "position", position)
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

    def read_types(
        self, stream_id: str, event_types: Collection[str], from_version: int = 1
    ) -> tuple[list[RecordedEvent], int]:
        """One statement (one snapshot) of the stream's rows with their types: only the wanted rows are deserialised."""
        rows = self._connection().execute(
            "SELECT data, hash, position, event_type, version FROM events WHERE stream_id = ? AND version >= ?"
            " ORDER BY version",
            (stream_id, from_version),
        )
        wanted, version, last_hash = [], from_version - 1, ""
        for data, hash_, position, event_type, row_version in rows.fetchall():
            version, last_hash = row_version, hash_
            if event_type in event_types:
                wanted.append((data, hash_, position))
        if last_hash:
            self._remember(stream_id, version, last_hash)
        return deserialize_rows(wanted), version

    def read_streams(self, from_versions: Sequence[tuple[str, int]]) -> list[list[RecordedEvent]]:
        """One statement (so one snapshot of the log) for every stream."""
        check_distinct_streams(from_versions)
        if not from_versions:
            return []
        one = "SELECT data, hash, position FROM events WHERE stream_id = ? AND version >= ?"
        sql = " UNION ALL ".join([one] * len(from_versions))
        params = [value for stream_id_and_version in from_versions for value in stream_id_and_version]
        by_stream: dict[str, list[RecordedEvent]] = {stream_id: [] for stream_id, _ in from_versions}
        for event in deserialize_rows(self._connection().execute(sql, params).fetchall()):
            by_stream[event.stream_id].append(event)
        for stream_id, events in by_stream.items():
            if events:
                events.sort(key=_version)  # each part reads its stream's index in version order: already sorted
                self._remember(stream_id, events[-1].version, events[-1].hash)
        return [by_stream[stream_id] for stream_id, _ in from_versions]

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

    def verify(
        self, stream_id: str, anchor: StreamAnchor | None = None, earlier: Sequence[StreamAnchor] = ()
    ) -> StreamVerification:
        rows = self._audit_connection().execute(
            "SELECT version, event_type, recorded_at, data, prev_hash, hash FROM events WHERE stream_id = ?"
            " ORDER BY version",
            (stream_id,),
        )
        stored = (
            StoredRow(version, data, prev_hash, hash_, {"event_type": event_type, "recorded_at": recorded_at})
            for version, event_type, recorded_at, data, prev_hash, hash_ in rows
        )
        return verify_rows(stream_id, stored, anchor, earlier)

    def stream_heads(self) -> dict[str, tuple[int, str]]:
        return self._stream_heads(_BEFORE_ANY_POSITION, self.log_head()[0])

    # The log-wide chain (SQLite only: DynamoDB has no global order)

    def log_head(self) -> tuple[int, str]:
        """The newest row's position and log hash ((0, genesis) for an empty log): what a checkpoint records."""
        position, log_hash = self._log_head(self._audit_connection().execute)
        return position, log_hash

    def verify_log(
        self, anchor: tuple[int, str] | None = None, after: tuple[int, str] | None = None
    ) -> LogVerification:
        """Recompute the log-wide chain in position order, from the start or from `after` (a checkpointed head the
        rows before which were verified already), and check that the row at `anchor` (the newest checkpointed log
        head) is still there with its hash. Also lists every stream id found, whatever its rows' versions."""
        return verify_log_rows(self._audit_connection(), anchor, after)

    def changed_stream_heads(self, after_position: int, up_to_position: int) -> dict[str, tuple[int, str]]:
        """The newest (version, hash) of each stream written between two log positions (for incremental checkpoints)."""
        return self._stream_heads(after_position, up_to_position)

    def _stream_heads(self, after_position: int, up_to_position: int) -> dict[str, tuple[int, str]]:
        rows = self._audit_connection().execute(
            "SELECT e.stream_id, e.version, e.hash FROM events e JOIN ("
            " SELECT stream_id, MAX(version) AS version FROM events WHERE position > ? AND position <= ?"
            " GROUP BY stream_id) h ON e.stream_id = h.stream_id AND e.version = h.version",
            (after_position, up_to_position),
        )
        return {
            stream_id: (version, hash_)
            for stream_id, version, hash_ in rows
            if isinstance(stream_id, str) and type(version) is int and isinstance(hash_, str)
        }

    @staticmethod
    def _log_head(execute: Any) -> tuple[int, str]:
        row = execute(_LOG_HEAD).fetchone()
        if row is None:
            return 0, GENESIS_HASH
        position, log_hash = row
        return position, log_hash if isinstance(log_hash, str) else ""

    def _chain_the_log(self) -> None:
        """A log written before the log-wide chain existed gets it: its rows are chained once, in position order.

        Their stream chains are unchanged (the events' hashes never change), so old events still verify as before;
        the log chain protects their order from now on.
        """
        connection = self._connection()
        columns = [row[1] for row in connection.execute("PRAGMA table_info(events)")]
        if "log_hash" in columns and connection.execute(_NOT_CHAINED).fetchone() is None:
            return
        with self._writer():
            connection.execute("BEGIN IMMEDIATE")
            try:
                if "log_hash" not in [row[1] for row in connection.execute("PRAGMA table_info(events)")]:
                    connection.execute("ALTER TABLE events ADD COLUMN log_hash TEXT")
                if connection.execute(_NOT_CHAINED).fetchone() is not None:
                    log_hash = GENESIS_HASH
                    rows = connection.execute("SELECT position, hash FROM events ORDER BY position").fetchall()
                    for position, hash_ in rows:
                        log_hash = log_link(log_hash, position, str(hash_))
                        connection.execute("UPDATE events SET log_hash = ? WHERE position = ?", (log_hash, position))
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

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


def verify_log_rows(
    connection: sqlite3.Connection, anchor: tuple[int, str] | None, after: tuple[int, str] | None
) -> LogVerification:
    result = LogVerification()
    start, log_hash = after or (0, GENESIS_HASH)
    if after is not None and not _still_there(connection, after):
        reason = f"its row at position {after[0]}, the newest checkpointed one, was removed or changed"
        result.first_bad = BadEvent(WHOLE_LOG, 0, "?", reason)
        return result
    columns = "SELECT position, stream_id, version, data, hash, log_hash FROM events"
    if after is None:  # every row, even one an insider put at position 0 or below
        rows = connection.execute(f"{columns} ORDER BY position")
    else:
        rows = connection.execute(f"{columns} WHERE position > ? ORDER BY position", (start,))
    reached_anchor = anchor is None or (after is not None and anchor[0] <= start)
    last_position = start
    for position, stream_id, version, data, hash_, stored_log_hash in rows:
        result.stream_ids.add(stream_id if isinstance(stream_id, str) else repr(stream_id))
        last_position = position
        if result.first_bad is not None:
            continue
        log_hash = log_link(log_hash, position, hash_ if isinstance(hash_, str) else "")
        if not isinstance(stream_id, str):
            reason = f"stored stream_id is {describe(stream_id)}: the row belongs to no stream"
            result.first_bad = _row_problem(position, stream_id, version, data, reason)
        elif stored_log_hash != log_hash:
            result.first_bad = _row_problem(
                position,
                stream_id,
                version,
                data,
                "out of the log's chain: a row was removed, inserted or moved before it, or this row was changed",
            )
        elif anchor is not None and position == anchor[0]:
            reached_anchor = True
            if log_hash != anchor[1]:
                result.first_bad = _row_problem(
                    position, stream_id, version, data, "not the row the newest checkpoint recorded"
                )
        result.rows_checked += 1
    if result.first_bad is None and not reached_anchor and anchor is not None:
        last = last_position
        result.first_bad = BadEvent(
            WHOLE_LOG,
            0,
            "?",
            f"the log ends at position {last} but the newest checkpoint recorded position {anchor[0]}: "
            "the newest events of the log were removed",
        )
    return result


def _still_there(connection: sqlite3.Connection, head: tuple[int, str]) -> bool:
    """Whether the row at a checkpointed log head still has its log hash (an empty log's head is always there)."""
    if head[0] <= 0:
        return True
    row = connection.execute("SELECT log_hash FROM events WHERE position = ?", (head[0],)).fetchone()
    return row is not None and row[0] == head[1]


def _row_problem(position: int, stream_id: object, version: object, data: object, reason: str) -> BadEvent:
    """Name a row by its columns, or by what its bytes say when the columns are not plausible."""
    event_id = "?"
    if isinstance(data, bytes):
        try:
            envelope = orjson.loads(data)
        except orjson.JSONDecodeError:
            envelope = None
        if isinstance(envelope, dict):
            event_id = str(envelope.get("event_id", "?"))
    stream = stream_id if isinstance(stream_id, str) else repr(stream_id)
    number = version if type(version) is int else 0
    return BadEvent(stream, number, event_id, f"(log position {position}) {reason}")


def _version(event: RecordedEvent) -> int:
    return event.version


def _any_text(value: bytes) -> str:
    """Text as stored, even if it is not UTF-8 (an audit must read what an insider wrote, to report it)."""
    return value.decode("utf-8", "surrogateescape")
