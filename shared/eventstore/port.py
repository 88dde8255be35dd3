"""The event store port: append with optimistic concurrency, read, verify. Every adapter passes one contract suite."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from events import NewEvent, RecordedEvent

GENESIS_HASH = "0" * 64


class ConcurrencyError(Exception):
    """The stream was not at the expected version: someone else appended first. Re-read and decide again."""

    def __init__(self, stream_id: str, expected_version: int, actual_version: int | None = None) -> None:
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        actual = f", it is at {actual_version}" if actual_version is not None else ""
        super().__init__(f"stream {stream_id!r} is not at expected version {expected_version}{actual}")


class EventTooLarge(ValueError):
    """An event's stored bytes exceed what the log (and the bus) accept: put large content in the document store.

    Raised by every adapter before anything of the append is written (the check is in `records.record`, which every
    adapter serialises through). Event payloads are bounded by construction (PlanningApplicationSubmitted carries a
    clipped summary and claim-checks the rest), so this is a programming error for product events; intake still
    answers it with 413 and a reason rather than a 5xx."""


MAX_EVENT_BYTES = 240 * 1024  # of `event_size`: below DynamoDB's 400 KB item and EventBridge's 256 KB entry


def event_size(data: bytes) -> int:
    """What an event's canonical JSON weighs against MAX_EVENT_BYTES: its size as the bus carries it, as a JSON string
    inside the DynamoDB stream record's NewImage, where every quote and backslash takes two bytes."""
    return len(data) + data.count(b'"') + data.count(b"\\")


WHOLE_LOG = "(the log)"  # the stream id of a problem with the log-wide chain rather than one stream
CHECKPOINTS = "(audit checkpoints)"  # and of a problem with the checkpoints (its version: the checkpoint's number)


@dataclass(frozen=True)
class BadEvent:
    stream_id: str
    version: int
    event_id: str
    reason: str


@dataclass(frozen=True)
class StreamVerification:
    stream_id: str
    events_checked: int
    first_bad: BadEvent | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


@dataclass(frozen=True)
class StreamAnchor:
    """A stream's head as an audit checkpoint recorded it: the event at `version` had this hash."""

    version: int
    hash: str
    checkpoint: int


def chain_hash(previous_hash: str, data: bytes) -> str:
    """Each event's hash covers its stored bytes and the previous event's hash in the same stream."""
    return hashlib.sha256(previous_hash.encode("ascii") + data).hexdigest()


@dataclass(frozen=True)
class StreamAppend:
    """Events for one stream at the version the writer last saw (0 = a new stream), in a multi-stream append."""

    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]


def check_stream_appends(appends: Sequence[StreamAppend]) -> None:
    """Refuse a multi-stream append that is empty, has an append without events or names a stream twice."""
    if not appends:
        raise ValueError("nothing to append: no streams")
    seen: set[str] = set()
    for append in appends:
        if not append.events:
            raise ValueError(f"nothing to append to {append.stream_id!r}")
        if append.stream_id in seen:
            raise ValueError(f"stream {append.stream_id!r} appears twice in one append")
        seen.add(append.stream_id)


def check_distinct_streams(from_versions: Sequence[tuple[str, int]]) -> None:
    """Refuse a multi-stream read that names a stream twice."""
    if len({stream_id for stream_id, _ in from_versions}) != len(from_versions):
        raise ValueError("a stream appears twice in one read")


