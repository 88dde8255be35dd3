"""A planning application's state: a fold over the events of all its streams, merged in time order.

No rules here (they live in the commands), so replay never fails on a rule that changed later. `version` is the main
stream's version: events of the documents and notifications side streams never make an officer's command stale.
Every date the statutory clock gives is derived from dates recorded in the events, never from when they are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from events import EventPayload, RecordedEvent
from events.application import (
    DocumentFetchFailed,
    DocumentFetchRequested,
    DocumentReceived,
    PlanningApplicationSubmitted,
)
from events.assessment import (
    ApplicantDocumentUploaded,
    AssessmentRecorded,
    CaseOfficerAssigned,
    CommitteeDecisionRecorded,
    ConstraintAdded,
    ConstraintRemoved,
    DecisionNoticeIssued,
    DescriptionChanged,
    DocumentChecked,
    FeeChecked,
    PlanningApplicationClosed,
    PlanningApplicationDetermined,
    PlanningApplicationInvalidated,
    PlanningApplicationReturned,
    PlanningApplicationSentToCommittee,
    PlanningApplicationValidated,
    PlanningApplicationWithdrawn,
    PressNoticeRecorded,
    RecommendationAgreed,
    RecommendationChallenged,
    RecommendationSubmitted,
    RedLineBoundaryChanged,
    RedLineBoundaryChecked,
    SiteNoticeRecorded,
    ValidationRequestAnswered,
    ValidationRequestAutoClosed,
    ValidationRequestCancelled,
    ValidationRequestDrafted,
    ValidationRequestSent,
)
from events.documents import (
    DocumentArchived,
    DocumentPublished,
    DocumentTagsChanged,
    DocumentUnpublished,
    DocumentUploaded,
    RedactedCopyUploaded,
)
from events.submission import ConstraintEntity, SiteSummary, SubmissionSummary
from shared.application_status import OPEN_STATUSES, ApplicationStatus, status_after
from shared.calendar import ENGLAND_AND_WALES
from shared.calendar.periods import consultation_dates, expiry_date, is_consulted, target_date

__all__ = [
    "EMPTY",
    "Check",
    "Closure",
    "CommitteeView",
    "DecisionView",
    "DocumentView",
    "Officer",
    "PlanningApplication",
    "Recommendation",
    "RedactedCopy",
    "SiteConstraint",
    "SubmittedFile",
    "ValidationRequest",
    "fold",
]

RequestState = Literal["pending", "open", "closed", "cancelled"]
K = TypeVar("K")
V = TypeVar("V")


def _empty() -> Mapping[Any, Any]:
    return MappingProxyType({})


def _with(mapping: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    """A copy of a read-only mapping with one entry set (insertion order kept)."""
    return MappingProxyType({**mapping, key: value})


@dataclass(frozen=True, slots=True)
class Officer:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Check:
    """An officer's check of something: None before it was checked."""

    valid: bool | None = None
    invalid_reason: str | None = None


@dataclass(frozen=True, slots=True)
class RedactedCopy:
    """The redacted copy of a document that the public sees instead of the original."""

    file_name: str
    key: str
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True, slots=True)
class DocumentView:
    """A document of the application: submitted, uploaded by the applicant or an officer, or the decision notice."""

    id: str
    name: str
    content_type: str
    size: int
    key: str
    sha256: str
    source: Literal["submission", "applicant", "officer", "decision_notice"]
    tags: tuple[str, ...] = ()
    request_id: str | None = None
    check: Check = Check()
    # the newer version: the applicant's replacement answering a replacement-document request, or an officer's upload
    replaced_by: str | None = None
    replaces: str | None = None  # the document this one is a new version of (an officer's upload)
    published: bool = False  # an officer published it (and did not unpublish it since)
    archived_reason: str | None = None
    redacted: RedactedCopy | None = None

    @property
    def archived(self) -> bool:
        return self.archived_reason is not None

    @property
    def current(self) -> bool:
        """Neither archived nor replaced by a newer version."""
        return self.archived_reason is None and self.replaced_by is None

    @property
    def public(self) -> bool:
        """What publication shows: published, current (the decision notice is public with the decision)."""
        return self.published and self.current


