"""The one envelope every event travels in, and the payload base class."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict

ActorKind = Literal["officer", "applicant", "api_client", "system"]


class EventPayload(BaseModel):
    """Base of every event payload: immutable, strict about unknown fields, versioned by class attributes.

    Validators are built on first use (`defer_build`): a handler loads every event class of a module but meets few of
    them, and building one costs about a millisecond of its cold start.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    event_type: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1


class Actor(BaseModel):
    """Who caused an event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ActorKind
    id: str
    display_name: str = ""

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(kind="system", id=name, display_name=name)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be appended: the store gives it its stream, version and recorded-at time."""

    payload: EventPayload
    council: str
    actor: Actor
    occurred_at: datetime
    event_id: UUID = field(default_factory=uuid4)
    correlation_id: UUID | None = None
    causation_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored in the log: immutable, with its place in its stream and its hash chain link."""

    event_id: UUID
    stream_id: str
    version: int
    council: str
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    correlation_id: UUID
    causation_id: UUID | None
    payload: EventPayload
    hash: str = ""
    position: int | None = None

    def caused(self, payload: EventPayload, actor: Actor, occurred_at: datetime) -> NewEvent:
        """A follow-up event caused by this one (same correlation, causation = this event)."""
        return NewEvent(
            payload=payload,
            council=self.council,
            actor=actor,
            occurred_at=occurred_at,
            correlation_id=self.correlation_id,
            causation_id=self.event_id,
        )

    def as_dict(self) -> dict[str, Any]:
        from events.serialization import envelope_dict

        return envelope_dict(self)
