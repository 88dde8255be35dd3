"""The audit of a stored log against its hash chains and its sealed checkpoints, and the writing of checkpoints.

Works on any EventStore (per-stream chains, checked against each stream's checkpointed head); a store with a global
order (SQLite: `verify_log`, `log_head`, `changed_stream_heads`) also has its log-wide chain checked, which catches
rows removed, inserted or moved anywhere before the log's newest row, and its newest checkpointed row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from shared.eventstore.checkpoints import (
    MAX_STREAMS_PER_CHECKPOINT,
    Checkpoint,
    CheckpointLog,
    SealedHeads,
    anchors,
    body_of,
    checkpoint_key,
    head_entry,
    new_checkpoint,
    newest_verified,
    read_head,
    record_head,
    recorded_heads,
    verified_checkpoints,
)
from shared.eventstore.port import BadEvent, EventStore, LogChain, SealedHeadVerification, StreamAnchor
from shared.secrets.port import SecretStore


@dataclass
class AuditReport:
    streams_checked: int = 0
    events_checked: int = 0
    checkpoints: int = 0
    problems: list[BadEvent] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class MovedStreams(Protocol):
    """The streams noted as moved since they were last sealed (a read model of every event, kept by a subscriber)."""

    def noted(self) -> dict[str, int]:
        """Stream id -> the newest version noted."""
        ...

    def forget(self, sealed: Mapping[str, int]) -> None:
        """Drop the notes at or below these sealed versions."""
        ...


class AuditFailed(Exception):
    def __init__(self, problems: list[BadEvent]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the log; no checkpoint written")


def audit(
    store: EventStore, checkpoint_log: CheckpointLog, secret_store: SecretStore, stream_ids: Iterable[str] | None = None
) -> AuditReport:
    """Check the whole log (stream_ids None) or some streams; every problem found is in the report, one per stream.

    The whole log's streams are those the store lists, those the log-wide chain passes (SQLite: a stream whose first
    event was removed is no longer listed) and those a checkpoint recorded (a stream removed altogether).
    """
    trail, problem = verified_checkpoints(checkpoint_log, secret_store)
    report = AuditReport(checkpoints=len(trail), problems=[problem] if problem else [])
    stream_anchors, log_anchor = anchors(trail)
    recorded = recorded_heads(trail)
    if stream_ids is None:
        streams = {stream_id for stream_id in store.stream_ids() if isinstance(stream_id, str)} | set(stream_anchors)
        if isinstance(store, LogChain):
            log = store.verify_log(anchor=log_anchor)
            streams |= log.stream_ids
            if log.first_bad:
                report.problems.append(log.first_bad)
    else:
        streams = set(stream_ids)
    for stream_id in sorted(streams):
        result = store.verify(stream_id, stream_anchors.get(stream_id), recorded.get(stream_id, ())[:-1])
        report.streams_checked += 1
        report.events_checked += result.events_checked
        if result.first_bad:
            report.problems.append(result.first_bad)
    return report


def write_checkpoint(
    store: EventStore,
    checkpoint_log: CheckpointLog,
    secret_store: SecretStore,
    taken_at: str,
    moved: MovedStreams | None = None,
) -> list[Checkpoint]:
    """Seal the heads of every stream that changed since the last checkpoint (none written if nothing changed).

    Refuses (AuditFailed) if the checkpoints or any changed stream fail their checks, so a tampered log is never
    sealed. Incremental: on SQLite only the log's rows after the last checkpoint are read. On DynamoDB, given the
    streams noted as moved (`moved`), only those are read, each from its sealed head on, and of the trail only the
    newest checkpoint and the moved streams' sealed heads; without `moved` every stream's head is read (one query
    each).
    """
    if (
        moved is not None
        and not isinstance(store, LogChain)
        and isinstance(store, SealedHeadVerification)
        and isinstance(checkpoint_log, SealedHeads)
    ):
        return _write_incremental(store, checkpoint_log, secret_store, taken_at, moved)
    written = _write_from_trail(store, checkpoint_log, secret_store, taken_at)
    if moved is not None:  # SQLite: the log-wide chain found the changes; the notes are not needed
        sealed = {stream_id: head[0] for checkpoint in written for stream_id, head in checkpoint.streams.items()}
        moved.forget({stream_id: sealed.get(stream_id, version) for stream_id, version in moved.noted().items()})
    return written


def _write_from_trail(
    store: EventStore, checkpoint_log: CheckpointLog, secret_store: SecretStore, taken_at: str
) -> list[Checkpoint]:
    """The checkpoint from the whole verified trail's anchors (SQLite, or DynamoDB without the moved-stream notes)."""
    key = checkpoint_key(secret_store, create=True)
    trail, problem = verified_checkpoints(checkpoint_log, secret_store)
    if problem or key is None:
        raise AuditFailed([problem] if problem else [])
    stream_anchors, log_anchor = anchors(trail)
    problems: list[BadEvent] = []
    log_head = None
    if isinstance(store, LogChain):
        log_head = store.log_head()
        log = store.verify_log(after=log_anchor)
        if log.first_bad:
            problems.append(log.first_bad)
        changed = store.changed_stream_heads(log_anchor[0] if log_anchor else 0, log_head[0])
        suspects = set(changed)
    else:
        heads = store.stream_heads()
        changed = {
            stream_id: head
            for stream_id, head in heads.items()
            if stream_id not in stream_anchors
            or head != (stream_anchors[stream_id].version, stream_anchors[stream_id].hash)
        }
        suspects = set(changed) | (set(stream_anchors) - set(heads))  # a recorded stream no longer listed is checked
    for stream_id in sorted(suspects):
        result = store.verify(stream_id, stream_anchors.get(stream_id))
        if result.first_bad:
            problems.append(result.first_bad)
    if problems:
        raise AuditFailed(problems)
    if not changed and (log_head is None or log_head == log_anchor or log_head[0] == 0):
        return []
    written = _append(checkpoint_log, trail[-1] if trail else None, key, taken_at, log_head, changed)
    record_head(secret_store, written[-1])
    return written


