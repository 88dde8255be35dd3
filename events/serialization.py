"""Canonical JSON for events: the bytes that are stored, hashed and published.

Reading and writing events is on every replay's and every append's path, so the helpers here avoid work that does not
change the result: payloads are validated by their model's compiled validator (what `model_validate` calls), actors
(immutable, a handful per council) are shared between events, identifiers are parsed once and re-used when the
correlation id is the event id, and UTC times skip the time zone conversion.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, SafeUUID

import orjson

from events.envelope import Actor, EventPayload, RecordedEvent
from events.registry import _current, _models, model_for, upcast

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant white space, UTF-8, UTC times ending in Z."""
    return orjson.dumps(value, option=_OPTIONS)


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a Z: what `moment.astimezone(UTC).isoformat(timespec="microseconds")`
    gives with its "+00:00" written "Z" (made faster: orjson writes the same text unless the microseconds are 0)."""
    global _last_formatted
    last = _last_formatted
    if last[0] is moment:  # an append formats its recorded-at time more than once
        return last[1]
    utc = moment
    if utc.tzinfo is not UTC:
        if utc.tzinfo is None:
            raise ValueError("event times must be timezone-aware")
        utc = utc.astimezone(UTC)
    if utc.microsecond:
        text = orjson.dumps(utc, option=orjson.OPT_UTC_Z)[1:-1].decode()
    else:  # orjson would leave out ".000000"
        text = "%04d-%02d-%02dT%02d:%02d:%02d.000000Z" % (  # noqa: UP031
            utc.year,
            utc.month,
            utc.day,
            utc.hour,
            utc.minute,
            utc.second,
        )
    _last_formatted = (moment, text)  # one tuple: threads see a matching pair or none
    return text


_last_formatted: tuple[datetime | None, str] = (None, "")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def payload_json(payload: EventPayload) -> Any:
    """The payload as JSON-compatible Python values: `payload.model_dump(mode="json")`, without its wrapper."""
    return payload.__pydantic_serializer__.to_python(payload, mode="json")


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
        event_id if event.correlation_id is event.event_id else str(event.correlation_id),
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

_new = object.__new__
_set_uuid_int = UUID.__dict__["int"].__set__
_set_uuid_safe = UUID.__dict__["is_safe"].__set__
_UNKNOWN = SafeUUID.unknown


def parse_uuid(text: str) -> UUID:
    """`UUID(text)`, faster for the usual hyphenated form (the same parsing: hyphens dropped, 32 hex digits)."""
    digits = text.replace("-", "")
    if len(digits) == 32:
        try:
            value = int(digits, 16)
        except ValueError:
            return UUID(text)  # its own error message
        uuid = _new(UUID)
        _set_uuid_int(uuid, value)
        _set_uuid_safe(uuid, _UNKNOWN)
        return uuid
    return UUID(text)


_MAX_ACTORS = 4096
_actors: dict[tuple[str, str, str], Actor] = {}


def _actor(data: dict[str, Any]) -> Actor:
    """Actors are immutable and few: one instance per distinct actor (bounded), built without validation as before."""
    key = (data["kind"], data["id"], data.get("display_name", ""))
    actor = _actors.get(key)
    if actor is None:
        actor = Actor.model_construct(kind=key[0], id=key[1], display_name=key[2])
        if len(_actors) >= _MAX_ACTORS:
            _actors.clear()
        _actors[key] = actor
    return actor


_FIELDS = (
    "event_id",
    "stream_id",
    "version",
    "council",
    "event_type",
    "schema_version",
    "occurred_at",
    "recorded_at",
    "actor",
    "correlation_id",
    "causation_id",
    "payload",
    "hash",
    "position",
)


def _slot_setters() -> list[Any] | None:
    """The slot descriptors' setters while RecordedEvent is exactly the slotted dataclass `_fill_slots` expects."""
    if (
        tuple(field.name for field in dataclasses.fields(RecordedEvent)) == _FIELDS
        and getattr(RecordedEvent, "__slots__", None) == _FIELDS
        and not hasattr(RecordedEvent, "__post_init__")
    ):
        return [RecordedEvent.__dict__[name].__set__ for name in _FIELDS]
    return None


