"""The council's reference sequence: the next reference follows the newest one assigned."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events import RecordedEvent
from events.application import PlanningApplicationReferenceAssigned, SubmissionClaimed
from services.intake.references import IntakePosition, assign_reference, position_after
from tests.intake.support import recorded_events

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def assigned(version: int, sequence: int) -> RecordedEvent:
    payload = PlanningApplicationReferenceAssigned(
        submission_id=f"s{sequence}",
        reference=f"26-{sequence:05d}-HAPP",
        sequence=sequence,
        application_type="pp.full.householder",
        body_sha256="0" * 64,
    )
    [event] = recorded_events([payload], "council:DEMO:intake", T0, first_version=version)
    return event


def test_an_empty_intake_stream_starts_at_one():
    assert position_after(None) == IntakePosition(0, 0)
    nxt = assign_reference(position_after(None), "a", "1" * 64, "ldc.existing", "LDCE", T0)
    assert (nxt.sequence, nxt.reference, nxt.submission_id) == (1, "26-00001-LDCE", "a")


def test_the_next_reference_follows_the_newest_one_however_long_the_stream():
    position = position_after(assigned(20_000, 20_000))
    assert position == IntakePosition(20_000, 20_000)
    nxt = assign_reference(position, "new", "1" * 64, "pp.full.householder", "HAPP", T0)
    assert (nxt.sequence, nxt.reference) == (20_001, "26-20001-HAPP")


def test_the_sequence_keeps_counting_across_years():
    december = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert assign_reference(IntakePosition(7, 7), "x", "1" * 64, "ldc", "LDC", december).reference == "26-00008-LDC"
    january = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    assert assign_reference(IntakePosition(8, 8), "y", "1" * 64, "ldc", "LDC", january).reference == "27-00009-LDC"


def test_an_intake_stream_holding_anything_else_is_a_defect_named_at_once():
    claim = SubmissionClaimed(submission_id="s", reference="26-00001-HAPP", body_sha256="0" * 64)
    [event] = recorded_events([claim], "council:DEMO:intake", T0, first_version=1)
    with pytest.raises(ValueError, match="not a reference assignment"):
        position_after(event)