@dataclass(frozen=True, slots=True)
class SiteConstraint:
    """A planning constraint on the site: one the submission says intersects the site, or one an officer added.
    A removed one stays, marked `removed` with the officer's reason, so the view shows what the officers changed."""

    value: str
    source: Literal["submission", "officer"]
    description: str | None = None
    entities: tuple[ConstraintEntity, ...] = ()
    removed: bool = False
    removed_reason: str | None = None
    added_by: Officer | None = None  # the officer who added it, or who restored a removed one
    removed_by: Officer | None = None


@dataclass(frozen=True, slots=True)
class ValidationRequest:
    """A request to the applicant: `pending` (drafted) → `open` (sent) → `closed` (answered or auto-closed), or
    `cancelled`. `drafted` keeps the type-specific details."""

    id: str
    type: str
    reason: str
    post_validation: bool
    drafted: ValidationRequestDrafted
    drafted_by: Officer
    state: RequestState = "pending"
    sent_on: date | None = None
    response_due: date | None = None
    closed_on: date | None = None
    auto_closed: bool = False
    answer: ValidationRequestAnswered | None = None
    cancel_reason: str | None = None
    cancelled_on: date | None = None

    @property
    def is_live(self) -> bool:
        """Pending or open: not closed or cancelled yet."""
        return self.state in ("pending", "open")

    @property
    def accepted(self) -> bool:
        """Closed with its change accepted (agreed by the applicant, or auto-closed)."""
        return self.state == "closed" and (self.auto_closed or bool(self.answer and self.answer.agreed))


@dataclass(frozen=True, slots=True)
class SubmittedFile:
    """What became of one file the submission names (by its index): received, failed (with why), or asked for again
    by an officer after failing (`requested_by`) and not fetched since. As the document fetcher decides (its
    `policy.fold`): the first outcome of a file counts, until an officer asks for a failed file again."""

    index: int
    source_url: str
    state: Literal["received", "failed", "requested"]
    reason: str = ""
    attempts: int = 0
    requested_by: Officer | None = None

    @property
    def number(self) -> int:
        """The file's number as officers count (from 1)."""
        return self.index + 1


@dataclass(frozen=True, slots=True)
class Recommendation:
    decision: str
    public_reason: str
    private_note: str | None
    officer: Officer
    review: Literal["agreed", "challenged"] | None = None
    reviewer: Officer | None = None
    review_comment: str | None = None


@dataclass(frozen=True, slots=True)
class CommitteeView:
    reason: str
    decision: str | None = None
    decided_on: date | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionView:
    decision: str
    decision_date: date
    notice_document_id: str


@dataclass(frozen=True, slots=True)
class Closure:
    status: Literal["withdrawn", "returned", "closed"]
    reason: str
    on: date


