"""Turning new events into recorded ones: shared by every event store adapter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import uuid4

from events import NewEvent, RecordedEvent
from events.serialization import canonical_json, envelope_fields, format_time, make_recorded_event, payload_json
from shared.eventstore.port import MAX_EVENT_BYTES, EventTooLarge, chain_hash, event_size


def record(
    new_events: Sequence[NewEvent], stream_id: str, expected_version: int, recorded_at: datetime, previous_hash: str
) -> list[tuple[RecordedEvent, bytes]]:
    """Number, time-stamp, serialise and chain-hash a batch of new events for one stream."""
    if not new_events:
        raise ValueError("nothing to append")
    recorded: list[tuple[RecordedEvent, bytes]] = []
    recorded_at_text = format_time(recorded_at)
    version = expected_version
    for new in new_events:
        payload = new.payload
        event_type = payload.event_type
        if not event_type:
            raise TypeError(f"{type(payload).__name__} is not a registered event type")
        version += 1
        event_id = new.event_id
        correlation_id = new.correlation_id or event_id or uuid4()
        causation_id = new.causation_id
        # the same bytes as serialize(event), built from the parts so the event is made once, with its hash
        # (orjson writes a UUID as str(uuid) does)
        data = canonical_json(
            envelope_fields(
                event_id,
                stream_id,
                version,
                new.council,
                event_type,
                payload.schema_version,
                format_time(new.occurred_at),
                recorded_at_text,
                new.actor,
                correlation_id,
                causation_id or None,
                payload_json(payload),
            )
        )
        size = event_size(data)
        if size > MAX_EVENT_BYTES:
            raise EventTooLarge(
                f"{event_type} v{version} of {stream_id} is {size} bytes as published; the limit is {MAX_EVENT_BYTES}"
            )
        previous_hash = chain_hash(previous_hash, data)
        event = make_recorded_event(
            event_id,
            stream_id,
            version,
            new.council,
            event_type,
            payload.schema_version,
            new.occurred_at,
            recorded_at,
            new.actor,
            correlation_id,
            causation_id,
            payload,
            previous_hash,
            None,
        )
        recorded.append((event, data))
    return recorded
