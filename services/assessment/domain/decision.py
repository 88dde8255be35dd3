"""From recommendation to decision: recommend, review (agree or challenge), committee, determine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from events import EventPayload
from events.assessment import (
    CommitteeDecisionRecorded,
    Decision,
    DecisionNoticeIssued,
    PlanningApplicationDetermined,
    PlanningApplicationSentToCommittee,
    RecommendationAgreed,
    RecommendationChallenged,
    RecommendationSubmitted,
    ValidationRequestCancelled,
)
from services.assessment.domain import guards
from services.assessment.domain.errors import Conflict, NotPermitted
from services.assessment.domain.state import PlanningApplication
from shared.officer_identity import SignedInOfficer

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class DecisionNoticeFile:
    """The rendered decision notice, already stored in the document store (the handler stores it first)."""

    document_id: str
    key: str
    sha256: str
    size: int
    content_type: str = "text/html; charset=utf-8"


def decisions_for(state: PlanningApplication) -> tuple[str, ...]:
    """`not_required` only where the type allows it: prior approvals."""
    return ("granted", "refused", "not_required") if state.is_prior_approval else ("granted", "refused")


def _decision(fields: guards.Fields, state: PlanningApplication, name: str, decision: str) -> Decision:
    allowed = decisions_for(state)
    if decision not in allowed:
        fields.add(name, f"must be one of {', '.join(allowed)} for a {state.application_type} application")
    return cast(Decision, decision)


def submit_recommendation(
    state: PlanningApplication,
    officer: SignedInOfficer,
    *,
    decision: str,
    public_reason: str,
    private_note: str | None = None,
) -> list[EventPayload]:
    guards.case_work(state, officer, "recommend decisions")
    guards.status(state, guards.UNDER_ASSESSMENT, "submit a recommendation")
    if state.assessment is None:
        raise Conflict("cannot submit a recommendation before the assessment is recorded")
    fields = guards.Fields()
    chosen = _decision(fields, state, "decision", decision)
    reason = fields.long("publicReason", public_reason)
    note = fields.text("privateNote", private_note, required=False)
    fields.check()
    return [
        RecommendationSubmitted(
            decision=chosen,
            public_reason=reason or "",
            private_note=note,
            officer_id=officer.id,
            officer_name=officer.name,
        )
    ]


def review(
    state: PlanningApplication, officer: SignedInOfficer, *, action: str, comment: str | None = None
) -> list[EventPayload]:
    """A reviewer agrees, or challenges with a comment (back to the case officer); never their own recommendation."""
    guards.application(state, officer)
    guards.role(officer, guards.REVIEW, "review recommendations")
    guards.status(state, {"awaiting_determination"}, "review the recommendation")
    recommendation = state.recommendation
    if recommendation is None:  # not reachable through the commands: awaiting_determination follows a recommendation
        raise Conflict("there is no recommendation to review")
    if recommendation.review == "agreed":
        reviewer = recommendation.reviewer.name if recommendation.reviewer else "a reviewer"
        raise Conflict(f"the recommendation was already agreed by {reviewer}")
    if recommendation.officer.id == officer.id:
        raise NotPermitted("you cannot review a recommendation you made")
    fields = guards.Fields()
    if action not in ("agree", "challenge"):
        fields.add("action", "must be agree or challenge")
    text = fields.text("comment", comment, required=action == "challenge")
    fields.check()
    if action == "agree":
        return [RecommendationAgreed(reviewer_id=officer.id, reviewer_name=officer.name, comment=text)]
    return [RecommendationChallenged(reviewer_id=officer.id, reviewer_name=officer.name, comment=text or "")]


def send_to_committee(state: PlanningApplication, officer: SignedInOfficer, *, reason: str) -> list[EventPayload]:
    guards.case_work(state, officer, "send applications to committee")
    guards.status(state, {"awaiting_determination"}, "send the application to committee")
    fields = guards.Fields()
    text = fields.text("reason", reason)
    fields.check()
    return [PlanningApplicationSentToCommittee(reason=text or "")]


def record_committee_decision(
    state: PlanningApplication,
    officer: SignedInOfficer,
    *,
    decision: str,
    decided_on: date,
    today: date,
    notes: str | None = None,
) -> list[EventPayload]:
    guards.case_work(state, officer, "record committee decisions")
    guards.status(state, {"in_committee"}, "record the committee's decision")
    if state.committee is not None and state.committee.decision is not None:
        raise Conflict(f"the committee's decision ({state.committee.decision}) is already recorded")
    fields = guards.Fields()
    chosen = _decision(fields, state, "decision", decision)
    if not guards.is_day(decided_on):
        fields.add("decidedOn", "is required (a date)")
    else:
        fields.not_future("decidedOn", decided_on, today)
        fields.not_before("decidedOn", decided_on, state.valid_from, "the valid-from date")
    text = fields.text("notes", notes, required=False)
    fields.check()
    return [CommitteeDecisionRecorded(decision=chosen, decided_on=decided_on, notes=text)]


def determine(
    state: PlanningApplication,
    officer: SignedInOfficer,
    *,
    decision_date: date | None = None,
    today: date,
    notice: DecisionNoticeFile,
) -> list[EventPayload]:
    """Issue the decision the reviewer agreed (or the committee made), dated today or earlier, with its notice;
    requests still pending or open are cancelled with it."""
    guards.case_work(state, officer, "determine applications")
    guards.status(state, {"awaiting_determination", "in_committee"}, "determine the application")
    decision = decision_to_issue(state)
    if decision is None:
        if state.status == "in_committee":
            raise Conflict("cannot determine the application before the committee's decision is recorded")
        raise Conflict("cannot determine the application before a reviewer agrees with the recommendation")
    chosen = decision_date or today
    fields = guards.Fields()
    fields.not_future("decisionDate", chosen, today)
    fields.not_before("decisionDate", chosen, state.valid_from, "the valid-from date")
    if state.committee and state.committee.decided_on:
        fields.not_before("decisionDate", chosen, state.committee.decided_on, "the committee's decision")
    _check_notice(fields, state, notice)
    fields.check()
    # requests still live (e.g. an unanswered time extension) end with the decision: their links stop working
    cancelled: list[EventPayload] = [
        ValidationRequestCancelled(request_id=r.id, reason="the application was determined", cancelled_on=today)
        for r in state.live_requests()
    ]
    return [
        *cancelled,
        PlanningApplicationDetermined(
            decision=cast(Decision, decision), decision_date=chosen, notice_document_id=notice.document_id
        ),
        DecisionNoticeIssued(
            document_id=notice.document_id,
            key=notice.key,
            sha256=notice.sha256,
            size=notice.size,
            content_type=notice.content_type,
        ),
    ]


def decision_to_issue(state: PlanningApplication) -> str | None:
    """The decision that `determine` would issue now: the committee's, or the agreed recommendation's."""
    if state.status == "in_committee":
        return state.committee.decision if state.committee else None
    if state.recommendation is not None and state.recommendation.review == "agreed":
        return state.recommendation.decision
    return None


def _check_notice(fields: guards.Fields, state: PlanningApplication, notice: DecisionNoticeFile) -> None:
    fields.short("notice.documentId", notice.document_id)
    fields.short("notice.key", notice.key)
    fields.short("notice.contentType", notice.content_type)
    if notice.document_id in state.documents:
        fields.add("notice.documentId", "is already a document of this application")
    if not _SHA256.match(notice.sha256 or ""):
        fields.add("notice.sha256", "must be a lower-case hex SHA-256")
    if not isinstance(notice.size, int) or notice.size <= 0:
        fields.add("notice.size", "must be a positive number of bytes")


__all__ = [
    "DecisionNoticeFile",
    "decision_to_issue",
    "decisions_for",
    "determine",
    "record_committee_decision",
    "review",
    "send_to_committee",
    "submit_recommendation",
]
