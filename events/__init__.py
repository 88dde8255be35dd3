"""Event contracts: the envelope, the registry of payload models and their canonical serialisation.

The event modules (`events.council`, `events.application`) are imported when one of their types is first needed
(reading, upcasting, `model_for`, `registered_types`), or by whoever imports them: a cold start defines only the
payload models it reads or writes.
"""

from events.envelope import Actor, ActorKind, EventPayload, NewEvent, RecordedEvent
from events.registry import UnknownEventType, current_version, event, model_for, registered_types, upcaster
from events.serialization import canonical_json, deserialize, from_dict, serialize

__all__ = [
    "Actor",
    "ActorKind",
    "EventPayload",
    "NewEvent",
    "RecordedEvent",
    "UnknownEventType",
    "canonical_json",
    "current_version",
    "deserialize",
    "event",
    "from_dict",
    "model_for",
    "registered_types",
    "serialize",
    "upcaster",
]
