"""Event contracts: the envelope, the registry of payload models and their canonical serialisation.

Importing this package registers every event type of the product.
"""

from events import application as application
from events import council as council
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
