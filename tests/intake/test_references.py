"""The council's reference sequence, folded from its intake stream."""

from __future__ import annotations

from datetime import UTC, datetime

from events import RecordedEvent
from events.application import PlanningApplicationReferenceAssigned
from services.intake.references import IntakeState, assign_reference, fold
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
