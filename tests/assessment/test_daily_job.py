"""The daily job over real stores (SQLite, and DynamoDB on moto): it closes exactly the requests whose auto-close day
has come, applies their change, acts only on the applications the read model lists, and is idempotent."""

from __future__ import annotations

from datetime import date

import boto3
import pytest

from events import Actor, NewEvent
from events.assessment import CaseOfficerAssigned
from services.assessment import AUTO_CLOSE_READ_MODEL
from services.assessment.daily import DAILY_JOB, run_daily
from services.assessment.domain import answer_validation_request, withdraw
from shared.eventstore.dynamodb import DynamoDbEventStore
from shared.eventstore.dynamodb_table import create_event_table
from shared.eventstore.sqlite import SqliteEventStore
from shared.projections.dynamodb_store import DynamoDbReadModelStore, create_read_model_table
from shared.projections.sqlite_store import SqliteReadModelStore
from tests.assessment.daily_cases import (
    ASSESSOR,
    BOUNDARY,
    COUNCIL,
    DESCRIPTION,
    NEW_DESCRIPTION,
    Application,
    at,
    project,
)
from tests.aws_support import lean_client

SENT = date(2026, 3, 3)  # Tuesday: requests sent
CHANGES_CLOSE = date(2026, 3, 10)  # 5 business days later
VALIDATED = date(2026, 3, 4)  # Wednesday
CONDITION_CLOSES = date(2026, 3, 18)  # 10 business days later


@pytest.fixture(params=["sqlite", "dynamodb"])
def stores(request, tmp_path):
    if request.param == "sqlite":
        return SqliteEventStore(tmp_path / "events.sqlite"), SqliteReadModelStore(tmp_path / "read_models.sqlite")
    request.getfixturevalue("aws")
    create_event_table(boto3.client("dynamodb"), "events")
    create_read_model_table(boto3.client("dynamodb"), "read-models")
    return (
        DynamoDbEventStore("events", client=lean_client("dynamodb")),
        DynamoDbReadModelStore("read-models", lean_client("dynamodb")),
    )


def daily(store, read_models, day: date):
    """A run of the job on `day`, then the read model catching up with what it appended (as the bus would)."""
    run = run_daily(store, read_models, day, at(day))
    project(store, read_models, *APPLICATIONS.values())
    return run


APPLICATIONS: dict[str, Application] = {}


@pytest.fixture
def cases(stores):
    store, read_models = stores
    APPLICATIONS.clear()
    APPLICATIONS["changes"] = Application(store, "26-00001-HAPP").invalidated_with_changes(SENT)
    APPLICATIONS["condition"] = Application(store, "26-00002-HAPP").validated_with_a_condition(VALIDATED)
    APPLICATIONS["untouched"] = Application(store, "26-00003-HAPP")  # no requests: never looked at
    project(store, read_models, *APPLICATIONS.values())
    return APPLICATIONS


def test_the_read_model_lists_only_applications_with_auto_closable_requests_and_their_days(stores, cases):
    _, read_models = stores
    documents = dict(read_models.documents(AUTO_CLOSE_READ_MODEL))
    changes, condition = cases["changes"], cases["condition"]
    assert set(documents) == {changes.stream, condition.stream}
    assert documents[changes.stream] == {
        "council": COUNCIL,
        "reference": changes.reference,
        "requests": {
            changes.requests["description_change"]: {"type": "description_change", "closes_on": "2026-03-10"},
            changes.requests["red_line_boundary_change"]: {
                "type": "red_line_boundary_change",
                "closes_on": "2026-03-10",
            },
        },
        "next_due": "2026-03-10",
    }
    assert documents[condition.stream]["next_due"] == "2026-03-18"


def test_nothing_closes_before_its_day(stores, cases):
    store, read_models = stores
    run = daily(store, read_models, date(2026, 3, 9))
    assert run.candidates == 0 and run.appended == {}
    assert cases["changes"].request_state("description_change") == "open"


