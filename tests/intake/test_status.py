"""The intake's GET answers the application's real status: the fold of its main stream's event types."""

from __future__ import annotations

from datetime import date

from events import Actor, NewEvent
from events.assessment import CaseOfficerAssigned, PlanningApplicationValidated, PlanningApplicationWithdrawn
from events.streams import application_stream
from tests.intake.support import auth, create_council, example_paths, prepared

COLLECTION = "/api/v2/planning_applications"


def test_the_status_follows_the_officers_events(runtime):
    key = create_council(runtime, "TST")
    path = next(p for p in example_paths() if p.stem == "householder" or "householder" in p.stem.lower())
    status, _, body = runtime.client.request("POST", COLLECTION, prepared(path, "TST", None), auth(key))
    assert status == 201, body
    reference = body["reference"]

    def current() -> str:
        status, _, record = runtime.client.request("GET", f"{COLLECTION}/{reference}", headers=auth(key))
        assert status == 200
        return record["status"]

    assert current() == "not_started"
    store = runtime.deps.event_store
    stream = application_stream("TST", reference)
    officer = Actor(kind="officer", id="o1", display_name="Ann")
    now = runtime.deps.clock.now()
    payloads = [
        CaseOfficerAssigned(officer_id="o1", officer_name="Ann"),
        PlanningApplicationValidated(
            valid_from=date(2026, 3, 2), validated_on=date(2026, 3, 3), determination_period_days=56
        ),
    ]
    store.append(stream, 1, [NewEvent(p, "TST", officer, now) for p in payloads])
    assert current() == "in_assessment"
    withdrawn = PlanningApplicationWithdrawn(reason="Applicant withdrew", withdrawn_on=date(2026, 3, 4))
    store.append(stream, 3, [NewEvent(withdrawn, "TST", officer, now)])
    assert current() == "withdrawn"
