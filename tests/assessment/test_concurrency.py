"""Two officers acting on one application at the same moment: exactly one succeeds, the other gets 409; a document or
a notification arriving meanwhile makes neither stale. On the SQLite log and on DynamoDB (moto)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from events.streams import application_side_stream
from tests.assessment.api_support import (
    ASSESSOR,
    OTHER_ASSESSOR,
    call,
    enlist,
    notify,
    others_may_run,
    receive_document,
    submit,
)

BASE = "/api/officer/v1/planning_applications"
REFERENCE = "26-00001-HH"


class BothReadFirst:
    """The event store, except that appends wait until both officers have read: a true race on the append."""

    def __init__(self, store, parties: int = 2) -> None:
        self.store = store
        self.barrier = threading.Barrier(parties, timeout=10)

    def append_streams(self, appends):
        with others_may_run():
            self.barrier.wait()
        return self.store.append_streams(appends)

    def __getattr__(self, name):
        return getattr(self.store, name)


def race(deps, bodies, during=None):
    """Both officers post at once, each having read the application before either appends."""
    from services.assessment.officer_api.handler import casework

    work = casework()
    work.store = BothReadFirst(deps.event_store)
    if during is not None:
        during()
    try:
        with ThreadPoolExecutor(2) as pool:
            futures = [
                pool.submit(call, "POST", f"{BASE}/{REFERENCE}/{command}", body, officer)
                for officer, command, body in bodies
            ]
            return sorted((f.result() for f in futures), key=lambda result: result[0])
    finally:
        work.store = deps.event_store


def check_one_wins(deps, results) -> None:
    (ok, state), (refused, body) = results
    assert (ok, refused) == (200, 409), results
    assert state["version"] == 2
    assert "changed" in body["message"]
    assert deps.event_store.stream_version(f"application:DEMO:{REFERENCE}") == 2


@pytest.fixture
def dynamodb_deps(aws, monkeypatch, deps):
    """The same, on DynamoDB: the officer API's event store is the AWS adapter on moto."""
    from shared.eventstore.dynamodb import DynamoDbEventStore
    from shared.eventstore.dynamodb_table import create_event_table
    from tests.aws_support import lean_client

    create_event_table(boto3.client("dynamodb"), "events")
    store = DynamoDbEventStore("events", client=lean_client("dynamodb"), clock=deps.clock)
    deps.__dict__["event_store"] = store
    deps._memo.pop("casework", None)
    return deps


def two_officers_assign_themselves(deps, during=None):
    enlist(deps, ASSESSOR, OTHER_ASSESSOR)
    bodies = [
        (ASSESSOR, "assign", {"version": 1, "officerId": "me"}),
        (OTHER_ASSESSOR, "assign", {"version": 1, "officerId": "me"}),
    ]
    return race(deps, bodies, during)


def test_sqlite_exactly_one_of_two_officers_succeeds(deps):
    submit(deps.event_store, REFERENCE)
    check_one_wins(deps, two_officers_assign_themselves(deps))


def test_dynamodb_exactly_one_of_two_officers_succeeds(dynamodb_deps):
    submit(dynamodb_deps.event_store, REFERENCE)
    check_one_wins(dynamodb_deps, two_officers_assign_themselves(dynamodb_deps))


@pytest.mark.parametrize("backend", ["sqlite", "dynamodb"])
def test_a_document_arriving_meanwhile_makes_neither_stale(request, backend):
    deps = request.getfixturevalue("deps" if backend == "sqlite" else "dynamodb_deps")
    submit(deps.event_store, REFERENCE)
    receive_document(deps.event_store, REFERENCE, 0)
    enlist(deps, ASSESSOR, OTHER_ASSESSOR)
    status, _ = call("POST", f"{BASE}/{REFERENCE}/assign", {"version": 1, "officerId": "me"}, ASSESSOR)
    assert status == 200
    receive_document(deps.event_store, REFERENCE, 1)  # after both officers saw version 2
    bodies = [
        (ASSESSOR, "fee/check", {"version": 2, "valid": True}),
        (OTHER_ASSESSOR, "red_line_boundary/check", {"version": 2, "valid": True}),
    ]

    def meanwhile() -> None:  # a file fetched and a notification sent, after both officers saw version 2
        receive_document(deps.event_store, REFERENCE, 2)
        notify(deps.event_store, REFERENCE)

    results = race(deps, bodies, during=meanwhile)
    (ok, state), (refused, _body) = results
    assert (ok, refused) == (200, 409), results
    assert state["version"] == 3 and len(state["documents"]) == 3
    assert deps.event_store.stream_version(application_side_stream("DEMO", REFERENCE, "notifications")) == 1
    # and one after the other, the documents never count: the loser retries at the version it now sees
    status, state = call("POST", f"{BASE}/{REFERENCE}/red_line_boundary/check", {"version": 3, "valid": True})
    assert status == 200 and state["version"] == 4
