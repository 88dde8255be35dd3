"""Cases in each status, made through the commands themselves (so every test starts from a reachable state)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from services.assessment.domain import (
    draft_validation_request,
    invalidate,
    record_assessment,
    record_committee_decision,
    review,
    send_to_committee,
    submit_recommendation,
    validate,
)
from tests.assessment.support import ASSESSOR, REVIEWER, Case

DRAFTED_ON = date(2026, 3, 3)
VALIDATED_ON = date(2026, 3, 4)
RECOMMENDED_ON = date(2026, 3, 20)


def new_id() -> str:
    return str(uuid4())


def with_pending(case: Case | None = None, request_type: str = "additional_document", **details: object) -> Case:
    case = case or Case()
    details = details or ({"requested_document": "a site plan"} if request_type == "additional_document" else {})
    case.run(
        draft_validation_request,
        ASSESSOR,
        request_id=new_id(),
        request_type=request_type,
        reason="needed",
        today=DRAFTED_ON,
        **details,
    )
    return case


def invalidated(case: Case | None = None) -> Case:
    case = with_pending(case)
    case.run(invalidate, ASSESSOR, today=DRAFTED_ON)
    return case


def validated(application_type: str = "pp.full.householder") -> Case:
    case = Case(application_type)
    case.run(validate, ASSESSOR, determination_period_days=56, today=VALIDATED_ON)
    return case


def assessed(application_type: str = "pp.full.householder") -> Case:
    case = validated(application_type)
    case.run(record_assessment, ASSESSOR, summary_of_works="A rear extension")
    return case


def recommended(decision: str = "granted", application_type: str = "pp.full.householder") -> Case:
    case = assessed(application_type)
    case.run(submit_recommendation, ASSESSOR, decision=decision, public_reason="Acceptable")
    return case


def agreed() -> Case:
    case = recommended()
    case.run(review, REVIEWER, action="agree")
    return case


def challenged() -> Case:
    case = recommended()
    case.run(review, REVIEWER, action="challenge", comment="more on amenity")
    return case


def in_committee(decided: bool = False) -> Case:
    case = recommended()
    case.run(send_to_committee, ASSESSOR, reason="called in by a councillor")
    if decided:
        case.run(
            record_committee_decision, ASSESSOR, decision="refused", decided_on=RECOMMENDED_ON, today=RECOMMENDED_ON
        )
    return case
