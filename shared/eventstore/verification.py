"""Checking stored events against their hash chains, whatever an insider wrote in their place.

An adapter hands over each stored row exactly as it read it (any type in any column: SQLite keeps what it is given,
and a DynamoDB attribute may have been rewritten with another type); nothing here assumes a value has the type the
store writes, so a tampered row is named, never a crash. What is checked, per stream, in version order:

- the stored bytes are a JSON object, its `stream_id`/`version` (and every column a reader filters on) agree with the
  row's columns, with the same type;
- versions run 1, 2, 3… with no gap;
- `prev_hash` is the previous event's hash and `hash` is sha256(previous hash + stored bytes);
- an anchor (a stream head recorded by a checkpoint) is still there: the stream reaches that version and the event
  there has the recorded hash. The chain makes that hash cover every earlier event too. Every head the checkpoints
  recorded is checked, not only the newest, so a newest head sealed from a rolled-back starting point is caught.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

import orjson

from shared.eventstore.port import GENESIS_HASH, BadEvent, StreamAnchor, StreamVerification, chain_hash


@dataclass(frozen=True)
class StoredRow:
    """One stored event as read, values untrusted: `data` should be the canonical JSON bytes."""

    version: object
    data: object
    prev_hash: object
    hash: object
    columns: dict[str, object] = field(default_factory=dict)  # other columns that must equal the envelope's fields


def describe(value: object) -> str:
    """What kind of value a column holds, in words (for messages about tampered rows)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the real number {value!r}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bytes | bytearray | memoryview):
        return "bytes"
    if isinstance(value, dict):
        return "a DynamoDB " + "/".join(map(str, value)) + " attribute"
    return type(value).__name__


def same(stored: object, expected: object) -> bool:
    """Equal and of the same type (2.0 == 2 and True == 1 in Python, but a REAL or a boolean is not the version)."""
    return type(stored) is type(expected) and stored == expected


class StreamChecker:
    """The running check of one stream: `check` its rows in version order, then `finish`."""

    def __init__(
        self, stream_id: str, anchor: StreamAnchor | None = None, earlier: Sequence[StreamAnchor] = ()
    ) -> None:
        self.stream_id = stream_id
        self.anchor = anchor
        # Every recorded head is checked, not only the newest: the newest may have been sealed from an older one.
        self.anchors = {a.version: a for a in (*earlier, *((anchor,) if anchor else ()))}
        self.checked = 0
        self.previous_hash = GENESIS_HASH
        self.first_bad: BadEvent | None = None

    def check(self, row: StoredRow) -> BadEvent | None:
        """Check the next row; after the first problem the stream is not checked further (it is already named)."""
        if self.first_bad is None:
            self.first_bad = self._problem(row)
            if self.first_bad is None:
                self.checked += 1
        return self.first_bad

    def finish(self) -> StreamVerification:
        anchor = self.anchor
        if self.first_bad is None and anchor is not None and self.checked < anchor.version:
            self.first_bad = BadEvent(
                self.stream_id,
                self.checked + 1,
                "?",
                f"missing: the stream ends at version {self.checked} but checkpoint {anchor.checkpoint} recorded "
                f"version {anchor.version} (events were removed)",
            )
        return StreamVerification(self.stream_id, self.checked, self.first_bad)

    def _problem(self, row: StoredRow) -> BadEvent | None:
        expected_version = self.checked + 1
        envelope, reason = _envelope(row.data)
        event_id = envelope.get("event_id")
        event_id = event_id if isinstance(event_id, str) else "?"
        if reason is None:
            reason = self._chain_problem(row, envelope, expected_version)
        if reason is not None:
            return BadEvent(self.stream_id, expected_version, event_id, reason)
        return None

    def _chain_problem(self, row: StoredRow, envelope: dict, expected_version: int) -> str | None:
        """What is wrong with a row whose bytes are a JSON object, or None (and the chain moves on to it)."""
        if not same(row.version, expected_version):
            if isinstance(row.version, int) and not isinstance(row.version, bool):
                return f"version {row.version} is stored where {expected_version} was expected (events are missing)"
            return f"stored version is {describe(row.version)} where {expected_version} was expected"
        if not same(row.prev_hash, self.previous_hash):
            return "link to the previous event does not match"
        computed = chain_hash(self.previous_hash, cast(bytes, row.data))  # `_envelope` saw bytes
        if not same(row.hash, computed):
            return "content does not match its hash"
        for name, value in {"stream_id": self.stream_id, "version": row.version, **row.columns}.items():
            if not same(value, envelope.get(name)):
                return f"stored {name} ({describe(value)}) does not match the event's content"
        anchor = self.anchors.get(expected_version)
        if anchor is not None and anchor.hash != computed:
            return f"not the event checkpoint {anchor.checkpoint} recorded (its hash differs)"
        self.previous_hash = computed
        return None


def _envelope(data: object) -> tuple[dict, str | None]:
    """The stored bytes as a JSON object, or what is wrong with them (and an empty object)."""
    if not isinstance(data, bytes):
        return {}, f"stored data is {describe(data)} where the event's bytes were expected"
    try:
        envelope = orjson.loads(data)
    except orjson.JSONDecodeError:
        return {}, "stored bytes are not valid JSON"
    if not isinstance(envelope, dict):
        return {}, "stored bytes are not a JSON object"
    return envelope, None


def verify_rows(
    stream_id: str, rows: Iterable[StoredRow], anchor: StreamAnchor | None = None, earlier: Sequence[StreamAnchor] = ()
) -> StreamVerification:
    """Check a stream's stored rows (in version order) and, if given, that it still reaches its checkpointed head and
    holds the events every checkpoint recorded (`earlier`: the heads older checkpoints recorded)."""
    checker = StreamChecker(stream_id, anchor, earlier)
    for row in rows:
        if checker.check(row):
            break
    return checker.finish()


def verify_rows_since(
    stream_id: str, rows: Iterable[StoredRow], anchor: StreamAnchor | None
) -> tuple[StreamVerification, tuple[int, str] | None]:
    """Check a stream from its sealed head on: `rows` start at the anchored version (at version 1 without an anchor).

    The anchored event must still be there with the sealed hash (its hash covers everything before it, so nothing
    older is read); every later row must chain on from it. Returns the check and the stream's verified head (version,
    hash), None if it failed or the stream is empty.
    """
    checker = StreamChecker(stream_id, anchor)
    rows = iter(rows)
    if anchor is not None:
        checker.checked = anchor.version - 1
        first = next(rows, None)
        if first is not None:  # its link is pinned by the anchor's hash, which covers it
            checker.previous_hash = first.prev_hash if isinstance(first.prev_hash, str) else ""
            rows = itertools.chain((first,), rows)
    for row in rows:
        if checker.check(row):
            break
    result = checker.finish()
    head = (checker.checked, checker.previous_hash) if result.ok and checker.checked else None
    return result, head


def log_link(previous_log_hash: str, position: int, event_hash: str) -> str:
    """The log-wide chain (SQLite): each row's log hash covers the previous row's, its position and its event hash.

    The event hash already covers the event's bytes (so its stream, version and content) and its stream's previous
    event; this chain adds the order of the whole log, so removing, inserting or moving any row breaks it.
    """
    # surrogateescape: a stored hash that is not UTF-8 text is hashed (and then fails the check) rather than raising
    text = f"{previous_log_hash}{position}:{event_hash}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
