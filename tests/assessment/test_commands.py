"""What the commands do: their events, the rules of the clock, and what the state and the view say afterwards."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from events.assessment import (
    DescriptionChanged,
    PlanningApplicationInvalidated,
    RedLineBoundaryChanged,
    ValidationRequestAutoClosed,
    ValidationRequestCancelled,
    ValidationRequestSent,
)
from services.assessment.domain import (
    Conflict,
    InvalidCommand,
    NotFound,
    UploadedDocument,
    answer_validation_request,
    application_view,
    assign,
    auto_close_due,
    cancel_validation_request,
    check_version,
    determine,
    draft_validation_request,
    invalidate,
    record_committee_decision,
    record_press_notice,
    request_time_extension,
    send_to_committee,
    submit_recommendation,
    validate,
    withdraw,
)
from services.assessment.domain.validation_requests import boundary_problem
from shared.application_status import status_of
from tests.assessment import builders as b
from tests.assessment.support import (
    ADMINISTRATOR,
    APPLICANT,
    ASSESSOR,
    REVIEWER,
    Case,
    notice,
    square,
)


def _answer(case: Case, request_id: str, when: datetime, **answer) -> None:
    case.record(answer_validation_request(case.state, request_id=request_id, now=when, **answer), APPLICANT)


def _only_request(case: Case):
    [request] = case.state.requests.values()
    return request


# --- valid-from ------------------------------------------------------------------------------------------------------


def test_valid_from_is_the_received_date_when_no_request_was_needed():
    case = Case(received_at=datetime(2026, 3, 7, 11, tzinfo=UTC))  # a Saturday: received on Monday 9 March
    case.run(validate, ASSESSOR, determination_period_days=56, today=date(2026, 3, 10))
    assert case.state.valid_from == date(2026, 3, 9) and case.state.expiry_date == date(2026, 5, 4)


def test_valid_from_is_the_business_day_after_the_last_request_closed():
    case = b.invalidated(b.with_pending(None, "ownership_certificate"))
    certificate, document = case.state.requests.values()
    _answer(case, document.id, datetime(2026, 3, 5, 10, tzinfo=UTC), document=_upload())
    _answer(case, certificate.id, datetime(2026, 4, 2, 10, tzinfo=UTC), response="Certificate B served")
    # closed Thursday 2 April 2026: Good Friday and Easter Monday are bank holidays
    case.run(validate, ASSESSOR, determination_period_days=56, today=date(2026, 4, 8))
    assert case.state.valid_from == date(2026, 4, 7)


def test_the_officer_may_choose_another_valid_from_date_not_in_the_future():
    case = Case()
    case.run(validate, ASSESSOR, valid_from=date(2026, 3, 4), determination_period_days=42, today=date(2026, 3, 4))
    assert case.state.valid_from == date(2026, 3, 4) and case.state.expiry_date == date(2026, 4, 15)


def test_a_cancelled_request_does_not_count_for_valid_from():
    case = b.invalidated()
    request = _only_request(case)
    case.run(cancel_validation_request, ASSESSOR, request_id=request.id, reason="not needed", today=date(2026, 3, 20))
    case.run(validate, ASSESSOR, determination_period_days=56, today=date(2026, 3, 20))
    assert case.state.valid_from == date(2026, 3, 2)


# --- requests --------------------------------------------------------------------------------------------------------


def test_invalidating_sends_every_pending_request_with_its_due_date():
    case = b.with_pending(b.with_pending(None, "description_change", proposed_description="New words"))
    events = invalidate(case.state, ASSESSOR, today=date(2026, 3, 3))
    assert isinstance(events[0], PlanningApplicationInvalidated)
    sent = {e.request_id: e.response_due for e in events if isinstance(e, ValidationRequestSent)}
    kinds = {r.id: r.type for r in case.state.requests.values()}
    assert {kinds[i]: due for i, due in sent.items()} == {
        "description_change": date(2026, 3, 10),
        "additional_document": date(2026, 3, 24),
    }


def test_once_invalidated_or_valid_a_new_request_is_sent_at_once():
    case = b.invalidated()
    b.with_pending(case, "ownership_certificate")
    assert [r.state for r in case.state.requests.values()] == ["open", "open"]
    valid = b.validated()
    valid.run(
        draft_validation_request,
        ASSESSOR,
        request_id=b.new_id(),
        request_type="pre_commencement_condition",
        reason="needed before works",
        proposed_condition={"text": "Submit a construction plan", "reason": "Highway safety"},
        today=date(2026, 3, 5),
    )
    request = _only_request(valid)
    assert (request.state, request.post_validation, request.response_due) == ("open", True, date(2026, 3, 19))


def test_every_type_is_drafted_with_its_details():
    details = {
        "additional_document": {"requested_document": "Site plan"},
        "replacement_document": {"document_id": "doc-1"},
        "red_line_boundary_change": {"proposed_boundary": square()},
        "description_change": {"proposed_description": "New"},
        "fee_change": {"fee_amount": "258"},
        "other_change": {"suggestion": "Lower the ridge"},
        "ownership_certificate": {},
    }
    case = Case()
    for request_type, detail in details.items():
        b.with_pending(case, request_type, **detail)
    drafted = {r.type: r.drafted for r in case.state.requests.values()}
    assert drafted["fee_change"].fee_amount == Decimal("258.00")
    assert drafted["red_line_boundary_change"].proposed_boundary == square()
    assert case.replayed() == case.state  # every detail survives its JSON (Decimal, GeoJSON)
    later = b.validated()
    for request_type, detail in {
        "pre_commencement_condition": {"proposed_condition": {"text": "t", "reason": "r"}},
        "heads_of_terms": {"terms": "A contribution to play space"},
        "time_extension": {"proposed_expiry_date": date(2026, 6, 1)},
    }.items():
        b.with_pending(later, request_type, **detail)
    assert {r.type for r in later.state.requests.values()} == {
        "pre_commencement_condition",
        "heads_of_terms",
        "time_extension",
    }


def test_two_replacement_requests_for_one_document_are_refused_but_for_two_documents_allowed():
    case = b.with_pending(None, "replacement_document", document_id="doc-1")
    b.with_pending(case, "replacement_document", document_id="doc-2")
    with pytest.raises(Conflict, match="doc-1"):
        b.with_pending(case, "replacement_document", document_id="doc-1")
    assert len(case.state.requests) == 2


def test_an_agreed_description_change_is_applied_and_a_declined_one_is_not():
    case = b.invalidated(b.with_pending(None, "description_change", proposed_description="Two storey extension"))
    request = next(r for r in case.state.requests.values() if r.type == "description_change")
    with pytest.raises(InvalidCommand, match="reason"):
        answer_validation_request(case.state, request_id=request.id, agreed=False, now=datetime.now(UTC))
    _answer(case, request.id, datetime(2026, 3, 4, 9, tzinfo=UTC), agreed=False, reason="It is single storey")
    assert case.state.description == "Single storey rear extension"
    assert case.state.requests[request.id].state == "closed"


def test_an_answer_must_fit_the_request_type():
    case = b.invalidated()
    request = _only_request(case)
    now = datetime(2026, 3, 4, 9, tzinfo=UTC)
    with pytest.raises(InvalidCommand) as raised:
        answer_validation_request(case.state, request_id=request.id, agreed=True, now=now)
    assert set(raised.value.fields) == {"agreed", "document"}
    bad = UploadedDocument("doc-9", "x.exe", "k", "1" * 64, 10, "application/x-msdownload")
    with pytest.raises(InvalidCommand, match="PDF, PNG or JPEG"):
        answer_validation_request(case.state, request_id=request.id, document=bad, now=now)
    with pytest.raises(NotFound):
        answer_validation_request(case.state, request_id=b.new_id(), response="x", now=now)


def test_a_closed_or_cancelled_request_cannot_be_answered():
    case = b.invalidated()
    request = _only_request(case)
    _answer(case, request.id, datetime(2026, 3, 4, 9, tzinfo=UTC), document=_upload())
    with pytest.raises(Conflict, match="this request is closed"):
        answer_validation_request(case.state, request_id=request.id, document=_upload("doc-8"), now=datetime.now(UTC))
    pending = b.with_pending()
    with pytest.raises(Conflict, match="not been sent"):
        answer_validation_request(
            pending.state, request_id=_only_request(pending).id, response="x", now=datetime.now(UTC)
        )
    cancelled = b.invalidated()
    request = _only_request(cancelled)
    cancelled.run(cancel_validation_request, ASSESSOR, request_id=request.id, reason="sorry", today=date(2026, 3, 4))
    with pytest.raises(Conflict, match="this request is closed"):
        answer_validation_request(cancelled.state, request_id=request.id, document=_upload(), now=datetime.now(UTC))
    with pytest.raises(Conflict, match="already cancelled"):
        cancel_validation_request(
            cancelled.state, ASSESSOR, request_id=request.id, reason="again", today=date(2026, 3, 4)
        )


def _upload(document_id: str = "doc-9") -> UploadedDocument:
    return UploadedDocument(document_id, "plan.pdf", f"DEMO/x/{document_id}.pdf", "2" * 64, 100, "application/pdf")


# --- auto-close ------------------------------------------------------------------------------------------------------


def test_description_and_boundary_requests_close_accepted_after_five_business_days():
    case = b.with_pending(None, "description_change", proposed_description="Two storey extension")
    b.with_pending(case, "red_line_boundary_change", proposed_boundary=square())
    b.with_pending(case)  # an additional document: never closes by itself
    case.run(invalidate, ASSESSOR, today=date(2026, 3, 3))  # Tuesday
    assert auto_close_due(case.state, today=date(2026, 3, 9)) == []
    events = auto_close_due(case.state, today=date(2026, 3, 16))  # the job ran late: closed on the due day anyway
    closed = [e for e in events if isinstance(e, ValidationRequestAutoClosed)]
    assert [e.closed_on for e in closed] == [date(2026, 3, 10), date(2026, 3, 10)]
    assert any(isinstance(e, DescriptionChanged) for e in events)
    assert any(isinstance(e, RedLineBoundaryChanged) for e in events)
    case.record(events, ADMINISTRATOR.actor())
    assert case.state.description == "Two storey extension" and dict(case.state.boundary or {}) == square()
    assert auto_close_due(case.state, today=date(2026, 3, 16)) == []  # idempotent
    assert [r.state for r in case.state.requests.values()] == ["closed", "closed", "open"]


def test_a_pre_commencement_condition_request_closes_accepted_after_ten_business_days():
    case = b.validated()
    b.with_pending(case, "pre_commencement_condition", proposed_condition={"text": "t", "reason": "r"})
    request = _only_request(case)
    sent = request.sent_on
    assert sent == b.DRAFTED_ON
    assert auto_close_due(case.state, today=date(2026, 3, 16)) == []
    case.record(auto_close_due(case.state, today=date(2026, 3, 17)), ADMINISTRATOR.actor())
    assert case.state.requests[request.id].auto_closed and case.state.accepted_conditions == (request.id,)


def test_nothing_closes_itself_on_a_finished_application():
    case = b.invalidated(b.with_pending(None, "description_change", proposed_description="New"))
    case.run(withdraw, ASSESSOR, reason="the applicant withdrew", today=date(2026, 3, 4))
    assert all(r.state == "cancelled" for r in case.state.requests.values())
    assert auto_close_due(case.state, today=date(2026, 6, 1)) == []


# --- time extension, consultation, committee -------------------------------------------------------------------------


def test_an_agreed_time_extension_moves_the_expiry_date():
    case = b.validated()
    assert case.state.expiry_date == date(2026, 4, 27)
    request_id = b.new_id()
    case.run(
        request_time_extension,
        ASSESSOR,
        request_id=request_id,
        proposed_expiry_date=date(2026, 5, 29),
        reason="awaiting highways",
        today=date(2026, 4, 1),
    )
    with pytest.raises(Conflict, match="already a open time extension"):
        case.run(
            request_time_extension,
            ASSESSOR,
            request_id=b.new_id(),
            proposed_expiry_date=date(2026, 6, 29),
            reason="again",
            today=date(2026, 4, 1),
        )
    _answer(case, request_id, datetime(2026, 4, 2, 9, tzinfo=UTC), agreed=True)
    assert case.state.expiry_date == date(2026, 5, 29) and case.state.statutory_expiry_date == date(2026, 4, 27)
    view = application_view(case.state, date(2026, 5, 28))
    assert (view["expiryDate"], view["daysLeft"], view["overdue"]) == ("2026-05-29", 1, False)


def test_days_left_and_overdue_count_business_days():
    case = b.validated()  # expiry Monday 27 April 2026
    assert application_view(case.state, date(2026, 4, 24))["daysLeft"] == 1
    late = application_view(case.state, date(2026, 4, 29))
    assert (late["daysLeft"], late["overdue"]) == (-2, True)


def test_lawful_development_certificates_have_no_consultation():
    case = b.validated("ldc.proposed")
    assert case.state.consultation is None and application_view(case.state, date(2026, 3, 5))["consultation"] is None


def test_a_press_notice_extends_the_consultation():
    case = b.validated()
    assert case.state.consultation == (date(2026, 3, 5), date(2026, 3, 26))
    case.run(record_press_notice, ASSESSOR, published_on=date(2026, 3, 12), today=date(2026, 3, 12))
    assert case.state.consultation == (date(2026, 3, 5), date(2026, 4, 2))


def test_prior_approval_may_be_not_required():
    case = b.assessed("pa.part1.classA")
    case.run(submit_recommendation, ASSESSOR, decision="not_required", public_reason="Within limits")
    assert case.state.recommendation.decision == "not_required"


def test_a_committee_decision_is_the_one_issued():
    case = b.in_committee(decided=True)
    case.run(determine, REVIEWER, today=date(2026, 3, 23), notice=notice())
    assert case.state.decision.decision == "refused" and case.state.status == "determined"
    with pytest.raises(InvalidCommand, match="decisionDate"):
        committee = b.in_committee()
        committee.run(record_committee_decision, ASSESSOR, decision="granted", decided_on=date(2026, 3, 25),
                      today=date(2026, 3, 25))  # fmt: skip
        determine(committee.state, ASSESSOR, decision_date=date(2026, 3, 24), today=date(2026, 3, 26), notice=notice())


def test_a_resubmitted_recommendation_needs_a_new_review_and_clears_the_committee():
    case = b.challenged()
    case.run(submit_recommendation, ASSESSOR, decision="refused", public_reason="Harm to light")
    assert (case.state.status, case.state.recommendation.review, case.state.recommendations_made) == (
        "awaiting_determination",
        None,
        2,
    )
    case.run(send_to_committee, REVIEWER, reason="members asked")
    assert case.state.status == "in_committee"


# --- roles -----------------------------------------------------------------------------------------------------------


def test_reviewers_may_do_case_work_and_administrators_may_assign():
    case = Case()
    case.run(assign, ADMINISTRATOR, officer_id=ASSESSOR.id, officer_name=ASSESSOR.name)
    case.run(assign, ADMINISTRATOR, officer_id=REVIEWER.id, officer_name=REVIEWER.name)
    assert case.state.case_officer.id == REVIEWER.id
    case.run(validate, REVIEWER, determination_period_days=56, today=date(2026, 3, 3))
    assert case.state.status == "in_assessment"


# --- versions --------------------------------------------------------------------------------------------------------


def test_a_stale_version_is_refused_with_what_changed():
    case = b.invalidated()
    seen = case.state.version
    request = _only_request(case)
    case.run(cancel_validation_request, REVIEWER, request_id=request.id, reason="not needed", today=date(2026, 3, 4))
    check_version(case.state, case.state.version)
    since = [e for e in case.main_events() if e.version > seen]
    with pytest.raises(Conflict) as raised:
        check_version(case.state, seen, since)
    assert raised.value.message == (
        f"the application changed since version {seen}: a validation request was cancelled by Rae Reviewer"
    )
    with pytest.raises(Conflict, match="no version 99"):
        check_version(case.state, 99)
    with pytest.raises(InvalidCommand, match="version"):
        check_version(case.state, -1)


# --- the status fold and boundaries ----------------------------------------------------------------------------------


def test_the_status_is_a_fold_of_main_stream_event_types():
    assert status_of([]) is None
    assert status_of(["PlanningApplicationSubmitted", "ValidationRequestDrafted"]) == "not_started"
    assert (
        status_of(
            [
                "PlanningApplicationSubmitted",
                "PlanningApplicationValidated",
                "RecommendationSubmitted",
                "RecommendationChallenged",
            ]
        )
        == "to_be_reviewed"
    )
    case = b.agreed()
    assert status_of(e.event_type for e in case.main_events()) == case.state.status == "awaiting_determination"


@pytest.mark.parametrize(
    ("boundary", "problem"),
    [
        (square(), None),
        ({"type": "Feature", "properties": {}, "geometry": square()}, None),
        ({"type": "MultiPolygon", "coordinates": [square()["coordinates"]]}, None),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], ["a", 1], [0, 0]]]}, "not [longitude, latitude]"),
        ({"type": "Polygon", "coordinates": []}, "malformed"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "Polygon or MultiPolygon"),
        ("POLYGON((0 0))", "Polygon or MultiPolygon"),
    ],
)
def test_boundary_problems(boundary, problem):
    found = boundary_problem(boundary)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_cancelling_leaves_the_request_visible_with_its_reason():
    case = b.invalidated()
    request = _only_request(case)
    events = cancel_validation_request(
        case.state, ASSESSOR, request_id=request.id, reason="sent in error", today=date(2026, 3, 4)
    )
    assert events == [
        ValidationRequestCancelled(request_id=request.id, reason="sent in error", cancelled_on=date(2026, 3, 4))
    ]


def test_every_event_of_an_application_is_described_in_plain_english():
    from events.registry import EVENT_MODULES
    from services.assessment.domain.describe import _WHAT

    for module in ("events.assessment", "events.application"):
        for event_type in EVENT_MODULES[module]:
            if event_type not in ("PlanningApplicationReferenceAssigned", "SubmissionClaimed"):  # not on its streams
                assert event_type in _WHAT, event_type


def test_only_files_go_to_the_documents_side_stream():
    from services.assessment.domain import side_stream_of

    case = b.agreed()
    events = determine(case.state, ASSESSOR, today=date(2026, 4, 1), notice=notice())
    assert [side_stream_of(e) for e in events] == [None, "documents"]


def test_the_view_is_plain_json_whatever_the_requests():
    import json

    case = Case()
    for request_type, detail in {
        "fee_change": {"fee_amount": "258.5"},
        "red_line_boundary_change": {"proposed_boundary": square()},
        "replacement_document": {"document_id": "doc-1"},
    }.items():
        b.with_pending(case, request_type, **detail)
    view = json.loads(json.dumps(application_view(case.state, date(2026, 3, 3))))
    details = {r["type"]: r["details"] for r in view["validationRequests"]}
    assert details["fee_change"]["feeAmount"] == "258.50"
    assert details["red_line_boundary_change"]["proposedBoundary"] == square()
    assert details["replacement_document"]["documentId"] == "doc-1"
    assert {r["state"] for r in view["validationRequests"]} == {"pending"}
    assert (view["validFrom"], view["expiryDate"], view["daysLeft"], view["consultation"]) == (None, None, None, None)