def _write_incremental(
    store: SealedHeadVerification,
    checkpoint_log: CheckpointLog,
    secret_store: SecretStore,
    taken_at: str,
    moved: MovedStreams,
) -> list[Checkpoint]:
    """Seal the noted streams' new heads, reading only the newest checkpoint, the noted streams' sealed heads and
    their events from those heads on: reads bounded by the work since the last checkpoint, not by the log's size."""
    assert isinstance(checkpoint_log, SealedHeads)
    key = checkpoint_key(secret_store, create=True)
    if key is None:
        raise AuditFailed([])
    newest, problem = newest_verified(checkpoint_log, secret_store, key)
    if problem:
        raise AuditFailed([problem])
    noted = moved.noted()
    sealed = checkpoint_log.heads(sorted(noted))
    problems: list[BadEvent] = []
    starts: dict[str, StreamAnchor] = {}
    changed: dict[str, tuple[int, str]] = {}
    for stream_id in sorted(noted):
        anchor, bad = read_head(sealed[stream_id], key) if stream_id in sealed else (None, None)
        head = None
        if bad is None:
            result, head = store.verify_since(stream_id, anchor)
            bad = result.first_bad
        if bad is not None:
            problems.append(bad)
            continue
        if anchor is not None:
            starts[stream_id] = anchor
        if head is not None and (anchor is None or head[0] > anchor.version):
            changed[stream_id] = head
    if problems:
        raise AuditFailed(problems)
    written = _append(checkpoint_log, newest, key, taken_at, None, changed) if changed else []
    if written:
        record_head(secret_store, written[-1])
        for checkpoint in written:
            for stream_id, head in checkpoint.streams.items():
                checkpoint_log.put_head(stream_id, *head_entry(key, stream_id, head, checkpoint.sequence))
    now_sealed = {stream_id: anchor.version for stream_id, anchor in starts.items()}
    now_sealed.update({stream_id: head[0] for stream_id, head in changed.items()})
    moved.forget(now_sealed)
    return written


def _append(
    checkpoint_log: CheckpointLog,
    previous: Checkpoint | None,
    key: str,
    taken_at: str,
    log_head: tuple[int, str] | None,
    changed: dict[str, tuple[int, str]],
) -> list[Checkpoint]:
    """One record per MAX_STREAMS_PER_CHECKPOINT heads; the log's head goes on the last (it covers every row)."""
    stream_ids = sorted(changed)
    chunks = [
        stream_ids[i : i + MAX_STREAMS_PER_CHECKPOINT] for i in range(0, len(stream_ids), MAX_STREAMS_PER_CHECKPOINT)
    ]
    chunks = chunks or [[]]
    written = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        checkpoint = new_checkpoint(
            previous, key, taken_at, log_head if last else None, {stream_id: changed[stream_id] for stream_id in chunk}
        )
        checkpoint_log.append(checkpoint.sequence, body_of(checkpoint), checkpoint.seal)
        written.append(checkpoint)
        previous = checkpoint
    return written
