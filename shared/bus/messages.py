"""How an event travels on the bus, written once for both runtimes.

On AWS the table's stream feeds an EventBridge Pipe whose target is the custom bus: each bus event's `detail` is the
DynamoDB stream record (its NewImage is the stored item) and its `detail-type` is the event type. The embedded relay
builds exactly that shape from the SQLite log, so subscriber handlers parse the same message on both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol

import orjson

from events import RecordedEvent, deserialize
from shared.eventstore import dynamodb_table as table

BUS_SOURCE = "bops.events"


class StoredItem(Protocol):
    """What an event store keeps for one event: the canonical bytes and the hash chain link (read-only)."""

    @property
    def stream_id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def event_type(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


def stream_image(stored: StoredItem, envelope: dict[str, Any]) -> dict[str, Any]:
    """The stored item as a DynamoDB NEW_IMAGE (attribute-value format), as the table's stream carries it."""
    image = {
        table.STREAM_ID: {"S": stored.stream_id},
        table.VERSION: {"N": str(stored.version)},
        table.EVENT_TYPE: {"S": stored.event_type},
        table.COUNCIL: {"S": envelope["council"]},
        table.RECORDED_AT: {"S": envelope["recorded_at"]},
        table.DATA: {"S": stored.data.decode("utf-8")},
        table.PREV_HASH: {"S": stored.prev_hash},
        table.HASH: {"S": stored.hash},
    }
    if stored.version == 1:  # a stream's first item also carries the sparse index's attributes
        image[table.STREAM_START] = {"S": table.STREAMS_PARTITION}
        image[table.STREAM_KEY] = {"S": stored.stream_id}
    return image


def bus_message(stored: StoredItem, sequence: int, region: str = "local") -> dict[str, Any]:
    """The EventBridge event a rule target receives for one stored event (as the Pipe forwards it)."""
    envelope = orjson.loads(stored.data)
    image = stream_image(stored, envelope)
    return {
        "version": "0",
        "id": envelope["event_id"],
        "detail-type": stored.event_type,
        "source": BUS_SOURCE,
        "account": "000000000000",
        "time": envelope["recorded_at"],
        "region": region,
        "resources": [],
        "detail": {
            "eventID": f"{sequence:032x}",
            "eventName": "INSERT",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": region,
            "eventSourceARN": f"arn:aws:dynamodb:{region}:000000000000:table/events/stream/local",
            "dynamodb": {
                "Keys": {table.STREAM_ID: image[table.STREAM_ID], table.VERSION: image[table.VERSION]},
                "NewImage": image,
                "SequenceNumber": str(sequence),
                "SizeBytes": len(stored.data),
                "StreamViewType": "NEW_IMAGE",
            },
        },
    }


def parse_bus_message(message: dict[str, Any]) -> RecordedEvent:
    """Read the recorded event out of a bus message; a pydantic ValidationError (a ValueError) says what is wrong."""
    from shared.bus.schema import BusMessage

    image = BusMessage.model_validate(message).detail["dynamodb"]["NewImage"]
    return deserialize(image[table.DATA]["S"], hash=image[table.HASH]["S"])


EventHandler = Callable[[RecordedEvent], None]


def subscriber(handle: EventHandler) -> Callable[[dict[str, Any], Any], dict[str, str]]:
    """Turn `handle(event)` into a Lambda handler for bus messages (`shared.observability`: logs with the Lambda
    context, metrics); errors propagate so the bus retries."""
    from shared.observability import append_keys, count, observed

    @wraps(handle)
    def lambda_handler(message: dict[str, Any], context: Any = None) -> dict[str, str]:
        event = parse_bus_message(message)
        append_keys(event_id=str(event.event_id), event_type=event.event_type, stream_id=event.stream_id)
        handle(event)
        count("EventsHandled")
        return {"status": "handled", "event_id": str(event.event_id)}

    return observed(lambda_handler)
