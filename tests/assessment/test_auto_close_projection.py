"""The auto-close projection on its own: what it keeps of each event, and that it reads what its subscription
declares."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from events import Actor, RecordedEvent
from events.assessment import (
    PlanningApplicationReturned,
    ValidationRequestCancelled,
    ValidationRequestDrafted,
    ValidationRequestSent,
)
from events.streams import application_side_stream, application_stream
from services.assessment.auto_close_projection import AutoCloseProjection
from services.assessment.declaration import SERVICE

MAIN = application_stream("DEMO", "26-00001-HAPP")
MOMENT = datetime(2026, 3, 3, 11, tzinfo=UTC)


def recorded(payload, stream_id: str = MAIN, version: int = 1) -> RecordedEvent:
    return RecordedEvent(
        event_id=uuid.uuid4(),
        stream_id=stream_id,
        version=version,
        council="DEMO",
        event_type=payload.event_type,
        schema_version=1,
        occurred_at=MOMENT,
        recorded_at=MOMENT,
        actor=Actor.system(),
        correlation_id=uuid.uuid4(),
        causation_id=None,
        payload=payload,
    )


def drafted(request_id: str, request_type: str, **details) -> RecordedEvent:
    return recorded(ValidationRequestDrafted(request_id=request_id, request_type=request_type, reason="r", **details))


def sent(request_id: str, on: date) -> RecordedEvent:
    return recorded(ValidationRequestSent(request_id=request_id, sent_on=on, response_due=on))


def fold(*events: RecordedEvent):
    projection, document = AutoCloseProjection(), None
    for event in events:
        assert projection.key(event) == MAIN
        document = projection.apply(document, event)
    return document


def test_it_reads_exactly_what_its_subscription_declares():
    [subscription] = [s for s in SERVICE.subscriptions if s.projection and s.projection.endswith("AutoCloseProjection")]
    assert AutoCloseProjection.event_types == frozenset(subscription.event_types)
    assert AutoCloseProjection.name in subscription.writes_read_models


def test_only_the_main_stream_is_keyed():
    side = recorded(ValidationRequestSent(request_id="x", sent_on=date(2026, 3, 3), response_due=date(2026, 3, 3)))
    assert AutoCloseProjection().key(side) == MAIN
    elsewhere = recorded(side.payload, stream_id=application_side_stream("DEMO", "26-00001-HAPP", "documents"))
    assert AutoCloseProjection().key(elsewhere) is None
    assert AutoCloseProjection().key(recorded(side.payload, stream_id="council:DEMO")) is None


def test_a_drafted_request_waits_without_a_day_until_it_is_sent():
    document = fold(drafted("a", "description_change", proposed_description="New"))
    assert document == {
        "council": "DEMO",
        "reference": "26-00001-HAPP",
        "requests": {"a": {"type": "description_change", "closes_on": None}},
        "next_due": None,
    }
    document = fold(drafted("a", "description_change", proposed_description="New"), sent("a", date(2026, 3, 3)))
    assert document["requests"]["a"]["closes_on"] == "2026-03-10" == document["next_due"]


def test_the_earliest_day_is_next_and_bank_holidays_do_not_count():
    document = fold(
        drafted("c", "pre_commencement_condition", proposed_condition={"text": "t", "reason": "r"}),
        sent("c", date(2026, 3, 3)),
        drafted("b", "red_line_boundary_change", proposed_boundary={"type": "Point", "coordinates": [0, 51]}),
        sent("b", date(2026, 4, 1)),  # Good Friday 3 April and Easter Monday 6 April 2026 are skipped
    )
    assert document["requests"]["c"]["closes_on"] == "2026-03-17"
    assert document["requests"]["b"]["closes_on"] == "2026-04-10"
    assert document["next_due"] == "2026-03-17"


def test_requests_that_never_auto_close_are_not_kept():
    assert (
        fold(drafted("d", "additional_document", requested_document="Roof plan"), sent("d", date(2026, 3, 3))) is None
    )


def test_the_document_goes_with_its_last_request_or_with_the_application():
    opened = (drafted("a", "description_change", proposed_description="New"), sent("a", date(2026, 3, 3)))
    cancelled = recorded(ValidationRequestCancelled(request_id="a", reason="no longer", cancelled_on=date(2026, 3, 4)))
    assert fold(*opened, cancelled) is None
    returned = recorded(PlanningApplicationReturned(reason="fee not paid", returned_on=date(2026, 3, 4)))
    assert fold(*opened, returned) is None
