"""The officer API's view of one application (camelCase JSON), as of a given day (days left, overdue)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.assessment.domain.state import Check, Officer, PlanningApplication, SiteConstraint, ValidationRequest
from shared.calendar import ENGLAND_AND_WALES


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _officer(officer: Officer | None) -> dict[str, str] | None:
    return {"id": officer.id, "name": officer.name} if officer else None


def _check(check: Check) -> dict[str, Any]:
    return {"valid": check.valid, "invalidReason": check.invalid_reason}


def application_view(state: PlanningApplication, today: date) -> dict[str, Any]:
    """Everything the officer sees of the application on `today`."""
    expiry = state.expiry_date
    live = state.is_open and expiry is not None
    consultation = state.consultation
    site = state.site
    return {
        "reference": state.reference,
        "council": state.council,
        "status": state.status,
        "version": state.version,
        "documentsVersion": state.documents_version,
        "applicationType": state.application_type,
        "preApplication": state.is_pre_application,
        "description": state.description,
        "address": {"singleLine": site.address, "postcode": site.postcode, "uprn": site.uprn},
        "boundaryChanged": state.boundary is not None,
        "receivedAt": state.received_at.isoformat() if state.received_at else None,
        "receivedDate": _iso(state.received_date),
        "invalidatedOn": _iso(state.invalidated_on),
        "validFrom": _iso(state.valid_from),
        "validatedOn": _iso(state.validated_on),
        "determinationPeriodDays": state.determination_period_days,
        "expiryDate": _iso(expiry),
        "statutoryExpiryDate": _iso(state.statutory_expiry_date),
        "targetDate": _iso(state.target_date),
        "daysLeft": ENGLAND_AND_WALES.business_days_between(today, expiry) if live and expiry else None,
        "overdue": bool(live and expiry and today > expiry),
        "consultation": {
            "startDate": _iso(consultation[0]),
            "endDate": _iso(consultation[1]),
            "siteNotice": _iso(max(state.site_notices, default=None)),
            "pressNotice": _iso(max(state.press_notices, default=None)),
        }
        if consultation
        else None,
        "caseOfficer": _officer(state.case_officer),
        "validationRequests": [request_view(r) for r in state.requests.values()],
        "checks": {
            "documents": {
                "checked": sum(1 for d in state.documents.values() if d.check.valid is not None),
                "invalid": sum(1 for d in state.documents.values() if d.check.valid is False),
                "total": sum(1 for d in state.documents.values() if d.source != "decision_notice"),
            },
            "redLineBoundary": _check(state.red_line_boundary_check),
            "fee": _check(state.fee_check),
        },
        "constraints": [_constraint(c) for c in state.constraints.values()],
        "assessment": _assessment(state),
        "recommendation": _recommendation(state),
        "review": _review(state),
        "committee": {
            "reason": state.committee.reason,
            "decision": state.committee.decision,
            "decidedOn": _iso(state.committee.decided_on),
            "notes": state.committee.notes,
        }
        if state.committee
        else None,
        "decision": {
            "decision": state.decision.decision,
            "decisionDate": state.decision.decision_date.isoformat(),
            "noticeDocumentId": state.decision.notice_document_id,
        }
        if state.decision
        else None,
        "documents": [
            {
                "id": d.id,
                "name": d.name,
                "contentType": d.content_type,
                "size": d.size,
                "tags": list(d.tags),
                "source": d.source,
                "requestId": d.request_id,
                "validated": d.check.valid,
                "invalidReason": d.check.invalid_reason,
                "replacedBy": d.replaced_by,
                "replaces": d.replaces,
                "published": d.published,
                "public": d.public or d.source == "decision_notice",
                "archived": d.archived,
                "archivedReason": d.archived_reason,
                "redactedCopy": {
                    "fileName": d.redacted.file_name,
                    "contentType": d.redacted.content_type,
                    "size": d.redacted.size,
                }
                if d.redacted
                else None,
            }
            for d in state.documents.values()
        ],
        "closure": {"status": state.closure.status, "reason": state.closure.reason, "on": state.closure.on.isoformat()}
        if state.closure
        else None,
    }


def request_view(request: ValidationRequest) -> dict[str, Any]:
    """One validation request as the officer API shows it (the applicant pages may show it too: nothing private)."""
    drafted = request.drafted
    answer = request.answer
    return {
        "id": request.id,
        "type": request.type,
        "state": request.state,
        "reason": request.reason,
        "postValidation": request.post_validation,
        "sentOn": _iso(request.sent_on),
        "dueDate": _iso(request.response_due),
        "closedOn": _iso(request.closed_on),
        "autoClosed": request.auto_closed,
        "cancelReason": request.cancel_reason,
        "cancelledOn": _iso(request.cancelled_on),
        "requestedBy": _officer(request.drafted_by),
        "details": {
            "requestedDocument": drafted.requested_document,
            "documentId": drafted.document_id,
            "proposedDescription": drafted.proposed_description,
            "proposedBoundary": drafted.proposed_boundary,
            "feeAmount": str(drafted.fee_amount) if isinstance(drafted.fee_amount, Decimal) else None,
            "suggestion": drafted.suggestion,
            "proposedCondition": drafted.proposed_condition.model_dump() if drafted.proposed_condition else None,
            "terms": drafted.terms,
            "proposedExpiryDate": _iso(drafted.proposed_expiry_date),
        },
        "answer": {
            "answeredAt": answer.answered_at.isoformat(),
            "agreed": answer.agreed,
            "reason": answer.reason,
            "response": answer.response,
            "documentId": answer.document_id,
        }
        if answer
        else None,
    }


def _assessment(state: PlanningApplication) -> dict[str, Any] | None:
    a = state.assessment
    if a is None:
        return None
    return {
        "summaryOfWorks": a.summary_of_works,
        "siteDescription": a.site_description,
        "consultationSummary": a.consultation_summary,
        "amenity": a.amenity,
        "policyConsiderations": a.policy_considerations,
        "conditions": [{"text": c.text, "reason": c.reason} for c in a.conditions],
        "informatives": list(a.informatives),
    }


def _recommendation(state: PlanningApplication) -> dict[str, Any] | None:
    r = state.recommendation
    if r is None:
        return None
    return {
        "decision": r.decision,
        "publicReason": r.public_reason,
        "privateNote": r.private_note,
        "officer": _officer(r.officer),
    }


def _review(state: PlanningApplication) -> dict[str, Any] | None:
    r = state.recommendation
    if r is None or r.review is None:
        return None
    return {
        "action": "agree" if r.review == "agreed" else "challenge",
        "status": r.review,
        "reviewer": _officer(r.reviewer),
        "comment": r.review_comment,
    }


def _constraint(constraint: SiteConstraint) -> dict[str, Any]:
    """One constraint of the site, where it came from (`submission` or `officer`) and whether an officer removed it."""
    return {
        "value": constraint.value,
        "description": constraint.description,
        "source": constraint.source,
        "entities": [{"name": e.name, "entity": e.entity, "source": e.source} for e in constraint.entities],
        "addedBy": _officer(constraint.added_by),
        "removed": constraint.removed,
        "removedReason": constraint.removed_reason,
        "removedBy": _officer(constraint.removed_by),
    }
