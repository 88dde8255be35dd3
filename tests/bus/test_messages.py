"""Subscribers read the recorded event out of a bus message, and refuse a malformed message with a clear error."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from events import Actor, NewEvent
from events.council import ApiKeyCreated
from shared.bus import bus_message, parse_bus_message, subscriber
from shared.eventstore.sqlite import SqliteEventStore

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def message(tmp_path) -> dict[str, Any]:
    log = SqliteEventStore(tmp_path / "events.sqlite")
    payload = ApiKeyCreated(key_id="k1", name="PlanX", scopes=("planning_application:write",), key_hash="h", prefix="p")
    log.append("council:DEMO", 0, [NewEvent(payload, "DEMO", Actor.system(), T0)])
    [stored] = log.read_all_stored()
    return bus_message(stored, stored.position, "eu-west-2")


def test_a_message_gives_back_the_recorded_event_with_its_hash(message):
    event = parse_bus_message(message)
    assert event.stream_id == "council:DEMO" and event.version == 1
    assert isinstance(event.payload, ApiKeyCreated) and event.payload.key_id == "k1"
    assert event.hash == message["detail"]["dynamodb"]["NewImage"]["hash"]["S"]
    assert str(event.event_id) == message["id"]


def test_the_pipes_extra_fields_are_ignored(message):
    message["replay-name"] = "replay"
    message["detail"]["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    message["detail"]["dynamodb"]["ApproximateCreationDateTime"] = 1767603600
    assert parse_bus_message(message).version == 1


def changed(message: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy with the value at a dotted path replaced (`...` deletes it)."""
    message = copy.deepcopy(message)
    *parents, last = path.split(".")
    node = message
    for part in parents:
        node = node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return message


@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        ("detail", ..., "detail\n  Field required"),
        ("detail", "{}", "detail\n  Input should be a valid dictionary"),
        ("time", "yesterday", "time\n  Input should be a valid datetime"),
        ("detail-type", ..., "detail-type\n  Field required"),
        ("resources", "arn", "resources\n  Input should be a valid list"),
        ("detail.eventSource", "aws:kinesis", "detail.eventSource\n  Input should be 'aws:dynamodb'"),
        ("detail.eventName", "UPSERT", "detail.eventName\n  Input should be 'INSERT', 'MODIFY' or 'REMOVE'"),
        ("detail.dynamodb.NewImage", ..., "detail.dynamodb.NewImage\n  Field required"),
        ("detail.dynamodb.NewImage.data", ..., "detail.dynamodb.NewImage.data\n  Field required"),
        ("detail.dynamodb.NewImage.data", {"B": "e30="}, "detail.dynamodb.NewImage.data.S\n  Field required"),
        ("detail.dynamodb.NewImage.hash", {"S": 7}, "NewImage.hash.S\n  Input should be a valid string"),
        ("detail.dynamodb.StreamViewType", "ALL", "detail.dynamodb.StreamViewType\n  Input should be"),
        ("detail.dynamodb.SizeBytes", "big", "detail.dynamodb.SizeBytes\n  Input should be a valid integer"),
    ],
)
def test_a_malformed_message_is_refused_saying_where(message, path, value, error):
    with pytest.raises(ValidationError, match="BusMessage") as raised:
        parse_bus_message(changed(message, path, value))
    assert error in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_a_message_whose_stored_event_is_not_json_is_refused(message):
    with pytest.raises(ValueError):
        parse_bus_message(changed(message, "detail.dynamodb.NewImage.data", {"S": "not json"}))


def test_a_subscriber_handles_the_event_and_says_which(message):
    seen = []
    handler = subscriber(seen.append)
    assert handler(message, None) == {"status": "handled", "event_id": message["id"]}
    assert [e.payload.key_id for e in seen] == ["k1"]
    with pytest.raises(ValidationError):
        handler({"detail": {}}, None)
    assert len(seen) == 1
