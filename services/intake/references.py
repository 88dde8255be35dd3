"""The council's reference sequence (pure): which submission has which reference, and the next reference.

References are `YY-NNNNN-SUFFIX`: the two-digit year received, a per-council sequence that keeps counting across
years, and the suffix of the application type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from events import RecordedEvent
from events.application import PlanningApplicationReferenceAssigned

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Assigned:
    reference: str
    body_sha256: str


@dataclass(frozen=True)
class IntakeState:
    version: int = 0
    last_sequence: int = 0
    submissions: dict[str, Assigned] = field(default_factory=dict)

    def apply(self, event: RecordedEvent) -> IntakeState:
        return fold([event], self)


def fold(events: Iterable[RecordedEvent], state: IntakeState | None = None) -> IntakeState:
    """The state after `events`, in linear time: the submissions map is copied once per fold, not once per event
    (a council's intake stream holds one event per application ever received)."""
    state = state or IntakeState()
    version, last_sequence = state.version, state.last_sequence
    submissions: dict[str, Assigned] | None = None
    for event in events:
        version = event.version
        payload = event.payload
        if isinstance(payload, PlanningApplicationReferenceAssigned):
            if submissions is None:
                submissions = dict(state.submissions)
            submissions[payload.submission_id] = Assigned(payload.reference, payload.body_sha256)
            last_sequence = payload.sequence
    if submissions is None and version == state.version:
        return state
    return replace(
        state,
        version=version,
        last_sequence=last_sequence,
        submissions=state.submissions if submissions is None else submissions,
    )


def format_reference(received_at: datetime, sequence: int, suffix: str) -> str:
    return f"{received_at.astimezone(LONDON):%y}-{sequence:05d}-{suffix}"


def assign_reference(
    state: IntakeState, submission_id: str, body_sha256: str, application_type: str, suffix: str, received_at: datetime
) -> PlanningApplicationReferenceAssigned:
    """The next reference for a submission the council has not seen before."""
    if submission_id in state.submissions:
        raise ValueError(f"submission {submission_id} already has reference {state.submissions[submission_id]}")
    sequence = state.last_sequence + 1
    return PlanningApplicationReferenceAssigned(
        submission_id=submission_id,
        reference=format_reference(received_at, sequence, suffix),
        sequence=sequence,
        application_type=application_type,
        body_sha256=body_sha256,
    )
