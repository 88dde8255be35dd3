"""The council's reference sequence, folded from its intake stream."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from events import Actor, RecordedEvent
from events.application import PlanningApplicationReferenceAssigned
from services.intake.references import IntakeState, assign_reference, fold

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def assigned(version: int, sequence: int) -> RecordedEvent:
    payload = PlanningApplicationReferenceAssigned(
        submission_id=f"s{sequence}",
        reference=f"26-{sequence:05d}-HAPP",
        sequence=sequence,
        application_type="pp.full.householder",
        body_sha256="0" * 64,
    )
    return RecordedEvent(
        event_id=uuid4(),
        stream_id="council:DEMO:intake",
        version=version,
        council="DEMO",
        event_type=payload.event_type,
        schema_version=1,
        occurred_at=T0,
        recorded_at=T0,
        actor=Actor.system(),
        correlation_id=uuid4(),
        causation_id=None,
        payload=payload,
    )


def test_a_fold_continues_from_a_state_without_changing_it():
    first = fold([assigned(1, 1), assigned(2, 2)])
    later = fold([assigned(3, 3)], first)
    assert (first.version, first.last_sequence, sorted(first.submissions)) == (2, 2, ["s1", "s2"])
    assert (later.version, later.last_sequence, sorted(later.submissions)) == (3, 3, ["s1", "s2", "s3"])
    assert fold([], later) is later
    assert later.apply(assigned(4, 4)).submissions["s4"].reference == "26-00004-HAPP"
    assert "s4" not in later.submissions


def test_a_long_stream_folds_to_its_last_sequence():
    state = fold(assigned(n, n) for n in range(1, 20_001))
    assert (state.version, state.last_sequence, len(state.submissions)) == (20_000, 20_000, 20_000)
    nxt = assign_reference(state, "new", "1" * 64, "pp.full.householder", "HAPP", T0)
    assert (nxt.sequence, nxt.reference) == (20_001, "26-20001-HAPP")


def test_an_empty_state_starts_at_one():
    assert assign_reference(IntakeState(), "a", "1" * 64, "ldc.existing", "LDCE", T0).reference == "26-00001-LDCE"
