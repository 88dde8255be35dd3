"""Factories for council tests: recorded events without a store, a fast password hasher."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import uuid4

from argon2 import PasswordHasher

from events import Actor, EventPayload, RecordedEvent
from events.council import CouncilCreated
from services.councils.state import CouncilState, fold

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HASH_A = "a" * 64
HASH_B = "b" * 64


def fast_hasher() -> PasswordHasher:
    """Cheap argon2 parameters: the tests check behaviour, not cost."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def recorded(payloads: Iterable[EventPayload], first_version: int = 1, at: datetime = T0) -> list[RecordedEvent]:
    return [
        RecordedEvent(
            event_id=uuid4(),
            stream_id="council:DEMO",
            version=first_version + index,
            council="DEMO",
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            occurred_at=at,
            recorded_at=at,
            actor=Actor.system(),
            correlation_id=uuid4(),
            causation_id=None,
            payload=payload,
        )
        for index, payload in enumerate(payloads)
    ]


def then(state: CouncilState, payloads: Iterable[EventPayload], at: datetime = T0) -> CouncilState:
    """The state after appending `payloads` to `state`'s stream."""
    return fold(recorded(payloads, state.version + 1, at), state)


def demo_council() -> CouncilState:
    return then(CouncilState(), [CouncilCreated(code="DEMO", name="Demo Council", slug="demo")])
