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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

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
    if key is None and create:
        secret_store.put(KEY_SECRET, secrets.token_hex(32))
        key = secret_store.get(KEY_SECRET)
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
