"""The event log: a port, its adapters (SQLite embedded, DynamoDB on AWS) and helpers shared by both."""

from shared.eventstore.port import (
    BadEvent,
    ConcurrencyError,
    EventFeed,
    EventStore,
    EventTooLarge,
    StreamAppend,
    StreamVerification,
    merged,
    read_merged,
)

__all__ = [
    "BadEvent",
    "ConcurrencyError",
    "EventFeed",
    "EventStore",
    "EventTooLarge",
    "StreamAppend",
    "StreamVerification",
    "merged",
    "read_merged",
]
