"""Canonical JSON for events: the bytes that are stored, hashed and published."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from events.envelope import Actor, RecordedEvent
from events.registry import model_for, upcast

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant white space, UTF-8, UTC times ending in Z."""
    return orjson.dumps(value, option=_OPTIONS)


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def envelope_dict(event: RecordedEvent) -> dict[str, Any]:
    return {
        "event_id": str(event.event_id),
        "stream_id": event.stream_id,
        "version": event.version,
        "council": event.council,
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "occurred_at": format_time(event.occurred_at),
        "recorded_at": format_time(event.recorded_at),
        "actor": {"kind": event.actor.kind, "id": event.actor.id, "display_name": event.actor.display_name},
        "correlation_id": str(event.correlation_id),
        "causation_id": str(event.causation_id) if event.causation_id else None,
        "payload": event.payload.model_dump(mode="json"),
    }


def serialize(event: RecordedEvent) -> bytes:
    """The canonical bytes of an event: what the log stores and what its hash covers."""
    return canonical_json(envelope_dict(event))


def from_dict(data: dict[str, Any], *, hash: str = "", position: int | None = None) -> RecordedEvent:
    """Read an envelope dict (from the log or the bus), upcasting its payload to the current version."""
    event_type = data["event_type"]
    version, payload = upcast(event_type, data["schema_version"], data["payload"])
    causation = data.get("causation_id")
    actor = data["actor"]
    return RecordedEvent(
        event_id=UUID(data["event_id"]),
        stream_id=data["stream_id"],
        version=data["version"],
        council=data["council"],
        event_type=event_type,
        schema_version=version,
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        actor=Actor.model_construct(kind=actor["kind"], id=actor["id"], display_name=actor.get("display_name", "")),
        correlation_id=UUID(data["correlation_id"]),
        causation_id=UUID(causation) if causation else None,
        payload=model_for(event_type, version).model_validate(payload),
        hash=hash,
        position=position,
    )


def deserialize(data: bytes | str, *, hash: str = "", position: int | None = None) -> RecordedEvent:
    return from_dict(orjson.loads(data), hash=hash, position=position)
