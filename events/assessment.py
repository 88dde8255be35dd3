"""Events of a planning application's assessment: validation, requests to the applicant, assessment, review, decision.

All but two are on the application's main stream (the optimistic-concurrency check protects it). A file the
applicant uploads (`ApplicantDocumentUploaded`) and the decision notice's file (`DecisionNoticeIssued`) are on the
documents side stream, referenced by a main-stream event appended with them.

Every text and list is bounded, so no event can outgrow the event store's size limit. Dates that the statutory clock
reads (sent, answered, closed, valid from...) are in the events themselves: a case's dates depend only on its events,
never on when they are replayed.
"""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would evaluate each field's
# string when its class is defined (~5 ms of a cold start that imports every event module).

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from events.envelope import EventPayload
from events.registry import event

SHORT_TEXT = 300  # names, ids, content types, short reasons' worst case
REASON_TEXT = 2_000  # reasons, comments, notes
LONG_TEXT = 10_000  # descriptions and assessment summaries
MAX_ITEMS = 50  # conditions, informatives
MAX_BOUNDARY_POINTS = 5_000  # coordinates in a proposed red-line boundary (the command checks it)

ShortText = Annotated[str, Field(max_length=SHORT_TEXT)]
ReasonText = Annotated[str, Field(max_length=REASON_TEXT)]
LongText = Annotated[str, Field(max_length=LONG_TEXT)]

RequestType = Literal[
    "additional_document",
    "replacement_document",
    "red_line_boundary_change",
    "description_change",
    "fee_change",
    "other_change",
    "ownership_certificate",
    "pre_commencement_condition",
    "heads_of_terms",
    "time_extension",
]
Decision = Literal["granted", "refused", "not_required"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Condition(_Part):
    """A condition of a decision and the reason for it."""

    text: LongText
    reason: ReasonText


@event("CaseOfficerAssigned")
class CaseOfficerAssigned(EventPayload):
    """An officer was made (or replaced as) the application's case officer."""

    officer_id: ShortText
    officer_name: ShortText


@event("DocumentChecked")
class DocumentChecked(EventPayload):
    """The case officer checked a document for validation: valid, or invalid with a reason."""

    document_id: ShortText
    valid: bool
    invalid_reason: ReasonText | None = None


@event("RedLineBoundaryChecked")
class RedLineBoundaryChecked(EventPayload):
    """The case officer checked the red-line boundary of the site."""

    valid: bool
    invalid_reason: ReasonText | None = None


@event("FeeChecked")
class FeeChecked(EventPayload):
    """The case officer checked the fee paid."""

    valid: bool
    invalid_reason: ReasonText | None = None


@event("ConstraintAdded")
class ConstraintAdded(EventPayload):
    """The case officer added a planning constraint on the site (e.g. `conservation-area`)."""

    constraint: ShortText
    description: ReasonText | None = None


@event("ConstraintRemoved")
class ConstraintRemoved(EventPayload):
    """The case officer removed a planning constraint (one from the submission, or one an officer added)."""

    constraint: ShortText
    reason: ReasonText | None = None


@event("ValidationRequestDrafted")
class ValidationRequestDrafted(EventPayload):
    """The case officer made a request to the applicant. Before validation it waits (`pending`) until the application
    is invalidated; otherwise it is sent at once (a `ValidationRequestSent` follows). The detail fields that apply
    depend on the type (the command checks them)."""

    request_id: ShortText
    request_type: RequestType
    reason: ReasonText
    post_validation: bool = False
    requested_document: ShortText | None = None  # additional document: what is needed
    document_id: ShortText | None = None  # replacement document: the document to replace
    proposed_description: LongText | None = None  # description change
    proposed_boundary: dict[str, Any] | None = None  # red-line boundary change: GeoJSON geometry or feature
    fee_amount: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)  # fee change: GBP
    suggestion: ReasonText | None = None  # other change: what the applicant could do
    proposed_condition: Condition | None = None  # pre-commencement condition
    terms: LongText | None = None  # heads of terms
    proposed_expiry_date: date | None = None  # time extension


@event("ValidationRequestSent")
class ValidationRequestSent(EventPayload):
    """A request was sent to the applicant; they answer by `response_due` (business days from `sent_on`)."""

    request_id: ShortText
    sent_on: date
    response_due: date


@event("ValidationRequestAnswered")
class ValidationRequestAnswered(EventPayload):
    """The applicant answered a request through its secure link, which closes it: agreed or not (with a reason), a
    typed response, or an uploaded document (`ApplicantDocumentUploaded` on the documents side stream)."""

    request_id: ShortText
    answered_at: datetime
    answered_on: date  # the London date of answered_at: the day the request closed
    agreed: bool | None = None
    reason: ReasonText | None = None
    response: LongText | None = None
    document_id: ShortText | None = None


