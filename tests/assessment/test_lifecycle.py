"""A householder application from receipt to decision, every date checked, and the state rebuilt from the log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from services.assessment.domain import (
    answer_validation_request,
    application_view,
    assign,
    check_document,
    check_fee,
    check_red_line_boundary,
    determine,
    draft_validation_request,
    invalidate,
    record_assessment,
    record_site_notice,
    review,
    submit_recommendation,
    validate,
)
from tests.assessment.support import APPLICANT, ASSESSOR, REVIEWER, Case, notice


def test_a_householder_application_from_receipt_to_decision():
    case = Case()
    assert case.state.status == "not_started" and case.state.received_date == date(2026, 3, 2)
    case.run(assign, ASSESSOR, officer_id=ASSESSOR.id, officer_name=ASSESSOR.name)
    case.run(check_document, ASSESSOR, document_id="doc-1", valid=True)
    case.run(check_document, ASSESSOR, document_id="doc-2", valid=False, invalid_reason="illegible")
    case.run(check_red_line_boundary, ASSESSOR, valid=True)
    case.run(check_fee, ASSESSOR, valid=True)
    replace_id, describe_id = str(uuid4()), str(uuid4())
    case.run(
        draft_validation_request,
        ASSESSOR,
        request_id=replace_id,
        request_type="replacement_document",
        reason="the floor plan is illegible",
        document_id="doc-2",
        today=date(2026, 3, 3),
    )
    case.run(
        draft_validation_request,
        ASSESSOR,
        request_id=describe_id,
        request_type="description_change",
        reason="clearer wording",
        proposed_description="Single storey rear extension, 3m deep",
        today=date(2026, 3, 3),
    )
    assert {r.state for r in case.state.requests.values()} == {"pending"}
    case.run(invalidate, ASSESSOR, today=date(2026, 3, 4))  # Wednesday
    assert case.state.status == "invalidated"
    due = {r.type: r.response_due for r in case.state.requests.values()}
    # business days after Wed 4 March: 15 for a replacement document, 5 for a description change
    assert due == {"replacement_document": date(2026, 3, 25), "description_change": date(2026, 3, 11)}

    from services.assessment.domain import UploadedDocument

    upload = UploadedDocument("doc-3", "plan.pdf", "DEMO/26-00001-HAPP/doc-3.pdf", "1" * 64, 2048, "application/pdf")
    case.record(
        answer_validation_request(
            case.state, request_id=replace_id, document=upload, now=datetime(2026, 3, 9, 15, tzinfo=UTC)
        ),
        APPLICANT,
    )
    case.record(
        answer_validation_request(
            case.state, request_id=describe_id, agreed=True, now=datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
        ),
        APPLICANT,
    )
    assert case.state.description == "Single storey rear extension, 3m deep"
    assert case.state.documents["doc-3"].source == "applicant"
    assert case.state.documents["doc-2"].replaced_by == "doc-3"
    # closed on Tue 10 March (23:30 UTC is still the 10th in London in March): valid from the next business day
    assert case.state.default_valid_from() == date(2026, 3, 11)
    case.run(validate, ASSESSOR, determination_period_days=56, today=date(2026, 3, 12))
    state = case.state
    assert (state.status, state.valid_from, state.expiry_date, state.target_date) == (
        "in_assessment",
        date(2026, 3, 11),
        date(2026, 5, 6),
        date(2026, 4, 15),
    )
    assert state.consultation == (date(2026, 3, 13), date(2026, 4, 3))
    case.run(record_site_notice, ASSESSOR, displayed_on=date(2026, 3, 20), today=date(2026, 3, 20))
    assert case.state.consultation == (date(2026, 3, 13), date(2026, 4, 10))

    case.run(
        record_assessment,
        ASSESSOR,
        summary_of_works="A single storey rear extension",
        conditions=[{"text": "Materials to match", "reason": "Visual amenity"}],
        informatives=["Party Wall Act"],
    )
    case.run(submit_recommendation, ASSESSOR, decision="granted", public_reason="Acceptable", private_note="easy")
    assert case.state.status == "awaiting_determination"
    case.run(review, REVIEWER, action="challenge", comment="Say more about the neighbours' light")
    assert case.state.status == "to_be_reviewed"
    case.run(record_assessment, ASSESSOR, summary_of_works="A single storey rear extension", amenity="No harm")
    case.run(submit_recommendation, ASSESSOR, decision="granted", public_reason="Acceptable")
    assert case.state.status == "awaiting_determination" and case.state.recommendation.review is None
    case.run(review, REVIEWER, action="agree")
    case.run(determine, ASSESSOR, today=date(2026, 4, 14), notice=notice())
    assert case.state.status == "determined"
    assert case.state.decision.decision == "granted" and case.state.decision.decision_date == date(2026, 4, 14)
    assert case.state.documents["notice-1"].source == "decision_notice"

    assert case.replayed() == case.state
    view = application_view(case.state, date(2026, 4, 14))
    assert view["status"] == "determined" and view["version"] == case.state.version
    assert (
        view["validFrom"] == "2026-03-11" and view["expiryDate"] == "2026-05-06" and view["targetDate"] == "2026-04-15"
    )
    assert view["consultation"]["endDate"] == "2026-04-10" and view["consultation"]["siteNotice"] == "2026-03-20"
    assert view["caseOfficer"] == {"id": ASSESSOR.id, "name": ASSESSOR.name}
    assert [r["dueDate"] for r in view["validationRequests"]] == ["2026-03-25", "2026-03-11"]
    assert view["decision"] == {"decision": "granted", "decisionDate": "2026-04-14", "noticeDocumentId": "notice-1"}
    assert view["review"]["status"] == "agreed" and view["recommendation"]["officer"]["id"] == ASSESSOR.id
    assert {d["id"]: d["validated"] for d in view["documents"]} == {
        "doc-1": True,
        "doc-2": False,
        "doc-3": None,
        "notice-1": None,
    }


def test_the_main_stream_version_ignores_the_documents_side_stream():
    case = Case(documents=("a", "b", "c"))
    assert case.state.version == 1 and len(case.state.documents) == 3
