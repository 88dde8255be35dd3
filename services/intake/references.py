"""The council's reference sequence (pure): the next reference after the newest one assigned.

References are `YY-NNNNN-SUFFIX`: the two-digit year received, a per-council sequence that keeps counting across
years, and the suffix of the application type. The council's intake stream holds one
PlanningApplicationReferenceAssigned per reference and nothing else, so the next number needs only its newest event,
however many applications the council has received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from events import RecordedEvent
from events.application import PlanningApplicationReferenceAssigned

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class IntakePosition:
    """Where the council's intake stream stands: its version and the last sequence number assigned."""

    version: int = 0
    last_sequence: int = 0


def position_after(newest: RecordedEvent | None) -> IntakePosition:
    """The intake stream's position, from its newest event (None for a council that has received nothing)."""
    if newest is None:
        return IntakePosition()
    payload = newest.payload
    if not isinstance(payload, PlanningApplicationReferenceAssigned):
        raise ValueError(f"{newest.stream_id} v{newest.version} is a {newest.event_type}, not a reference assignment")
    return IntakePosition(newest.version, payload.sequence)


def format_reference(received_at: datetime, sequence: int, suffix: str) -> str:
    return f"{received_at.astimezone(LONDON):%y}-{sequence:05d}-{suffix}"


def assign_reference(
    position: IntakePosition,
    submission_id: str,
    body_sha256: str,
    application_type: str,
    suffix: str,
    received_at: datetime,
) -> PlanningApplicationReferenceAssigned:
    """The next reference, for a submission the council has not seen before."""
    sequence = position.last_sequence + 1
    return PlanningApplicationReferenceAssigned(
        submission_id=submission_id,
        reference=format_reference(received_at, sequence, suffix),
        sequence=sequence,
        application_type=application_type,
        body_sha256=body_sha256,
    )
