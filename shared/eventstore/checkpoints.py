"""Audit checkpoints: sealed records of the log's heads, kept apart from the log, so truncation is detectable.

A checkpoint records the newest (version, hash) of every stream that changed since the previous checkpoint and, on
SQLite, the head of the log-wide chain (position, log hash). Its body is canonical JSON; its seal is
HMAC-SHA256(checkpoint key, body), the key held in the secrets store, never in the log or beside the checkpoints.
Each body names the previous checkpoint's seal, and sequences run 1, 2, 3…, so the checkpoints form a chain:

- someone who can edit the log (or the checkpoints) but cannot read the key cannot change, forge or reorder a
  checkpoint, nor remove one from the middle, without the audit saying so;
- an event's hash covers every earlier event of its stream (and on SQLite a log hash covers every earlier row), so
  a recorded head pins everything before it: removing, changing or rewriting (even with recomputed hashes) any event
  at or before a recorded head is detected, and so is removing a whole stream that a checkpoint recorded.

The newest checkpoint's number and seal are also kept in the secrets store, so removing the newest checkpoints is
detected too. Not detected: anything done to events newer than the last checkpoint (nothing pins them yet), and
anything done by someone who can read and write the secrets store (they hold the key). Publishing each seal where no
insider can reach it (the public feed) leaves only the first.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

import orjson

from shared.eventstore.port import CHECKPOINTS, GENESIS_HASH, BadEvent, StreamAnchor
from shared.secrets.port import SecretStore

KEY_SECRET = "audit/checkpoint-key"  # the secret that seals checkpoints (in the secrets store, never in the log)
HEAD_SECRET = "audit/checkpoint-head"  # the newest checkpoint's "sequence:seal", so removing the newest is detected
# The head's value before any checkpoint is written: a deployment creates the secret with it (Secrets Manager secrets
# cannot be empty), so the job only ever writes a secret that exists.
NO_CHECKPOINT_YET = "0:none"
MAX_STREAMS_PER_CHECKPOINT = 1000  # heads per record: one record stays far below DynamoDB's 400 KB item limit


class CheckpointConflict(Exception):
    """Another writer recorded a checkpoint with this sequence number first: read the checkpoints again."""


@dataclass(frozen=True)
class StoredCheckpoint:
    """One checkpoint record as stored, values untrusted (an insider may have written anything)."""

    sequence: object
    body: object
    seal: object


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    taken_at: str
    previous: str  # the previous checkpoint's seal (the genesis hash for the first)
    log: tuple[int, str] | None  # the log-wide chain's head (SQLite), or None
    streams: dict[str, tuple[int, str]]  # stream id -> (version, hash) of its newest event
    seal: str


class CheckpointLog(Protocol):
    """Where checkpoints are kept: append-only, in sequence order."""

    def append(self, sequence: int, body: str, seal: str) -> None:
        """Store a new record; raise CheckpointConflict if that sequence number is taken."""
        ...

    def records(self) -> list[StoredCheckpoint]:
        """Every stored record, in sequence order."""
        ...


@dataclass(frozen=True)
class StoredHead:
    """One stream's entry in the sealed head index as stored, values untrusted."""

    stream_id: str
    body: object
    seal: object


@runtime_checkable
class SealedHeads(Protocol):
    """Where the incremental checkpoint job (stores without a global order: DynamoDB) finds what it needs without
    reading the whole trail: the newest checkpoint, and each stream's newest sealed head (an index of the trail,
    each entry sealed with the same key)."""

    def newest(self) -> StoredCheckpoint | None:
        """The record with the highest sequence, or None."""
        ...

    def heads(self, stream_ids: Iterable[str]) -> dict[str, StoredHead]:
        """The index entries of these streams (those that have one)."""
        ...

    def put_head(self, stream_id: str, body: str, seal: str) -> None: ...


