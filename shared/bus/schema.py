"""The bus message as subscribers validate it: an EventBridge event whose detail is a DynamoDB stream record.

The same checks as Powertools' `EventBridgeModel` and `DynamoDBStreamRecordModel` for the fields both have, plus the
stored event's attributes; unknown fields are ignored, as there. Not Powertools' models themselves: importing any of
Powertools imports its logger, metrics and tracer, which made a subscriber's first message ~40 ms slower to parse
(~170 ms without bytecode) than this one model (~5 ms to define; its parts are TypedDicts, cheaper than models).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12


class StringValue(TypedDict):
    """A DynamoDB string attribute value."""

    S: str


class StoredEventImage(TypedDict):
    """What a subscriber reads of the stored event item (NEW_IMAGE): its canonical bytes and its hash.

    The keys are the item's attributes `table.DATA` and `table.HASH`, spelled out for the type checker (a test checks
    they agree).
    """

    data: StringValue
    hash: StringValue


class StreamChange(TypedDict):
    Keys: dict[str, dict[str, Any]]
    NewImage: StoredEventImage
    SequenceNumber: str
    SizeBytes: int
    StreamViewType: Literal["NEW_AND_OLD_IMAGES", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"]


class StreamRecord(TypedDict):
    eventID: str
    eventName: Literal["INSERT", "MODIFY", "REMOVE"]
    eventVersion: str
    eventSource: Literal["aws:dynamodb"]
    awsRegion: str
    eventSourceARN: str
    dynamodb: StreamChange


class BusMessage(BaseModel):
    version: str
    id: str
    detail_type: str = Field(alias="detail-type")
    source: str
    account: str
    time: datetime
    region: str
    resources: list[str]
    detail: StreamRecord
