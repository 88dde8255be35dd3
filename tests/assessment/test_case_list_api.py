"""The case list through the officer API: kept up to date by its projection subscriber (bus messages, as EventBridge
and the relay deliver them), filtered, counted and paginated; and rebuilt by `bops replay case-list`."""

from __future__ import annotations

import pytest

from events.streams import application_stream
from shared.bus import bus_message
from tests.assessment.api_support import ASSESSOR, COUNCIL, ELSEWHERE, OTHER_ASSESSOR, call, enlist, submit

BASE = "/api/officer/v1/planning_applications"


def deliver_all(deps) -> None:
    """Every main-stream event to the case list's subscriber, as the relay would (duplicates included)."""
    from services.assessment.case_list.projection import lambda_handler

    for stored in deps.event_store.read_all_stored(0, 10_000):
        lambda_handler(bus_message(stored, stored.position))


@pytest.fixture
def applications(deps):
    store = deps.event_store
    submit(store, "26-00001-HH", address="1 High Street", postcode="EX1 2AB")
    submit(store, "26-00002-HH", address="2 Mill Lane", postcode="AB9 9ZZ")
    submit(store, "26-00003-LDCP", application_type="ldc.proposed", address="3 Mill Lane", postcode="AB9 9ZY")
    submit(store, "26-00001-HH", council="OTHR")
    enlist(deps, ASSESSOR, OTHER_ASSESSOR)
    for reference, officer in (("26-00001-HH", ASSESSOR), ("26-00002-HH", OTHER_ASSESSOR)):
        status, _ = call("POST", f"{BASE}/{reference}/assign", {"version": 1, "officerId": "me"}, officer)
        assert status == 200
    status, _ = call("POST", f"{BASE}/26-00001-HH/validate", {"version": 2})
    assert status == 200
    deliver_all(deps)
    deliver_all(deps)  # again: duplicates change nothing
    return deps


def references(query=()) -> list[str]:
    status, body = call("GET", BASE, query=list(query))
    assert status == 200, body
    return [row["reference"] for row in body["data"]]


def test_the_list_sorted_by_expiry_with_counts(applications):
    status, body = call("GET", BASE)
    assert status == 200
    assert [row["reference"] for row in body["data"]] == ["26-00001-HH", "26-00002-HH", "26-00003-LDCP"]
    first = body["data"][0]
    assert first["status"] == "in_assessment" and first["expiryDate"] == "2026-04-27"
    assert first["caseOfficer"] == {"id": ASSESSOR.id, "name": ASSESSOR.name}
    assert first["daysLeft"] > 30 and first["overdue"] is False
    assert first["address"] == {"singleLine": "1 High Street", "postcode": "EX1 2AB"}
    assert body["counts"]["in_assessment"] == 1 and body["counts"]["not_started"] == 2
    assert body["counts"]["determined"] == 0
    assert body["pagination"] == {"page": 1, "perPage": 25, "totalResults": 3, "totalPages": 1}


def test_filters(applications):
    assert references([("status", "not_started")]) == ["26-00002-HH", "26-00003-LDCP"]
    assert references([("status", "in_assessment,not_started")]) == ["26-00001-HH", "26-00002-HH", "26-00003-LDCP"]
    assert references([("assignedTo", "me")]) == ["26-00001-HH"]
    assert references([("assignedTo", OTHER_ASSESSOR.id)]) == ["26-00002-HH"]
    assert references([("type", "ldc.proposed")]) == ["26-00003-LDCP"]
    assert references([("q", "mill lane")]) == ["26-00002-HH", "26-00003-LDCP"]
    assert references([("q", "AB99ZY")]) == ["26-00003-LDCP"]
    assert references([("overdue", "true")]) == []
    assert references([("dueWithinDays", "5")]) == []
    assert references([("dueWithinDays", "60")]) == ["26-00001-HH"]


def test_pages(applications):
    _status, body = call("GET", BASE, query=[("perPage", "2"), ("page", "2")])
    assert [row["reference"] for row in body["data"]] == ["26-00003-LDCP"]
    assert body["pagination"] == {"page": 2, "perPage": 2, "totalResults": 3, "totalPages": 2}


def test_only_the_officers_council(applications):
    _status, body = call("GET", BASE, officer=ELSEWHERE)
    assert [row["reference"] for row in body["data"]] == ["26-00001-HH"]
    assert body["data"][0]["address"]["singleLine"] == "1 High Street, Exampleton"


def test_bad_parameters_are_refused_with_their_names(applications):
    status, body = call(
        "GET", BASE, query=[("status", "pending"), ("overdue", "maybe"), ("perPage", "1000"), ("colour", "red")]
    )
    assert status == 422
    assert {e["field"] for e in body["errors"]} == {"status", "overdue", "perPage", "colour"}


def test_a_later_event_moves_the_row_and_an_older_delivery_does_not_move_it_back(applications):
    from services.assessment.case_list.projection import lambda_handler

    store = applications.event_store
    stream = application_stream(COUNCIL, "26-00002-HH")
    status, _ = call("POST", f"{BASE}/26-00002-HH/validate", {"version": 2}, OTHER_ASSESSOR)
    assert status == 200
    stored = [s for s in store.read_all_stored(0, 10_000) if s.stream_id == stream]
    lambda_handler(bus_message(stored[-1], stored[-1].position))
    lambda_handler(bus_message(stored[0], stored[0].position))
    assert references([("status", "in_assessment")]) == ["26-00001-HH", "26-00002-HH"]


def test_replay_rebuilds_the_list(applications):
    from bops.replay import rebuild
    from services.assessment.case_list.sqlite import SqliteCaseList

    cases = SqliteCaseList(applications.settings.read_models_path)
    cases.clear()
    assert references() == []
    messages: list[str] = []
    rebuild("case-list", echo=messages.append)
    assert references() == ["26-00001-HH", "26-00002-HH", "26-00003-LDCP"]
    assert "3 rows" in messages[0] or "4 rows" in messages[0]


def test_the_subscription_follows_every_main_stream_event_type():
    import events.assessment as assessment
    from services.assessment.declaration import MAIN_STREAM_EVENT_TYPES
    from services.assessment.domain.streams import DOCUMENTS_SIDE_EVENTS

    declared = {
        value.event_type
        for value in vars(assessment).values()
        if isinstance(value, type) and value.__module__ == assessment.__name__ and getattr(value, "event_type", "")
    }
    assert set(MAIN_STREAM_EVENT_TYPES) == (declared - DOCUMENTS_SIDE_EVENTS) | {"PlanningApplicationSubmitted"}
