"""What the messages say about an application and a council, folded from their events (pure: no I/O).

An application's facts are taken as they stood when the triggering event was recorded (the main stream up to its
version), so a message says the same whenever, and however often, its event is delivered. Requests are the
exception: a request's details never change once sent, and an invalidation's requests are sent in the same append
as the invalidation itself, just after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from events import RecordedEvent
from events.application import PlanningApplicationSubmitted
from events.assessment import (
    AssessmentRecorded,
    CaseOfficerAssigned,
    CommitteeDecisionRecorded,
    Condition,
    DescriptionChanged,
    PlanningApplicationInvalidated,
    PlanningApplicationValidated,
    RecommendationSubmitted,
    ValidationRequestDrafted,
    ValidationRequestSent,
)
from events.council import OfficerCreated, OfficerDeactivated, OfficerRoleChanged
from events.submission import ContactSummary

TARGET_DAYS = 35  # target date = valid-from + 35 days (the statutory clock's rule, README "The statutory clock")


@dataclass(frozen=True, slots=True)
class Request:
    """A validation request to the applicant, as the message about it needs it."""

    id: str
    type: str
    reason: str
    post_validation: bool = False
    proposed_description: str | None = None
    requested_document: str | None = None
    suggestion: str | None = None
    sent_on: date | None = None
    response_due: date | None = None


@dataclass(frozen=True, slots=True)
class ApplicationFacts:
    council: str
    reference: str
    application_type: str = ""
    application_type_name: str | None = None
    address: str = ""
    description: str = ""
    applicant: ContactSummary | None = None
    agent: ContactSummary | None = None
    case_officer_id: str | None = None
    valid_from: date | None = None
    expiry_date: date | None = None
    target_date: date | None = None
    public_reason: str | None = None  # the newest recommendation's reasons, which the decision gives
    committee_notes: str | None = None
    conditions: tuple[Condition, ...] = ()
    requests: dict[str, Request] = field(default_factory=dict)
    invalidation_requests: frozenset[str] = frozenset()  # requests sent together by an invalidation (one message)
    recommended_by: str | None = None  # the officer who submitted the newest recommendation


def application_facts(council: str, reference: str, events: Iterable[RecordedEvent]) -> ApplicationFacts:
    """Fold the main stream's events (those up to the triggering one)."""
    facts = ApplicationFacts(council=council, reference=reference)
    for recorded in events:
        facts = _apply(facts, recorded.payload)
    return facts


def _apply(facts: ApplicationFacts, payload: object) -> ApplicationFacts:
    if isinstance(payload, PlanningApplicationSubmitted):
        submission = payload.submission
        site = submission.site
        extra = [part for part in (site.town, site.postcode) if part and part not in site.address]
        return replace(
            facts,
            application_type=submission.application_type,
            application_type_name=submission.application_type_name,
            address=", ".join([site.address, *extra]) if site.address else ", ".join(extra),
            description=submission.description or "",
            applicant=submission.applicant,
            agent=submission.agent,
        )
    if isinstance(payload, CaseOfficerAssigned):
        return replace(facts, case_officer_id=payload.officer_id)
    if isinstance(payload, DescriptionChanged):
        return replace(facts, description=payload.description)
    if isinstance(payload, PlanningApplicationValidated):
        return replace(
            facts,
            valid_from=payload.valid_from,
            expiry_date=payload.valid_from + timedelta(days=payload.determination_period_days),
            target_date=payload.valid_from + timedelta(days=TARGET_DAYS),
        )
    if isinstance(payload, RecommendationSubmitted):
        return replace(facts, public_reason=payload.public_reason, recommended_by=payload.officer_id)
    if isinstance(payload, PlanningApplicationInvalidated):
        return replace(facts, invalidation_requests=facts.invalidation_requests | set(payload.request_ids))
    if isinstance(payload, CommitteeDecisionRecorded):
        return replace(facts, committee_notes=payload.notes)
    if isinstance(payload, AssessmentRecorded):
        return replace(facts, conditions=payload.conditions)
    if isinstance(payload, ValidationRequestDrafted | ValidationRequestSent):
        return replace(facts, requests=with_request(facts.requests, payload))
    return facts


def with_request(
    requests: dict[str, Request], payload: ValidationRequestDrafted | ValidationRequestSent
) -> dict[str, Request]:
    if isinstance(payload, ValidationRequestDrafted):
        request = Request(
            id=payload.request_id,
            type=payload.request_type,
            reason=payload.reason,
            post_validation=payload.post_validation,
            proposed_description=payload.proposed_description,
            requested_document=payload.requested_document,
            suggestion=payload.suggestion,
        )
        return {**requests, request.id: request}
    drafted = requests.get(payload.request_id)
    if drafted is None:
        return requests
    return {**requests, drafted.id: replace(drafted, sent_on=payload.sent_on, response_due=payload.response_due)}


def all_requests(events: Iterable[RecordedEvent]) -> dict[str, Request]:
    """Every request of the main stream with its sending (a request never changes once sent)."""
    requests: dict[str, Request] = {}
    for recorded in events:
        if isinstance(recorded.payload, ValidationRequestDrafted | ValidationRequestSent):
            requests = with_request(requests, recorded.payload)
    return requests


@dataclass(frozen=True, slots=True)
class Officer:
    id: str
    name: str
    email: str
    role: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class CouncilFacts:
    code: str
    name: str
    public_base_url: str
    officers: dict[str, Officer] = field(default_factory=dict)

    def reviewers(self) -> list[Officer]:
        return sorted((o for o in self.officers.values() if o.active and o.role == "reviewer"), key=lambda o: o.id)


def council_officers(events: Iterable[RecordedEvent]) -> dict[str, Officer]:
    """The council's officers now, folded from its stream."""
    officers: dict[str, Officer] = {}
    for recorded in events:
        payload = recorded.payload
        if isinstance(payload, OfficerCreated):
            officers[payload.officer_id] = Officer(payload.officer_id, payload.name, payload.email, payload.role)
        elif isinstance(payload, OfficerDeactivated) and payload.officer_id in officers:
            officers[payload.officer_id] = replace(officers[payload.officer_id], active=False)
        elif isinstance(payload, OfficerRoleChanged) and payload.officer_id in officers:
            officers[payload.officer_id] = replace(officers[payload.officer_id], role=payload.role)
    return officers