_setters = _slot_setters()


def _fill_slots(
    event_id: UUID,
    stream_id: str,
    version: int,
    council: str,
    event_type: str,
    schema_version: int,
    occurred_at: datetime,
    recorded_at: datetime,
    actor: Actor,
    correlation_id: UUID,
    causation_id: UUID | None,
    payload: EventPayload,
    hash_: str,
    position: int | None,
) -> RecordedEvent:
    """`RecordedEvent(...)` for its slotted, frozen dataclass: its __init__ only stores the fields, one
    object.__setattr__ each; storing them through the slot descriptors does the same at half the cost."""
    event = _new(RecordedEvent)
    (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13) = _setters  # type: ignore[misc]
    s0(event, event_id)
    s1(event, stream_id)
    s2(event, version)
    s3(event, council)
    s4(event, event_type)
    s5(event, schema_version)
    s6(event, occurred_at)
    s7(event, recorded_at)
    s8(event, actor)
    s9(event, correlation_id)
    s10(event, causation_id)
    s11(event, payload)
    s12(event, hash_)
    s13(event, position)
    return event


# RecordedEvent(*fields), positionally: the reading and recording paths make one per event
make_recorded_event = _fill_slots if _setters is not None else RecordedEvent


def from_dict(data: dict[str, Any], *, hash: str = "", position: int | None = None) -> RecordedEvent:
    """Read an envelope dict (from the log or the bus), upcasting its payload to the current version."""
    return _from_dict(data, hash, position)


def _from_dict(data: dict[str, Any], hash_: str, position: int | None) -> RecordedEvent:
    event_type = data["event_type"]
    version = data["schema_version"]
    payload = data["payload"]
    if _current.get(event_type) == version:  # at its current version (else load its module, upcast or raise)
        model = _models[(event_type, version)]
    else:
        version, payload = upcast(event_type, version, payload)
        model = model_for(event_type, version)
    event_id_text = data["event_id"]
    event_id = parse_uuid(event_id_text)
    correlation_text = data["correlation_id"]
    causation = data.get("causation_id")
    return make_recorded_event(
        event_id,
        data["stream_id"],
        data["version"],
        data["council"],
        event_type,
        version,
        datetime.fromisoformat(data["occurred_at"]),
        datetime.fromisoformat(data["recorded_at"]),
        _actor(data["actor"]),
        event_id if correlation_text == event_id_text else parse_uuid(correlation_text),
        parse_uuid(causation) if causation else None,
        model.__pydantic_validator__.validate_python(payload),  # what model_validate(payload) does, minus its wrapper
        hash_,
        position,
    )


def deserialize(data: bytes | str, *, hash: str = "", position: int | None = None) -> RecordedEvent:
    return _from_dict(orjson.loads(data), hash, position)


def deserialize_rows(rows: Sequence[tuple[bytes | str, str, int | None]]) -> list[RecordedEvent]:
    """`deserialize(data, hash=hash, position=position)` for each (data, hash, position) row: a page of the log.

    A page makes about ten garbage-collected objects per event (dicts, models, ids), none of them in reference cycles,
    and they all outlive the youngest generation: the cyclic collector would pass over them again and again while the
    page is built (a quarter of the replay's time). So a page of any size is built with it paused, as it was found:
    re-enabled afterwards if and only if it was enabled before (threads interleaving pages still leave it enabled).
    """
    loads = orjson.loads
    if len(rows) < _PAUSE_GC_FROM or not gc.isenabled():
        return [_from_dict(loads(data), hash_, position) for data, hash_, position in rows]
    gc.disable()
    try:
        return [_from_dict(loads(data), hash_, position) for data, hash_, position in rows]
    finally:
        gc.enable()


_PAUSE_GC_FROM = 100  # rows