def seal(key: str, body: str) -> str:
    # surrogateescape: a stored body that is not UTF-8 text gets a seal (that does not match) rather than an error
    return hmac.new(key.encode(), body.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def new_checkpoint(
    previous: Checkpoint | None,
    key: str,
    taken_at: str,
    log: tuple[int, str] | None,
    streams: Mapping[str, tuple[int, str]],
) -> Checkpoint:
    sequence = previous.sequence + 1 if previous else 1
    previous_seal = previous.seal if previous else GENESIS_HASH
    unsealed = Checkpoint(sequence, taken_at, previous_seal, log, dict(streams), "")
    return replace(unsealed, seal=seal(key, body_of(unsealed)))


def body_of(checkpoint: Checkpoint) -> str:
    fields = {
        "sequence": checkpoint.sequence,
        "taken_at": checkpoint.taken_at,
        "previous": checkpoint.previous,
        "log": list(checkpoint.log) if checkpoint.log else None,
        "streams": {stream_id: list(head) for stream_id, head in checkpoint.streams.items()},
    }
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode()


def checkpoint_key(secret_store: SecretStore, create: bool = False) -> str | None:
    """The key that seals checkpoints (made on the first checkpoint)."""
    key = secret_store.get(KEY_SECRET)
    if key is None and create:  # two first checkpoints at once both seal with the key that was stored
        key = secret_store.put_if_absent(KEY_SECRET, secrets.token_hex(32))
    return key


def record_head(secret_store: SecretStore, checkpoint: Checkpoint) -> None:
    """Note the newest checkpoint beside the key: the checkpoints' own tail is then pinned too."""
    secret_store.put(HEAD_SECRET, f"{checkpoint.sequence}:{checkpoint.seal}")


def verified_checkpoints(
    checkpoint_log: CheckpointLog, secret_store: SecretStore
) -> tuple[list[Checkpoint], BadEvent | None]:
    """The stored checkpoints whose seals and links hold, and the first problem: a broken or forged record, or the
    newest one noted in the secrets store no longer being there."""
    trail, problem = read_checkpoints(checkpoint_log.records(), checkpoint_key(secret_store))
    if problem:
        return trail, problem
    head = secret_store.get(HEAD_SECRET)
    if head is not None and not (head == NO_CHECKPOINT_YET and not trail):
        number, _, head_seal = head.partition(":")
        sequence = int(number) if number.isdigit() else 0
        if len(trail) < sequence or trail[sequence - 1].seal != head_seal:
            reason = f"missing: the newest checkpoint written was number {sequence}, {len(trail)} are stored"
            return trail, BadEvent(CHECKPOINTS, sequence, "-", reason)
    return trail, None


def read_checkpoints(records: Sequence[StoredCheckpoint], key: str | None) -> tuple[list[Checkpoint], BadEvent | None]:
    """The checkpoints whose seals and links hold, and the first problem (after which none can be trusted)."""
    trail: list[Checkpoint] = []
    previous = GENESIS_HASH
    for index, record in enumerate(records, start=1):

        def bad(reason: str, number: int = index) -> BadEvent:
            return BadEvent(CHECKPOINTS, number, "-", reason)

        if key is None:
            return trail, bad("there are checkpoints but the checkpoint key is missing from the secrets store")
        if type(record.sequence) is not int or record.sequence != index:
            return trail, bad(f"missing (the next record stored is numbered {record.sequence!r})")
        body, stored_seal = record.body, record.seal
        if not isinstance(body, str) or not isinstance(stored_seal, str):
            return trail, bad("its body or seal is not text")
        if not hmac.compare_digest(seal(key, body).encode(), stored_seal.encode("utf-8", "surrogateescape")):
            return trail, bad("its seal does not match: it was changed or forged")
        fields = orjson.loads(body)  # sealed with the key, so written by `new_checkpoint`
        if fields["sequence"] != index or fields["previous"] != previous:
            return trail, bad("it is not linked to the checkpoint before it")
        log = fields["log"]
        streams = {stream_id: (head[0], head[1]) for stream_id, head in fields["streams"].items()}
        trail.append(
            Checkpoint(index, fields["taken_at"], previous, (log[0], log[1]) if log else None, streams, stored_seal)
        )
        previous = stored_seal
    return trail, None


def head_entry(key: str, stream_id: str, head: tuple[int, str], checkpoint: int) -> tuple[str, str]:
    """The sealed head index entry (body, seal) of a stream whose head checkpoint `checkpoint` recorded."""
    fields = {"head_of": stream_id, "version": head[0], "hash": head[1], "checkpoint": checkpoint}
    body = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode()
    return body, seal(key, body)


def read_head(stored: StoredHead, key: str) -> tuple[StreamAnchor | None, BadEvent | None]:
    """A stream's sealed head from its index entry, or what is wrong with the entry."""
    problem = BadEvent(stored.stream_id, 0, "-", "its sealed head in the audit index was changed or forged")
    if not isinstance(stored.body, str) or not isinstance(stored.seal, str):
        return None, problem
    if not hmac.compare_digest(seal(key, stored.body).encode(), stored.seal.encode("utf-8", "surrogateescape")):
        return None, problem
    fields = orjson.loads(stored.body)  # sealed with the key, so written by `head_entry`
    if fields.get("head_of") != stored.stream_id:
        return None, problem
    return StreamAnchor(fields["version"], fields["hash"], fields["checkpoint"]), None


def newest_verified(
    heads: SealedHeads, secret_store: SecretStore, key: str
) -> tuple[Checkpoint | None, BadEvent | None]:
    """The newest checkpoint, checked against its seal and against the one the secrets store names as the newest
    written (so the trail's tail was not removed): all the incremental job needs of the trail, whose older records
    earlier runs verified when they were the newest (`bops verify-audit` checks them all)."""
    stored = heads.newest()
    noted = secret_store.get(HEAD_SECRET)
    expected = None if noted in (None, NO_CHECKPOINT_YET) else noted
    if stored is None:
        if expected is None:
            return None, None
        return None, BadEvent(
            CHECKPOINTS, int(expected.partition(":")[0] or 0), "-", "missing: no checkpoint is stored"
        )
    number = stored.sequence if type(stored.sequence) is int else 0

    def bad(reason: str) -> tuple[None, BadEvent]:
        return None, BadEvent(CHECKPOINTS, number, "-", reason)

    if not isinstance(stored.body, str) or not isinstance(stored.seal, str):
        return bad("its body or seal is not text")
    if not hmac.compare_digest(seal(key, stored.body).encode(), stored.seal.encode("utf-8", "surrogateescape")):
        return bad("its seal does not match: it was changed or forged")
    if expected is not None and expected != f"{number}:{stored.seal}":
        return bad(f"missing: the newest checkpoint written was number {expected.partition(':')[0]}")
    fields = orjson.loads(stored.body)
    if fields["sequence"] != number:
        return bad("its number does not match its sealed body")
    log = fields["log"]
    streams = {stream_id: (head[0], head[1]) for stream_id, head in fields["streams"].items()}
    log_head = (log[0], log[1]) if log else None
    return Checkpoint(number, fields["taken_at"], fields["previous"], log_head, streams, stored.seal), None


def recorded_heads(trail: Sequence[Checkpoint]) -> dict[str, list[StreamAnchor]]:
    """Every head each stream had recorded, oldest first (the audit checks them all, not only the newest)."""
    recorded: dict[str, list[StreamAnchor]] = {}
    for checkpoint in trail:
        for stream_id, (version, hash_) in checkpoint.streams.items():
            recorded.setdefault(stream_id, []).append(StreamAnchor(version, hash_, checkpoint.sequence))
    return recorded


def anchors(trail: Sequence[Checkpoint]) -> tuple[dict[str, StreamAnchor], tuple[int, str] | None]:
    """Each stream's newest checkpointed head, and the newest checkpointed head of the log-wide chain."""
    streams: dict[str, StreamAnchor] = {}
    log = None
    for checkpoint in trail:
        for stream_id, (version, hash_) in checkpoint.streams.items():
            streams[stream_id] = StreamAnchor(version, hash_, checkpoint.sequence)
        if checkpoint.log is not None:
            log = checkpoint.log
    return streams, log
