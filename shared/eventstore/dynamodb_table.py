"""The DynamoDB event table as plain data: the adapter, its tests and the CDK stack all build the same table from this.

One item per event. Key: `stream_id` (partition, S) and `version` (sort, N). Version-1 items also carry
`stream_start` and `stream_key`, which makes them (and only them) appear in the sparse `streams` index: the list of
every stream id, for replays and audits that go stream by stream. The table's DynamoDB Stream (NEW_IMAGE) is the
outbox that an EventBridge Pipe forwards to the bus.
"""

from __future__ import annotations

from typing import Any, Final

# Attribute names (the CDK stack and any stream/pipe filter must use the same ones).
STREAM_ID = "stream_id"
VERSION = "version"
EVENT_TYPE = "event_type"
RECORDED_AT = "recorded_at"
DATA: Final = "data"
PREV_HASH = "prev_hash"
HASH: Final = "hash"
COUNCIL = "council"
STREAM_START = "stream_start"
STREAM_KEY = "stream_key"

# The sparse index of stream ids: every first event puts its stream id under one constant partition.
STREAMS_INDEX = "streams"
STREAMS_PARTITION = "streams"

BILLING_MODE = "PAY_PER_REQUEST"
STREAM_VIEW_TYPE = "NEW_IMAGE"


def event_table_spec(table_name: str) -> dict[str, Any]:
    """Keyword arguments for `client.create_table` (a fresh dict each call, safe to change)."""
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": STREAM_ID, "KeyType": "HASH"},
            {"AttributeName": VERSION, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": STREAM_ID, "AttributeType": "S"},
            {"AttributeName": VERSION, "AttributeType": "N"},
            {"AttributeName": STREAM_START, "AttributeType": "S"},
            {"AttributeName": STREAM_KEY, "AttributeType": "S"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": STREAMS_INDEX,
                "KeySchema": [
                    {"AttributeName": STREAM_START, "KeyType": "HASH"},
                    {"AttributeName": STREAM_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        "BillingMode": BILLING_MODE,
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE},
    }


def create_event_table(client: Any, table_name: str) -> None:
    """Create the event table with a boto3 DynamoDB client and wait until it is active (tests, local tooling)."""
    client.create_table(**event_table_spec(table_name))
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