class EventStore(Protocol):
    def append(self, stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> list[RecordedEvent]:
        """Append all events or none; raise ConcurrencyError unless the stream is at expected_version (0 = new)."""
        ...

    def append_streams(self, appends: Sequence[StreamAppend]) -> list[list[RecordedEvent]]:
        """Append to several distinct streams atomically: all of them or none. Raise ConcurrencyError (for the first
        stream not at its expected version) and append nothing if any stream moved; the result is each append's
        recorded events, in the order given."""
        ...

    def read(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        as_of: datetime | None = None,
    ) -> list[RecordedEvent]:
        """Events of one stream in version order, optionally a version range or as recorded up to a moment."""
        ...

    def read_types(
        self, stream_id: str, event_types: Collection[str], from_version: int = 1
    ) -> tuple[list[RecordedEvent], int]:
        """The stream's events of `event_types` from `from_version` on, in version order, and the stream's version as
        this one read saw it (its newest event of any type; `from_version - 1` when it has none from there): a reader
        that folds a few types of a stream deserialises only those, and still knows the version an append expects."""
        ...

    def read_streams(self, from_versions: Sequence[tuple[str, int]]) -> list[list[RecordedEvent]]:
        """Several distinct streams' events, each from its own version on, in the order given (an application's
        streams after the versions a reader already folded): one query where the store can (SQLite)."""
        ...

    def stream_version(self, stream_id: str) -> int:
        """The stream's current version (0 when it has no events)."""
        ...

    def read_last(self, stream_id: str) -> RecordedEvent | None:
        """The stream's newest event, or None for an empty stream: one strongly consistent read, whatever its length."""
        ...

    def verify(
        self, stream_id: str, anchor: StreamAnchor | None = None, earlier: Sequence[StreamAnchor] = ()
    ) -> StreamVerification:
        """Recompute the hash chain from the stored bytes; name the first event whose content or link is wrong, or
        the first missing one when the stream no longer reaches its checkpointed head (`anchor`), or an event that is
        not the one an older checkpoint recorded (`earlier`). Never raises on a tampered row: any value in any column
        is reported."""
        ...

    def stream_ids(self, prefix: str = "") -> Iterator[str]:
        """Every stream id starting with prefix (replays and audits go stream by stream)."""
        ...

    def stream_heads(self) -> dict[str, tuple[int, str]]:
        """Every stream's newest (version, hash), for audit checkpoints; a malformed head is left out (the audit that
        runs before a checkpoint names it)."""
        ...


@dataclass
class LogVerification:
    """The log-wide chain's check: rows checked, the first row out of chain, and every stream id seen."""

    rows_checked: int = 0
    first_bad: BadEvent | None = None
    stream_ids: set[str] = field(default_factory=set)


@runtime_checkable
class SealedHeadVerification(Protocol):
    """A store without a global order (DynamoDB) checks a stream from its sealed head on, for incremental audit
    checkpoints: reads bounded by what was appended since."""

    def verify_since(
        self, stream_id: str, anchor: StreamAnchor | None
    ) -> tuple[StreamVerification, tuple[int, str] | None]: ...


@runtime_checkable
class LogChain(Protocol):
    """A log-wide hash chain in global order: only stores that have one (SQLite). Audits and checkpoints use it."""

    def log_head(self) -> tuple[int, str]: ...

    def verify_log(
        self, anchor: tuple[int, str] | None = None, after: tuple[int, str] | None = None
    ) -> LogVerification: ...

    def changed_stream_heads(self, after_position: int, up_to_position: int) -> dict[str, tuple[int, str]]: ...


class EventFeed(Protocol):
    """Reading the whole log in one global order: only stores that have one (SQLite). DynamoDB publishes via Streams."""

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]: ...

    def head_position(self) -> int: ...


def merged(streams: Iterable[Iterable[RecordedEvent]]) -> list[RecordedEvent]:
    """Several streams' events in one time line: recorded-at, then stream id, then version."""
    return sorted(
        (event for stream in streams for event in stream), key=lambda e: (e.recorded_at, e.stream_id, e.version)
    )


def read_merged(store: EventStore, stream_ids: Iterable[str], as_of: datetime | None = None) -> list[RecordedEvent]:
    """An application's streams merged in time order (the audit trail reads this)."""
    return merged(store.read(stream_id, as_of=as_of) for stream_id in stream_ids)