def test_on_the_day_the_change_requests_close_as_accepted_and_their_changes_apply(stores, cases):
    store, read_models = stores
    changes = cases["changes"]
    run = daily(store, read_models, CHANGES_CLOSE)
    assert sorted(run.closed_requests) == sorted(
        [
            (changes.reference, changes.requests["description_change"]),
            (changes.reference, changes.requests["red_line_boundary_change"]),
        ]
    )
    assert run.candidates == 1  # the condition's application is not due yet: not even folded
    state = changes.state()
    assert state.description == NEW_DESCRIPTION
    assert dict(state.boundary or {}) == BOUNDARY
    assert changes.request_state("description_change") == "closed"
    assert changes.request_state("red_line_boundary_change") == "closed"
    assert changes.request_state("additional_document") == "open"  # 15 business days, and never auto-closes
    assert cases["condition"].request_state("pre_commencement_condition") == "open"
    appended = run.appended[changes.reference]
    assert {event.actor for event in appended} == {DAILY_JOB}
    assert [e.event_type for e in appended].count("ValidationRequestAutoClosed") == 2
    assert {e.event_type for e in appended} == {
        "ValidationRequestAutoClosed",
        "DescriptionChanged",
        "RedLineBoundaryChanged",
    }
    assert all(e.payload.closed_on == CHANGES_CLOSE for e in appended if e.event_type == "ValidationRequestAutoClosed")
    # the read model forgets the closed requests, and the application with them
    assert dict(read_models.documents(AUTO_CLOSE_READ_MODEL)).keys() == {cases["condition"].stream}


def test_a_second_run_the_same_day_changes_nothing(stores, cases):
    store, read_models = stores
    daily(store, read_models, CHANGES_CLOSE)
    version = store.stream_version(cases["changes"].stream)
    again = run_daily(store, read_models, CHANGES_CLOSE, at(CHANGES_CLOSE))  # before the read model has caught up
    assert again.appended == {}
    assert store.stream_version(cases["changes"].stream) == version


def test_a_late_run_closes_on_the_requests_own_day(stores, cases):
    store, read_models = stores
    run = daily(store, read_models, date(2026, 3, 20))  # the job did not run for a while
    assert len(run.closed_requests) == 3
    condition = cases["condition"]
    [closed] = [e for e in run.appended[condition.reference] if e.event_type == "ValidationRequestAutoClosed"]
    assert closed.payload.closed_on == CONDITION_CLOSES
    assert condition.request_state("pre_commencement_condition") == "closed"
    assert condition.state().description == DESCRIPTION  # a condition request changes no description
    assert dict(read_models.documents(AUTO_CLOSE_READ_MODEL)) == {}


def test_the_condition_request_closes_after_ten_business_days(stores, cases):
    store, read_models = stores
    changes, condition = cases["changes"], cases["condition"]
    day_before = daily(store, read_models, date(2026, 3, 17))
    assert sorted(day_before.closed_requests) == sorted(
        [
            (changes.reference, changes.requests["description_change"]),
            (changes.reference, changes.requests["red_line_boundary_change"]),
        ]
    )
    assert condition.request_state("pre_commencement_condition") == "open"
    run = daily(store, read_models, CONDITION_CLOSES)
    assert run.closed_requests == [(condition.reference, condition.requests["pre_commencement_condition"])]


def test_an_answered_request_is_left_alone(stores, cases):
    store, read_models = stores
    changes = cases["changes"]
    state = changes.state()
    answer = answer_validation_request(
        state, request_id=changes.requests["description_change"], now=at(date(2026, 3, 5)), agreed=False, reason="No"
    )
    store.append(
        changes.stream, state.version, [NewEvent(p, COUNCIL, Actor(kind="applicant", id="a"), at(SENT)) for p in answer]
    )
    project(store, read_models, changes)
    run = daily(store, read_models, CHANGES_CLOSE)
    assert run.closed_requests == [(changes.reference, changes.requests["red_line_boundary_change"])]
    assert changes.state().description == DESCRIPTION  # refused by the applicant: not applied


