"""Which streams an audit checks: one application's (by reference or CODE-reference), or the whole log."""

from __future__ import annotations

from events.streams import parse_application_stream
from shared.eventstore import EventStore


def streams_to_verify(store: EventStore, reference: str | None) -> list[str]:
    if not reference:
        return list(store.stream_ids())
    found = []
    for stream_id in store.stream_ids("application:"):
        parsed = parse_application_stream(stream_id)
        if parsed and reference in (parsed[1], f"{parsed[0]}-{parsed[1]}"):
            found.append(stream_id)
    return found
