"""Every command's guards, table-driven: the refusal's kind (status code), its message or fields, and no events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.assessment.domain import (
    AssessmentRefusal,
    Conflict,
    InvalidCommand,
    NotFound,
    NotPermitted,
    add_constraint,
    assign,
    cancel_validation_request,
    check_document,
    check_fee,
    close,
    determine,
    draft_validation_request,
    invalidate,
    record_assessment,
    record_committee_decision,
    record_press_notice,
    record_site_notice,
    remove_constraint,
    request_time_extension,
    return_application,
    review,
    send_to_committee,
    submit_recommendation,
    validate,
    withdraw,
)
from tests.assessment import builders as b
from tests.assessment.support import ADMINISTRATOR, ASSESSOR, ELSEWHERE, OTHER_ASSESSOR, REVIEWER, Case, notice

TODAY = date(2026, 4, 1)
Row = tuple[str, Callable[[], Case], Callable[..., Any], Any, dict[str, Any], type[AssessmentRefusal], str]

ROWS: list[Row] = [
    # --- who may act -------------------------------------------------------------------------------------------
    (
        "administrator validates",
        Case,
        validate,
        ADMINISTRATOR,
        {"determination_period_days": 56, "today": TODAY},
        NotPermitted,
        "only assessors or reviewers may validate",
    ),
    (
        "administrator recommends",
        b.assessed,
        submit_recommendation,
        ADMINISTRATOR,
        {"decision": "granted", "public_reason": "x"},
        NotPermitted,
        "administrator",
    ),
    ("assessor reviews", b.recommended, review, ASSESSOR, {"action": "agree"}, NotPermitted, "only reviewers"),
    (
        "administrator reviews",
        b.recommended,
        review,
        ADMINISTRATOR,
        {"action": "agree"},
        NotPermitted,
        "only reviewers",
    ),
    (
        "another council's officer",
        Case,
        validate,
        ELSEWHERE,
        {"determination_period_days": 56, "today": TODAY},
        NotFound,
        "no planning application",
    ),
    (
        "another council's officer assigns",
        Case,
        assign,
        ELSEWHERE,
        {"officer_id": "x", "officer_name": "X"},
        NotFound,
        "no planning application",
    ),
    # --- validation --------------------------------------------------------------------------------------------
    (
        "validate with a pending request",
        b.with_pending,
        validate,
        ASSESSOR,
        {"determination_period_days": 56, "today": TODAY},
        Conflict,
        "still pending",
    ),
    (
        "validate with an open request",
        b.invalidated,
        validate,
        ASSESSOR,
        {"determination_period_days": 56, "today": TODAY},
        Conflict,
        "still open",
    ),
    (
        "validate from a future date",
        Case,
        validate,
        ASSESSOR,
        {"valid_from": date(2026, 4, 2), "determination_period_days": 56, "today": TODAY},
        InvalidCommand,
        "validFrom",
    ),
    (
        "validate from before receipt",
        Case,
        validate,
        ASSESSOR,
        {"valid_from": date(2026, 3, 1), "determination_period_days": 56, "today": TODAY},
        InvalidCommand,
        "validFrom",
    ),
    (
        "validate with no period",
        Case,
        validate,
        ASSESSOR,
        {"determination_period_days": 0, "today": TODAY},
        InvalidCommand,
        "determinationPeriodDays",
    ),
    (
        "validate twice",
        b.validated,
        validate,
        ASSESSOR,
        {"determination_period_days": 56, "today": TODAY},
        Conflict,
        "the application is in_assessment",
    ),
    ("invalidate with nothing pending", Case, invalidate, ASSESSOR, {"today": TODAY}, Conflict, "no pending"),
    ("invalidate twice", b.invalidated, invalidate, ASSESSOR, {"today": TODAY}, Conflict, "is invalidated"),
    ("invalidate once valid", b.validated, invalidate, ASSESSOR, {"today": TODAY}, Conflict, "is in_assessment"),
    (
        "check an unknown document",
        Case,
        check_document,
        ASSESSOR,
        {"document_id": "nope", "valid": True},
        NotFound,
        "no document nope",
    ),
    ("invalid without a reason", Case, check_fee, ASSESSOR, {"valid": False}, InvalidCommand, "invalidReason"),
    (
        "add a constraint twice",
        lambda: _with_constraint(),
        add_constraint,
        ASSESSOR,
        {"constraint": "flood-zone"},
        Conflict,
        "already has the constraint flood-zone: it was already added",
    ),
    (
        "add a constraint the submission has",
        Case,
        add_constraint,
        ASSESSOR,
        {"constraint": "articleFour"},
        Conflict,
        "already has the constraint articleFour: the submission has it",
    ),
    (
        "remove a constraint twice",
        lambda: _without_constraint(),
        remove_constraint,
        ASSESSOR,
        {"constraint": "articleFour", "reason": "again"},
        Conflict,
        "already removed",
    ),
    (
        "remove a constraint the application does not have",
        Case,
        remove_constraint,
        ASSESSOR,
        {"constraint": "flood-zone", "reason": "not there"},
        Conflict,
        "has no constraint flood-zone",
    ),
    (
        "remove one the submission checked but found not to intersect the site",
        Case,
        remove_constraint,
        ASSESSOR,
        {"constraint": "tpo", "reason": "not there"},
        Conflict,
        "has no constraint tpo",
    ),
    (
        "remove a constraint without a reason",
        Case,
        remove_constraint,
        ASSESSOR,
        {"constraint": "articleFour", "reason": " "},
        InvalidCommand,
        "reason",
    ),
    (
        "assign the same officer again",
        lambda: _assigned(),
        assign,
        ASSESSOR,
        {"officer_id": ASSESSOR.id, "officer_name": ASSESSOR.name},
        Conflict,
        "already the case officer",
    ),
    # --- validation requests -----------------------------------------------------------------------------------
    (
        "a request without a reason",
        Case,
        draft_validation_request,
        ASSESSOR,
        {"request_id": b.new_id(), "request_type": "ownership_certificate", "reason": " ", "today": TODAY},
        InvalidCommand,
        "reason",
    ),
    (
        "an unknown request type",
        Case,
        draft_validation_request,
        ASSESSOR,
        {"request_id": b.new_id(), "request_type": "bribe", "reason": "x", "today": TODAY},
        InvalidCommand,
        "type",
    ),
    (
        "a request id that is not a UUID4",
        Case,
        draft_validation_request,
        ASSESSOR,
        {"request_id": "1", "request_type": "ownership_certificate", "reason": "x", "today": TODAY},
        InvalidCommand,
        "requestId",
    ),
    (
        "a description change to the same description",
        Case,
        draft_validation_request,
        ASSESSOR,
        {
            "request_id": b.new_id(),
            "request_type": "description_change",
            "reason": "x",
            "proposed_description": "Single storey rear extension",
            "today": TODAY,
        },
        InvalidCommand,
        "proposedDescription",
    ),
    (
        "a second description change",
        lambda: b.with_pending(None, "description_change", proposed_description="New"),
        draft_validation_request,
        ASSESSOR,
        {
            "request_id": b.new_id(),
            "request_type": "description_change",
            "reason": "x",
            "proposed_description": "Other",
            "today": TODAY,
        },
        Conflict,
        "already a pending description change",
    ),
    (
        "a second fee change",
        lambda: b.with_pending(None, "fee_change", fee_amount="258.00"),
        draft_validation_request,
        ASSESSOR,
        {"request_id": b.new_id(), "request_type": "fee_change", "reason": "x", "fee_amount": "10", "today": TODAY},
        Conflict,
        "already a pending fee change",
    ),
    (
        "a replacement of an unknown document",
        Case,
        draft_validation_request,
        ASSESSOR,
        {
            "request_id": b.new_id(),
            "request_type": "replacement_document",
            "reason": "x",
            "document_id": "nope",
            "today": TODAY,
        },
        InvalidCommand,
        "documentId",
    ),
    (
        "a detail of another type",
        Case,
        draft_validation_request,
        ASSESSOR,
        {
            "request_id": b.new_id(),
            "request_type": "ownership_certificate",
            "reason": "x",
            "fee_amount": "1",
            "today": TODAY,
        },
        InvalidCommand,
        "feeAmount",
    ),
    (
        "a fee change of no amount",
        Case,
        draft_validation_request,
        ASSESSOR,
        {"request_id": b.new_id(), "request_type": "fee_change", "reason": "x", "fee_amount": "-3", "today": TODAY},
        InvalidCommand,
        "feeAmount",
    ),
    (
        "a boundary that is not a polygon",
        Case,
        draft_validation_request,
        ASSESSOR,
        {
            "request_id": b.new_id(),
            "request_type": "red_line_boundary_change",
            "reason": "x",
            "proposed_boundary": {"type": "Point", "coordinates": [0, 0]},
            "today": TODAY,
        },
        InvalidCommand,
        "proposedBoundary",
    ),
    (
        "a fee change after validation",
        b.validated,
        draft_validation_request,
        ASSESSOR,
        {"request_id": b.new_id(), "request_type": "fee_change", "reason": "x", "fee_amount": "10", "today": TODAY},
        Conflict,
        "only be made before",
    ),
    (
        "a fee change on a pre-application",
        lambda: Case("preApp"),
        draft_validation_request,
        ASSESSOR,
        {"request_id": b.new_id(), "request_type": "fee_change", "reason": "x", "fee_amount": "10", "today": TODAY},
        InvalidCommand,
        "pre-applications have no fee change",
    ),
    (
        "a pre-commencement condition before validation",
        Case,
        draft_validation_request,
        ASSESSOR,
        {
            "request_id": b.new_id(),
            "request_type": "pre_commencement_condition",
            "reason": "x",
            "proposed_condition": {"text": "t", "reason": "r"},
            "today": TODAY,
        },
        Conflict,
        "once the application is validated",
    ),
    (
        "a request while awaiting determination",
        b.recommended,
        draft_validation_request,
        ASSESSOR,
        {"request_id": b.new_id(), "request_type": "other_change", "reason": "x", "suggestion": "y", "today": TODAY},
        Conflict,
        "is awaiting_determination",
    ),
    (
        "cancel an unknown request",
        Case,
        cancel_validation_request,
        ASSESSOR,
        {"request_id": b.new_id(), "reason": "x", "today": TODAY},
        NotFound,
        "no validation request",
    ),
    (
        "cancel without a reason",
        b.with_pending,
        lambda s, o, **k: cancel_validation_request(s, o, request_id=next(iter(s.requests)), **k),
        ASSESSOR,
        {"reason": "", "today": TODAY},
        InvalidCommand,
        "reason",
    ),
    (
        "time extension before validation",
        Case,
        request_time_extension,
        ASSESSOR,
        {"request_id": b.new_id(), "proposed_expiry_date": date(2026, 9, 1), "reason": "x", "today": TODAY},
        Conflict,
        "is not_started",
    ),
    (
        "time extension to an earlier date",
        b.validated,
        request_time_extension,
        ASSESSOR,
        {"request_id": b.new_id(), "proposed_expiry_date": date(2026, 4, 20), "reason": "x", "today": TODAY},
        InvalidCommand,
        "proposedExpiryDate",
    ),
    # --- consultation --------------------------------------------------------------------------------------------
    (
        "site notice on a lawful development certificate",
        lambda: b.validated("ldc.proposed"),
        record_site_notice,
        ASSESSOR,
        {"displayed_on": TODAY, "today": TODAY},
        Conflict,
        "no consultation",
    ),
    (
        "press notice in the future",
        b.validated,
        record_press_notice,
        ASSESSOR,
        {"published_on": date(2026, 4, 2), "today": TODAY},
        InvalidCommand,
        "publishedOn",
    ),
    (
        "site notice before validation",
        Case,
        record_site_notice,
        ASSESSOR,
        {"displayed_on": TODAY, "today": TODAY},
        Conflict,
        "is not_started",
    ),
    # --- assessment and recommendation ---------------------------------------------------------------------------
    (
        "assessment before validation",
        Case,
        record_assessment,
        ASSESSOR,
        {"summary_of_works": "x"},
        Conflict,
        "is not_started",
    ),
    (
        "assessment without a summary",
        b.validated,
        record_assessment,
        ASSESSOR,
        {"summary_of_works": ""},
        InvalidCommand,
        "summaryOfWorks",
    ),
    (
        "a condition without a reason",
        b.validated,
        record_assessment,
        ASSESSOR,
        {"summary_of_works": "x", "conditions": [{"text": "t"}]},
        InvalidCommand,
        "conditions[0].reason",
    ),
    (
        "recommend before the assessment",
        b.validated,
        submit_recommendation,
        ASSESSOR,
        {"decision": "granted", "public_reason": "x"},
        Conflict,
        "before the assessment",
    ),
    (
        "recommend no decision",
        b.assessed,
        submit_recommendation,
        ASSESSOR,
        {"decision": "", "public_reason": "x"},
        InvalidCommand,
        "decision",
    ),
    (
        "not required for a householder",
        b.assessed,
        submit_recommendation,
        ASSESSOR,
        {"decision": "not_required", "public_reason": "x"},
        InvalidCommand,
        "granted, refused",
    ),
    (
        "recommend without a public reason",
        b.assessed,
        submit_recommendation,
        ASSESSOR,
        {"decision": "granted", "public_reason": ""},
        InvalidCommand,
        "publicReason",
    ),
    # --- review ----------------------------------------------------------------------------------------------------
    (
        "review one's own recommendation",
        lambda: _recommended_by(REVIEWER),
        review,
        REVIEWER,
        {"action": "agree"},
        NotPermitted,
        "you made",
    ),
    (
        "challenge without a comment",
        b.recommended,
        review,
        REVIEWER,
        {"action": "challenge"},
        InvalidCommand,
        "comment",
    ),
    ("an unknown review action", b.recommended, review, REVIEWER, {"action": "shrug"}, InvalidCommand, "action"),
    ("agree twice", b.agreed, review, REVIEWER, {"action": "agree"}, Conflict, "already agreed by Rae Reviewer"),
    (
        "review a challenged recommendation",
        b.challenged,
        review,
        REVIEWER,
        {"action": "agree"},
        Conflict,
        "is to_be_reviewed",
    ),
    ("review before a recommendation", b.assessed, review, REVIEWER, {"action": "agree"}, Conflict, "is in_assessment"),
    # --- committee and determination ----------------------------------------------------------------------------
    (
        "committee without a reason",
        b.recommended,
        send_to_committee,
        ASSESSOR,
        {"reason": ""},
        InvalidCommand,
        "reason",
    ),
    (
        "committee before a recommendation",
        b.assessed,
        send_to_committee,
        ASSESSOR,
        {"reason": "x"},
        Conflict,
        "is in_assessment",
    ),
    (
        "committee decision in the future",
        b.in_committee,
        record_committee_decision,
        ASSESSOR,
        {"decision": "granted", "decided_on": date(2026, 4, 2), "today": TODAY},
        InvalidCommand,
        "decidedOn",
    ),
    (
        "committee decision twice",
        lambda: b.in_committee(decided=True),
        record_committee_decision,
        ASSESSOR,
        {"decision": "granted", "decided_on": TODAY, "today": TODAY},
        Conflict,
        "already recorded",
    ),
    (
        "determine before agreement",
        b.recommended,
        determine,
        ASSESSOR,
        {"today": TODAY, "notice": notice()},
        Conflict,
        "before a reviewer agrees",
    ),
    (
        "determine before the committee decides",
        b.in_committee,
        determine,
        ASSESSOR,
        {"today": TODAY, "notice": notice()},
        Conflict,
        "before the committee's decision",
    ),
    (
        "determine in the future",
        b.agreed,
        determine,
        ASSESSOR,
        {"decision_date": date(2026, 4, 2), "today": TODAY, "notice": notice()},
        InvalidCommand,
        "decisionDate",
    ),
    (
        "determine before valid",
        b.agreed,
        determine,
        ASSESSOR,
        {"decision_date": date(2026, 3, 1), "today": TODAY, "notice": notice()},
        InvalidCommand,
        "decisionDate",
    ),
    (
        "determine with a bad notice",
        b.agreed,
        determine,
        ASSESSOR,
        {"today": TODAY, "notice": notice("doc-1")},
        InvalidCommand,
        "notice.documentId",
    ),
    (
        "determine before validation",
        Case,
        determine,
        ASSESSOR,
        {"today": TODAY, "notice": notice()},
        Conflict,
        "is not_started",
    ),
    (
        "determine as an administrator",
        b.agreed,
        determine,
        ADMINISTRATOR,
        {"today": TODAY, "notice": notice()},
        NotPermitted,
        "administrator",
    ),
    # --- closure -----------------------------------------------------------------------------------------------
    ("withdraw without a reason", Case, withdraw, ASSESSOR, {"reason": " ", "today": TODAY}, InvalidCommand, "reason"),
    (
        "return a valid application",
        b.validated,
        return_application,
        ASSESSOR,
        {"reason": "x", "today": TODAY},
        Conflict,
        "is in_assessment",
    ),
    (
        "close a closed application",
        lambda: _closed(),
        close,
        ASSESSOR,
        {"reason": "x", "today": TODAY},
        Conflict,
        "is closed",
    ),
    (
        "withdraw a determined application",
        lambda: _determined(),
        withdraw,
        ASSESSOR,
        {"reason": "x", "today": TODAY},
        Conflict,
        "is determined",
    ),
    (
        "act on a closed application",
        lambda: _closed(),
        add_constraint,
        OTHER_ASSESSOR,
        {"constraint": "x"},
        Conflict,
        "is closed",
    ),
]


# Dates must be dates: a moment or a text would not compare with the calendar's dates.
ROWS += [
    ("validate from a moment, not a date", Case, validate, ASSESSOR,
     {"valid_from": datetime(2026, 3, 3, 9, tzinfo=UTC), "determination_period_days": 56, "today": TODAY},
     InvalidCommand, "validFrom"),
    ("time extension to a moment, not a date", b.validated, request_time_extension, ASSESSOR,
     {"request_id": b.new_id(), "proposed_expiry_date": datetime(2026, 9, 1, tzinfo=UTC), "reason": "x",
      "today": TODAY}, InvalidCommand, "proposedExpiryDate"),
    ("site notice on a text date", b.validated, record_site_notice, ASSESSOR,
     {"displayed_on": "2026-03-10", "today": TODAY}, InvalidCommand, "displayedOn"),
    ("determine on a moment", b.agreed, determine, ASSESSOR,
     {"decision_date": datetime(2026, 3, 30, tzinfo=UTC), "today": TODAY, "notice": notice()}, InvalidCommand,
     "decisionDate"),
]  # fmt: skip


def _with_constraint() -> Case:
    case = Case()
    case.run(add_constraint, ASSESSOR, constraint="flood-zone")
    return case


def _without_constraint() -> Case:
    case = Case()
    case.run(remove_constraint, ASSESSOR, constraint="articleFour", reason="the direction was revoked")
    return case


def _assigned() -> Case:
    case = Case()
    case.run(assign, ADMINISTRATOR, officer_id=ASSESSOR.id, officer_name=ASSESSOR.name)
    return case


def _recommended_by(officer: Any) -> Case:
    case = b.assessed()
    case.run(submit_recommendation, officer, decision="granted", public_reason="Acceptable")
    return case


def _closed() -> Case:
    case = Case()
    case.run(close, ASSESSOR, reason="duplicate", today=TODAY)
    return case


def _determined() -> Case:
    case = b.agreed()
    case.run(determine, ASSESSOR, today=TODAY, notice=notice())
    return case


@pytest.mark.parametrize(("build", "command", "officer", "inputs", "refusal", "says"),
                         [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])  # fmt: skip
def test_a_command_refused(build, command, officer, inputs, refusal, says):
    case = build()
    before = case.state
    with pytest.raises(refusal) as raised:
        command(case.state, officer, **inputs)
    error = raised.value
    assert type(error) is refusal and error.status == {Conflict: 409, InvalidCommand: 422, NotPermitted: 403,
                                                      NotFound: 404}[refusal]  # fmt: skip
    assert says in error.message or says in error.fields, (error.message, error.fields)
    if refusal is InvalidCommand:
        assert error.fields
    assert case.state is before


def test_an_unknown_application_is_not_found():
    from services.assessment.domain import PlanningApplication

    with pytest.raises(NotFound):
        validate(PlanningApplication(), ASSESSOR, determination_period_days=56, today=TODAY)