def test_a_withdrawn_application_leaves_the_read_model_and_is_not_touched(stores, cases):
    store, read_models = stores
    changes = cases["changes"]
    changes.run(withdraw, date(2026, 3, 5), reason="The applicant withdrew it")
    project(store, read_models, changes)
    assert changes.stream not in dict(read_models.documents(AUTO_CLOSE_READ_MODEL))
    version = store.stream_version(changes.stream)
    assert daily(store, read_models, CHANGES_CLOSE).appended == {}
    assert store.stream_version(changes.stream) == version


class RacingStore:
    """The real store, with an officer appending to one stream just before the job's first append there."""

    def __init__(self, store, stream_id: str) -> None:
        self.store = store
        self.stream_id = stream_id
        self.raced = False

    def __getattr__(self, name):
        return getattr(self.store, name)

    def append(self, stream_id, expected_version, events):
        if stream_id == self.stream_id and not self.raced:
            self.raced = True
            assigned = CaseOfficerAssigned(officer_id=ASSESSOR.id, officer_name=ASSESSOR.name)
            self.store.append(stream_id, expected_version, [NewEvent(assigned, COUNCIL, ASSESSOR.actor(), at(SENT))])
        return self.store.append(stream_id, expected_version, events)


def test_an_officer_appending_meanwhile_makes_the_job_decide_again_not_fail(stores, cases):
    store, read_models = stores
    changes = cases["changes"]
    racing = RacingStore(store, changes.stream)
    run = run_daily(racing, read_models, CHANGES_CLOSE, at(CHANGES_CLOSE))
    assert racing.raced and len(run.closed_requests) == 2
    types = [e.event_type for e in store.read(changes.stream)]
    assert types.index("CaseOfficerAssigned") < types.index("ValidationRequestAutoClosed")
    assert changes.state().case_officer is not None


class CrashingStore:
    """The real store, failing every append to one stream (the job's process dies there)."""

    def __init__(self, store, stream_id: str) -> None:
        self.store = store
        self.stream_id = stream_id

    def __getattr__(self, name):
        return getattr(self.store, name)

    def append(self, stream_id, expected_version, events):
        if stream_id == self.stream_id:
            raise RuntimeError("the job stopped here")
        return self.store.append(stream_id, expected_version, events)


def test_a_run_that_stops_halfway_is_finished_by_the_next(stores, cases):
    store, read_models = stores
    changes, condition = cases["changes"], cases["condition"]
    with pytest.raises(RuntimeError):
        run_daily(CrashingStore(store, condition.stream), read_models, CONDITION_CLOSES, at(CONDITION_CLOSES))
    project(store, read_models, *cases.values())
    # whichever application came first may be done; the other is not; the next run finishes without redoing any
    done_before = changes.request_state("description_change") == "closed"
    assert condition.request_state("pre_commencement_condition") == "open"
    run = daily(store, read_models, CONDITION_CLOSES)
    assert changes.request_state("description_change") == "closed"
    assert condition.request_state("pre_commencement_condition") == "closed"
    assert (changes.reference in run.appended) is not done_before
    assert [e.event_type for e in store.read(changes.stream)].count("ValidationRequestAutoClosed") == 2


class AlwaysRacingStore(RacingStore):
    """An application someone appends to before every one of the job's attempts."""

    def append(self, stream_id, expected_version, events):
        self.raced = False
        return super().append(stream_id, expected_version, events)


def test_an_application_that_keeps_changing_is_left_for_the_next_run_and_the_others_are_done(stores, cases):
    store, read_models = stores
    changes, condition = cases["changes"], cases["condition"]
    run = run_daily(AlwaysRacingStore(store, changes.stream), read_models, CONDITION_CLOSES, at(CONDITION_CLOSES))
    assert run.busy == [changes.reference]
    assert changes.request_state("description_change") == "open"
    assert condition.request_state("pre_commencement_condition") == "closed"
    project(store, read_models, *cases.values())
    assert daily(store, read_models, CONDITION_CLOSES).busy == []
    assert changes.request_state("description_change") == "closed"