@dataclass(frozen=True)
class PlanningApplication:
    """Everything the application's streams say. `version` is the main stream's version (the next append expects
    it); `exists` is False before `PlanningApplicationSubmitted`."""

    council: str = ""
    reference: str = ""
    version: int = 0
    documents_version: int = 0  # the documents side stream's version (document commands expect it)
    status: ApplicationStatus | None = None
    submission: SubmissionSummary | None = None
    received_at: datetime | None = None
    description: str = ""
    boundary: Mapping[str, Any] | None = None  # only once changed: the submitted one is in the original
    case_officer: Officer | None = None
    documents: Mapping[str, DocumentView] = field(default_factory=_empty)
    # kept apart from `documents` so the fold does not depend on whether a document's file event (side stream) comes
    # before or after the main-stream event about it (they may carry the same recorded-at moment)
    document_checks: Mapping[str, Check] = field(default_factory=_empty)
    replacements: Mapping[str, str] = field(default_factory=_empty)
    submitted_files: Mapping[int, SubmittedFile] = field(default_factory=_empty)  # by index, once fetched or failed
    red_line_boundary_check: Check = Check()
    fee_check: Check = Check()
    # the site's constraints by value: the submission's that intersect the site, then officers' additions
    constraints: Mapping[str, SiteConstraint] = field(default_factory=_empty)
    requests: Mapping[str, ValidationRequest] = field(default_factory=_empty)
    invalidated_on: date | None = None
    valid_from: date | None = None
    validated_on: date | None = None
    determination_period_days: int | None = None
    extended_expiry: date | None = None
    site_notices: tuple[date, ...] = ()
    press_notices: tuple[date, ...] = ()
    assessment: AssessmentRecorded | None = None
    recommendation: Recommendation | None = None
    recommendations_made: int = 0
    committee: CommitteeView | None = None
    decision: DecisionView | None = None
    closure: Closure | None = None
    accepted_conditions: tuple[str, ...] = ()  # ids of agreed or auto-closed pre-commencement condition requests
    last_change: tuple[str, str] | None = None  # (event type, who) of the main stream's newest event

    # --- derived facts -------------------------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.status is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def files_not_fetched(self) -> tuple[SubmittedFile, ...]:
        """The submitted files that failed to arrive (asked for again or not), in the submission's order."""
        return tuple(f for _, f in sorted(self.submitted_files.items()) if f.state != "received")

    @property
    def constraints_added(self) -> tuple[str, ...]:
        """The constraints officers added (and did not remove since)."""
        return tuple(c.value for c in self.constraints.values() if c.source == "officer" and not c.removed)

    @property
    def constraints_removed(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.constraints.values() if c.removed)

    @property
    def current_constraints(self) -> tuple[SiteConstraint, ...]:
        """The constraints that apply now: submitted or added, not removed."""
        return tuple(c for c in self.constraints.values() if not c.removed)

    @property
    def application_type(self) -> str:
        return self.submission.application_type if self.submission else ""

    @property
    def site(self) -> SiteSummary:
        return self.submission.site if self.submission else SiteSummary()

    @property
    def is_pre_application(self) -> bool:
        return self.application_type.startswith("preApp")

    @property
    def is_prior_approval(self) -> bool:
        return self.application_type.startswith("pa.")

    @property
    def consults(self) -> bool:
        return is_consulted(self.application_type)

    @property
    def received_date(self) -> date | None:
        return ENGLAND_AND_WALES.received_date(self.received_at) if self.received_at else None

    @property
    def statutory_expiry_date(self) -> date | None:
        if self.valid_from is None or self.determination_period_days is None:
            return None
        return expiry_date(self.valid_from, self.determination_period_days)

    @property
    def expiry_date(self) -> date | None:
        """Valid-from + the determination period, or the later date an applicant agreed to extend it to."""
        statutory = self.statutory_expiry_date
        if statutory is None:
            return None
        return max(statutory, self.extended_expiry) if self.extended_expiry else statutory

    @property
    def target_date(self) -> date | None:
        return target_date(self.valid_from) if self.valid_from else None

    @property
    def consultation(self) -> tuple[date, date] | None:
        """(start, end) for the types that consult, once validated."""
        if not self.consults or self.validated_on is None:
            return None
        return consultation_dates(self.validated_on, (*self.site_notices, *self.press_notices))

    def live_requests(self, request_type: str | None = None) -> list[ValidationRequest]:
        return [r for r in self.requests.values() if r.is_live and (request_type is None or r.type == request_type)]

    def requests_in(self, state: RequestState) -> list[ValidationRequest]:
        return [r for r in self.requests.values() if r.state == state]

    def default_valid_from(self) -> date | None:
        """The business day after the last pre-validation request closed, or the received date when none did."""
        closed = [r.closed_on for r in self.requests.values() if r.closed_on and not r.post_validation]
        if closed:
            return ENGLAND_AND_WALES.next_business_day(max(closed))
        return self.received_date

    # --- the fold --------------------------------------------------------------------------------------------------

    def apply(self, event: RecordedEvent) -> PlanningApplication:
        """The state after one more event of any of the application's streams."""
        payload = event.payload
        handler = _HANDLERS.get(type(payload))
        state = handler(self, payload, event) if handler else self
        if event.stream_id.endswith(":documents"):
            state = state._evolve(documents_version=event.version)
        elif event.stream_id.count(":") == 2:  # the main stream (side streams have a fourth part)
            status = status_after(state.status, payload.event_type)
            state = state._evolve(
                version=event.version,
                status=status,
                council=state.council or event.council,
                last_change=(payload.event_type, event.actor.display_name or event.actor.id),
            )
        return state

    def _evolve(self, **changes: Any) -> PlanningApplication:
        """A copy with some fields changed: `dataclasses.replace` re-runs `__init__` over every field, and the fold
        makes a copy per event, so it copies the instance dictionary instead (same fields, no checks to repeat)."""
        copy = object.__new__(PlanningApplication)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    def _request(self, request_id: str) -> ValidationRequest | None:
        return self.requests.get(request_id)

    def _set_request(self, request: ValidationRequest) -> PlanningApplication:
        return self._evolve(requests=_with(self.requests, request.id, request))


