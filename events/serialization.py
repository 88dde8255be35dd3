"""Canonical JSON for events: the bytes that are stored, hashed and published, and reading them back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from events.envelope import Actor, EventPayload, RecordedEvent
from events.registry import current_model, model_for, upcast

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant white space, UTF-8, UTC times ending in Z."""
    return orjson.dumps(value, option=_OPTIONS)


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a Z."""
    if moment.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def payload_json(payload: EventPayload) -> Any:
    """The payload as JSON-compatible Python values."""
    return payload.model_dump(mode="json")


def envelope_dict(event: RecordedEvent) -> dict[str, Any]:
    event_id = str(event.event_id)
    return envelope_fields(
        event_id,
        event.stream_id,
        event.version,
        event.council,
        event.event_type,
        event.schema_version,
        format_time(event.occurred_at),
        format_time(event.recorded_at),
        event.actor,
        str(event.correlation_id),
        str(event.causation_id) if event.causation_id else None,
        payload_json(event.payload),
    )


def envelope_fields(
    event_id: str | UUID,
    stream_id: str,
    version: int,
    council: str,
    event_type: str,
    schema_version: int,
    occurred_at: str,
    recorded_at: str,
    actor: Actor,
    correlation_id: str | UUID,
    causation_id: str | UUID | None,
    payload: Any,
) -> dict[str, Any]:
    """The envelope dict from its parts in JSON form (`record` builds the bytes before the event, and passes ids as
    UUIDs, which `canonical_json` writes as their str)."""
    return {
        "event_id": event_id,
        "stream_id": stream_id,
        "version": version,
        "council": council,
        "event_type": event_type,
        "schema_version": schema_version,
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
        "actor": {"kind": actor.kind, "id": actor.id, "display_name": actor.display_name},
        "correlation_id": correlation_id,
        "causation_id": causation_id,
        "payload": payload,
    }


def serialize(event: RecordedEvent) -> bytes:
    """The canonical bytes of an event: what the log stores and what its hash covers."""
    return canonical_json(envelope_dict(event))


# Reading -------------------------------------------------------------------------------------------------------------


def from_dict(data: dict[str, Any], *, hash: str = "", position: int | None = None) -> RecordedEvent:
    """Read an envelope dict (from the log or the bus), upcasting its payload to the current version."""
    event_type = data["event_type"]
    version = data["schema_version"]
    payload = data["payload"]
    model = current_model(event_type, version)
    if model is None:  # an older version (upcast it), or a type whose module is not loaded yet
        version, payload = upcast(event_type, version, payload)
        model = model_for(event_type, version)
    actor = data["actor"]
    causation = data.get("causation_id")
    return RecordedEvent(
        event_id=UUID(data["event_id"]),
        stream_id=data["stream_id"],
        version=data["version"],
        council=data["council"],
        event_type=event_type,
        schema_version=version,
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        actor=Actor(kind=actor["kind"], id=actor["id"], display_name=actor.get("display_name", "")),
        correlation_id=UUID(data["correlation_id"]),
        causation_id=UUID(causation) if causation else None,
        payload=model.model_validate(payload),
        hash=hash,
        position=position,
    )


def deserialize(data: bytes | str, *, hash: str = "", position: int | None = None) -> RecordedEvent:
    return from_dict(orjson.loads(data), hash=hash, position=position)


def deserialize_rows(rows: Sequence[tuple[bytes | str, str, int | None]]) -> list[RecordedEvent]:
    """`deserialize(data, hash=hash, position=position)` for each (data, hash, position) row: a page of the log."""
    return [deserialize(data, hash=hash_, position=position) for data, hash_, position in rows]


# RecordedEvent(*fields), positionally: the recording path makes one per event
make_recorded_event = RecordedEvent