@event("ValidationRequestAutoClosed")
class ValidationRequestAutoClosed(EventPayload):
    """A request unanswered until its auto-close day closed as accepted (its change applied); `closed_on` is that day,
    whenever the daily job ran."""

    request_id: ShortText
    closed_on: date


@event("ValidationRequestCancelled")
class ValidationRequestCancelled(EventPayload):
    """A pending or open request was cancelled (the link stops working)."""

    request_id: ShortText
    reason: ReasonText
    cancelled_on: date


@event("DescriptionChanged")
class DescriptionChanged(EventPayload):
    """The proposal's description changed (accepted or auto-closed description-change request)."""

    description: LongText
    request_id: ShortText | None = None


@event("RedLineBoundaryChanged")
class RedLineBoundaryChanged(EventPayload):
    """The site's red-line boundary changed (accepted or auto-closed boundary-change request)."""

    boundary: dict[str, Any]
    request_id: ShortText | None = None


@event("PlanningApplicationInvalidated")
class PlanningApplicationInvalidated(EventPayload):
    """The application was found invalid: its pending requests were sent together (one `ValidationRequestSent` each)."""

    invalidated_on: date
    request_ids: tuple[ShortText, ...] = Field(default=(), max_length=100)


@event("PlanningApplicationValidated")
class PlanningApplicationValidated(EventPayload):
    """The application is valid from `valid_from`; its determination period (calendar days, from the council's
    settings at the time) is recorded so the expiry date depends only on events."""

    valid_from: date
    validated_on: date
    determination_period_days: int = Field(gt=0, le=3650)


@event("SiteNoticeRecorded")
class SiteNoticeRecorded(EventPayload):
    """A site notice was displayed (the consultation ends at least 21 days after it)."""

    displayed_on: date


@event("PressNoticeRecorded")
class PressNoticeRecorded(EventPayload):
    """A press notice was published (the consultation ends at least 21 days after it)."""

    published_on: date


@event("AssessmentRecorded")
class AssessmentRecorded(EventPayload):
    """The case officer's assessment (each recording replaces the previous one)."""

    summary_of_works: LongText
    site_description: LongText | None = None
    consultation_summary: LongText | None = None
    amenity: LongText | None = None
    policy_considerations: LongText | None = None
    conditions: tuple[Condition, ...] = Field(default=(), max_length=MAX_ITEMS)
    informatives: tuple[LongText, ...] = Field(default=(), max_length=MAX_ITEMS)


@event("RecommendationSubmitted")
class RecommendationSubmitted(EventPayload):
    """The case officer recommended a decision to the reviewer."""

    decision: Decision
    public_reason: LongText
    private_note: ReasonText | None = None
    officer_id: ShortText
    officer_name: ShortText


@event("RecommendationAgreed")
class RecommendationAgreed(EventPayload):
    """A reviewer agreed with the recommendation."""

    reviewer_id: ShortText
    reviewer_name: ShortText
    comment: ReasonText | None = None


@event("RecommendationChallenged")
class RecommendationChallenged(EventPayload):
    """A reviewer challenged the recommendation: it goes back to the case officer."""

    reviewer_id: ShortText
    reviewer_name: ShortText
    comment: ReasonText


@event("PlanningApplicationSentToCommittee")
class PlanningApplicationSentToCommittee(EventPayload):
    """The application goes to the planning committee for its decision."""

    reason: ReasonText


@event("CommitteeDecisionRecorded")
class CommitteeDecisionRecorded(EventPayload):
    """The planning committee decided."""

    decision: Decision
    decided_on: date
    notes: ReasonText | None = None


@event("PlanningApplicationDetermined")
class PlanningApplicationDetermined(EventPayload):
    """The decision was issued; its notice is the document `notice_document_id` (`DecisionNoticeIssued`)."""

    decision: Decision
    decision_date: date
    notice_document_id: ShortText


@event("DecisionNoticeIssued")
class DecisionNoticeIssued(EventPayload):
    """(documents side stream) The decision notice's file, stored in the document store under `key`."""

    document_id: ShortText
    key: ShortText
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=0)
    content_type: ShortText


@event("ApplicantDocumentUploaded")
class ApplicantDocumentUploaded(EventPayload):
    """(documents side stream) The applicant uploaded a file answering a request, stored under `key`."""

    document_id: ShortText
    request_id: ShortText
    file_name: ShortText
    key: ShortText
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=0)
    content_type: ShortText


@event("PlanningApplicationWithdrawn")
class PlanningApplicationWithdrawn(EventPayload):
    """The applicant withdrew the application before a decision."""

    reason: ReasonText
    withdrawn_on: date


@event("PlanningApplicationReturned")
class PlanningApplicationReturned(EventPayload):
    """The invalid application was returned to the applicant (e.g. the fee was not paid)."""

    reason: ReasonText
    returned_on: date


@event("PlanningApplicationClosed")
class PlanningApplicationClosed(EventPayload):
    """The application was closed without a decision."""

    reason: ReasonText
    closed_on: date