EMPTY = PlanningApplication()


def fold(events: Iterable[RecordedEvent], state: PlanningApplication | None = None) -> PlanningApplication:
    """The state after the events of all the application's streams, merged in time order."""
    current = state or EMPTY
    for event in events:
        current = current.apply(event)
    return current


# --- one function per event type -----------------------------------------------------------------------------------

Handler = Callable[[PlanningApplication, Any, RecordedEvent], PlanningApplication]
_HANDLERS: dict[type[EventPayload], Handler] = {}


def _on(payload_type: type[EventPayload]) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[payload_type] = fn
        return fn

    return register


def _actor(event: RecordedEvent) -> Officer:
    return Officer(event.actor.id, event.actor.display_name or event.actor.id)


@_on(PlanningApplicationSubmitted)
def _submitted(s: PlanningApplication, p: PlanningApplicationSubmitted, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(
        reference=p.reference,
        council=e.council,
        submission=p.submission,
        received_at=p.received_at,
        description=p.submission.description or "",
        constraints=MappingProxyType(
            {
                c.value: SiteConstraint(
                    value=c.value, source="submission", description=c.description, entities=c.entities
                )
                for c in p.submission.constraints
                if c.intersects  # the others were checked and do not apply to the site
            }
        ),
    )


def _stored_document(
    s: PlanningApplication, p: DocumentReceived | ApplicantDocumentUploaded | DocumentUploaded, **origin: Any
) -> PlanningApplication:
    """A file in the document store joins the documents, with any check or replacement folded before it arrived."""
    document = DocumentView(
        id=p.document_id,
        name=p.file_name,
        content_type=p.content_type,
        size=p.size,
        key=p.key,
        sha256=p.sha256,
        check=s.document_checks.get(p.document_id, Check()),
        replaced_by=s.replacements.get(p.document_id),
        **origin,
    )
    return s._evolve(documents=_with(s.documents, document.id, document))


@_on(DocumentReceived)
def _document_received(s: PlanningApplication, p: DocumentReceived, e: RecordedEvent) -> PlanningApplication:
    s = _file_outcome(s, SubmittedFile(p.file_index, p.source_url, "received"))
    return _stored_document(s, p, source="submission", tags=p.tags)


@_on(DocumentFetchFailed)
def _fetch_failed(s: PlanningApplication, p: DocumentFetchFailed, e: RecordedEvent) -> PlanningApplication:
    return _file_outcome(s, SubmittedFile(p.file_index, p.source_url, "failed", p.reason, p.attempts))


def _file_outcome(s: PlanningApplication, outcome: SubmittedFile) -> PlanningApplication:
    """A file's first outcome, or the one after an officer asked for it again (a duplicate changes nothing)."""
    known = s.submitted_files.get(outcome.index)
    if known is not None and known.state != "requested":
        return s
    return s._evolve(submitted_files=_with(s.submitted_files, outcome.index, outcome))


@_on(DocumentFetchRequested)
def _fetch_requested(s: PlanningApplication, p: DocumentFetchRequested, e: RecordedEvent) -> PlanningApplication:
    known = s.submitted_files.get(p.file_index)
    if known is None or known.state != "failed":
        return s
    requested = replace(known, state="requested", requested_by=_actor(e))
    return s._evolve(submitted_files=_with(s.submitted_files, p.file_index, requested))


@_on(ApplicantDocumentUploaded)
def _uploaded(s: PlanningApplication, p: ApplicantDocumentUploaded, e: RecordedEvent) -> PlanningApplication:
    return _stored_document(s, p, source="applicant", request_id=p.request_id)


@_on(DocumentUploaded)
def _officer_uploaded(s: PlanningApplication, p: DocumentUploaded, e: RecordedEvent) -> PlanningApplication:
    s = _stored_document(s, p, source="officer", tags=p.tags, replaces=p.replaces)
    if p.replaces is None:
        return s
    s = s._evolve(replacements=_with(s.replacements, p.replaces, p.document_id))
    return _changed_document(s, p.replaces, replaced_by=p.document_id)


def _changed_document(s: PlanningApplication, document_id: str, **changes: Any) -> PlanningApplication:
    document = s.documents.get(document_id)
    if document is None:
        return s
    return s._evolve(documents=_with(s.documents, document_id, replace(document, **changes)))


@_on(DocumentTagsChanged)
def _tags(s: PlanningApplication, p: DocumentTagsChanged, e: RecordedEvent) -> PlanningApplication:
    return _changed_document(s, p.document_id, tags=tuple(p.tags))


@_on(DocumentPublished)
def _published(s: PlanningApplication, p: DocumentPublished, e: RecordedEvent) -> PlanningApplication:
    return _changed_document(s, p.document_id, published=True)


@_on(DocumentUnpublished)
def _unpublished(s: PlanningApplication, p: DocumentUnpublished, e: RecordedEvent) -> PlanningApplication:
    return _changed_document(s, p.document_id, published=False)


@_on(RedactedCopyUploaded)
def _redacted(s: PlanningApplication, p: RedactedCopyUploaded, e: RecordedEvent) -> PlanningApplication:
    copy = RedactedCopy(p.file_name, p.key, p.sha256, p.size, p.content_type)
    return _changed_document(s, p.document_id, redacted=copy)


@_on(DocumentArchived)
def _archived(s: PlanningApplication, p: DocumentArchived, e: RecordedEvent) -> PlanningApplication:
    return _changed_document(s, p.document_id, archived_reason=p.reason)


@_on(DecisionNoticeIssued)
def _notice(s: PlanningApplication, p: DecisionNoticeIssued, e: RecordedEvent) -> PlanningApplication:
    document = DocumentView(
        id=p.document_id,
        name=f"Decision notice {s.reference}".strip(),
        content_type=p.content_type,
        size=p.size,
        key=p.key,
        sha256=p.sha256,
        source="decision_notice",
        tags=("decisionNotice",),
    )
    return s._evolve(documents=_with(s.documents, document.id, document))


@_on(CaseOfficerAssigned)
def _assigned(s: PlanningApplication, p: CaseOfficerAssigned, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(case_officer=Officer(p.officer_id, p.officer_name))


@_on(DocumentChecked)
def _document_checked(s: PlanningApplication, p: DocumentChecked, e: RecordedEvent) -> PlanningApplication:
    check = Check(p.valid, p.invalid_reason)
    s = s._evolve(document_checks=_with(s.document_checks, p.document_id, check))
    document = s.documents.get(p.document_id)
    if document is None:
        return s
    return s._evolve(documents=_with(s.documents, document.id, replace(document, check=check)))


@_on(RedLineBoundaryChecked)
def _boundary_checked(s: PlanningApplication, p: RedLineBoundaryChecked, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(red_line_boundary_check=Check(p.valid, p.invalid_reason))


@_on(FeeChecked)
def _fee_checked(s: PlanningApplication, p: FeeChecked, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(fee_check=Check(p.valid, p.invalid_reason))


@_on(ConstraintAdded)
def _constraint_added(s: PlanningApplication, p: ConstraintAdded, e: RecordedEvent) -> PlanningApplication:
    """A new constraint of the officer's, or a removed one restored (keeping where it came from)."""
    found = s.constraints.get(p.constraint)
    officer = _actor(e)
    if found is None:
        added = SiteConstraint(value=p.constraint, source="officer", description=p.description, added_by=officer)
    else:
        added = replace(found, removed=False, removed_reason=None, removed_by=None, added_by=officer)
    return s._evolve(constraints=_with(s.constraints, p.constraint, added))


@_on(ConstraintRemoved)
def _constraint_removed(s: PlanningApplication, p: ConstraintRemoved, e: RecordedEvent) -> PlanningApplication:
    # a log written before the submission's constraints were in its summary may remove one the fold does not know
    found = s.constraints.get(p.constraint) or SiteConstraint(value=p.constraint, source="submission")
    removed = replace(found, removed=True, removed_reason=p.reason, removed_by=_actor(e))
    return s._evolve(constraints=_with(s.constraints, p.constraint, removed))


@_on(ValidationRequestDrafted)
def _drafted(s: PlanningApplication, p: ValidationRequestDrafted, e: RecordedEvent) -> PlanningApplication:
    request = ValidationRequest(
        id=p.request_id,
        type=p.request_type,
        reason=p.reason,
        post_validation=p.post_validation,
        drafted=p,
        drafted_by=_actor(e),
    )
    return s._set_request(request)


@_on(ValidationRequestSent)
def _sent(s: PlanningApplication, p: ValidationRequestSent, e: RecordedEvent) -> PlanningApplication:
    request = s._request(p.request_id)
    if request is None:
        return s
    return s._set_request(replace(request, state="open", sent_on=p.sent_on, response_due=p.response_due))


@_on(ValidationRequestAnswered)
def _answered(s: PlanningApplication, p: ValidationRequestAnswered, e: RecordedEvent) -> PlanningApplication:
    request = s._request(p.request_id)
    if request is None:
        return s
    closed = replace(request, state="closed", closed_on=p.answered_on, answer=p)
    s = _accepted(s._set_request(closed), closed)
    old_id = request.drafted.document_id
    if request.type == "replacement_document" and p.document_id and old_id:
        s = s._evolve(replacements=_with(s.replacements, old_id, p.document_id))
        replaced = s.documents.get(old_id)
        if replaced is not None:
            s = s._evolve(documents=_with(s.documents, old_id, replace(replaced, replaced_by=p.document_id)))
    return s


@_on(ValidationRequestAutoClosed)
def _auto_closed(s: PlanningApplication, p: ValidationRequestAutoClosed, e: RecordedEvent) -> PlanningApplication:
    request = s._request(p.request_id)
    if request is None:
        return s
    closed = replace(request, state="closed", closed_on=p.closed_on, auto_closed=True)
    return _accepted(s._set_request(closed), closed)


def _accepted(s: PlanningApplication, request: ValidationRequest) -> PlanningApplication:
    """What an accepted request changes by itself (description and boundary changes have their own events)."""
    if not request.accepted:
        return s
    if request.type == "time_extension" and request.drafted.proposed_expiry_date:
        return s._evolve(extended_expiry=request.drafted.proposed_expiry_date)
    if request.type == "pre_commencement_condition":
        return s._evolve(accepted_conditions=(*s.accepted_conditions, request.id))
    return s


@_on(ValidationRequestCancelled)
def _cancelled(s: PlanningApplication, p: ValidationRequestCancelled, e: RecordedEvent) -> PlanningApplication:
    request = s._request(p.request_id)
    if request is None:
        return s
    return s._set_request(replace(request, state="cancelled", cancel_reason=p.reason, cancelled_on=p.cancelled_on))


@_on(DescriptionChanged)
def _description(s: PlanningApplication, p: DescriptionChanged, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(description=p.description)


@_on(RedLineBoundaryChanged)
def _boundary(s: PlanningApplication, p: RedLineBoundaryChanged, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(boundary=MappingProxyType(dict(p.boundary)))


@_on(PlanningApplicationInvalidated)
def _invalidated(s: PlanningApplication, p: PlanningApplicationInvalidated, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(invalidated_on=p.invalidated_on)


@_on(PlanningApplicationValidated)
def _validated(s: PlanningApplication, p: PlanningApplicationValidated, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(
        valid_from=p.valid_from, validated_on=p.validated_on, determination_period_days=p.determination_period_days
    )


@_on(SiteNoticeRecorded)
def _site_notice(s: PlanningApplication, p: SiteNoticeRecorded, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(site_notices=(*s.site_notices, p.displayed_on))


@_on(PressNoticeRecorded)
def _press_notice(s: PlanningApplication, p: PressNoticeRecorded, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(press_notices=(*s.press_notices, p.published_on))


@_on(AssessmentRecorded)
def _assessment(s: PlanningApplication, p: AssessmentRecorded, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(assessment=p)


@_on(RecommendationSubmitted)
def _recommended(s: PlanningApplication, p: RecommendationSubmitted, e: RecordedEvent) -> PlanningApplication:
    recommendation = Recommendation(p.decision, p.public_reason, p.private_note, Officer(p.officer_id, p.officer_name))
    return s._evolve(recommendation=recommendation, recommendations_made=s.recommendations_made + 1, committee=None)


@_on(RecommendationAgreed)
def _agreed(s: PlanningApplication, p: RecommendationAgreed, e: RecordedEvent) -> PlanningApplication:
    if s.recommendation is None:
        return s
    reviewer = Officer(p.reviewer_id, p.reviewer_name)
    return s._evolve(
        recommendation=replace(s.recommendation, review="agreed", reviewer=reviewer, review_comment=p.comment)
    )


@_on(RecommendationChallenged)
def _challenged(s: PlanningApplication, p: RecommendationChallenged, e: RecordedEvent) -> PlanningApplication:
    if s.recommendation is None:
        return s
    reviewer = Officer(p.reviewer_id, p.reviewer_name)
    return s._evolve(
        recommendation=replace(s.recommendation, review="challenged", reviewer=reviewer, review_comment=p.comment)
    )


@_on(PlanningApplicationSentToCommittee)
def _committee(s: PlanningApplication, p: PlanningApplicationSentToCommittee, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(committee=CommitteeView(reason=p.reason))


@_on(CommitteeDecisionRecorded)
def _committee_decided(s: PlanningApplication, p: CommitteeDecisionRecorded, e: RecordedEvent) -> PlanningApplication:
    committee = s.committee or CommitteeView(reason="")
    return s._evolve(committee=replace(committee, decision=p.decision, decided_on=p.decided_on, notes=p.notes))


@_on(PlanningApplicationDetermined)
def _determined(s: PlanningApplication, p: PlanningApplicationDetermined, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(decision=DecisionView(p.decision, p.decision_date, p.notice_document_id))


@_on(PlanningApplicationWithdrawn)
def _withdrawn(s: PlanningApplication, p: PlanningApplicationWithdrawn, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(closure=Closure("withdrawn", p.reason, p.withdrawn_on))


@_on(PlanningApplicationReturned)
def _returned(s: PlanningApplication, p: PlanningApplicationReturned, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(closure=Closure("returned", p.reason, p.returned_on))


@_on(PlanningApplicationClosed)
def _closed(s: PlanningApplication, p: PlanningApplicationClosed, e: RecordedEvent) -> PlanningApplication:
    return s._evolve(closure=Closure("closed", p.reason, p.closed_on))
