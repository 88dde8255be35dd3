"""What the public may see of one application, as a pure fold of its main stream and documents side stream.

`public_view(main, documents)` gives the record (None while the application is not public: before validation,
invalidated, returned, withdrawn or closed without ever being validated, or a pre-application) and the feed entries
its history produces. It reads events by type name and fields, so the document events of the officers' console
(`DocumentUploaded`, `DocumentPublished`, ...) are understood whichever version of `events/` is loaded.

Personal data never reaches the record: no contact details, notes, private comments, validation requests or
unpublished documents (a description that quotes an e-mail address or a phone number has it scrubbed); the
applicant's name and the agent's company only with `publish_names`.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

from events import RecordedEvent
from services.publication.read_model.port import FeedEntry, FeedKind
from services.publication.record import (
    OriginalSubmission,
    PublicApplication,
    PublicDecisionNotice,
    PublicDocument,
    PublicSite,
    StreamHead,
)
from shared.application_status import PRIVATE_STATUSES, status_after
from shared.calendar.periods import consultation_dates, expiry_date, is_consulted, target_date
from shared.odp.redaction import public_description

PRE_APPLICATION = "preApp"
PUBLIC_FORMATS = ("application", "prototypeApplication")
FILE_EVENTS = ("DocumentReceived", "ApplicantDocumentUploaded", "DocumentUploaded")


@dataclass(slots=True)
class _Document:
    id: str
    name: str
    key: str
    content_type: str
    size: int
    tags: tuple[str, ...]
    created_at: datetime
    published: bool = False
    published_at: datetime | None = None
    archived: bool = False
    replaced: bool = False
    redacted: tuple[str, str, int] | None = None  # key, content type, size of the redacted copy

    @property
    def public(self) -> bool:
        return self.published and not self.archived and not self.replaced

    def record(self) -> PublicDocument:
        key, content_type, size = self.redacted or (self.key, self.content_type, self.size)
        return PublicDocument(
            id=self.id,
            name=self.name,
            key=key,
            content_type=content_type,
            size=size,
            tags=self.tags,
            redacted_key=self.redacted[0] if self.redacted else None,
            created_at=self.created_at,
            published_at=self.published_at,
        )


@dataclass(slots=True)
class _State:
    """The fold's working state (mutable: it lives only inside one `public_view`)."""

    council: str
    reference: str
    publish_names: bool
    status: Any = None
    submitted: Any = None  # the PlanningApplicationSubmitted payload
    description: str = ""
    received_at: datetime | None = None
    valid_from: date | None = None
    validated_on: date | None = None
    period_days: int | None = None
    published_at: datetime | None = None
    extended_expiry: date | None = None
    time_extensions: dict[str, date] = field(default_factory=dict)
    notices: list[date] = field(default_factory=list)
    case_officer: str | None = None
    decision: str | None = None
    decision_date: date | None = None
    determined_at: datetime | None = None
    notice_document_id: str | None = None
    withdrawn_on: date | None = None
    closed_on: date | None = None
    boundary: dict[str, Any] | None = None  # the newest accepted boundary change's (else the original's, later)
    documents: dict[str, _Document] = field(default_factory=dict)
    notices_issued: dict[str, PublicDecisionNotice] = field(default_factory=dict)
    entries: list[FeedEntry] = field(default_factory=list)

    @property
    def is_public(self) -> bool:
        if self.submitted is None or self.status is None or self.status in PRIVATE_STATUSES:
            return False
        if self.published_at is None:  # never validated: withdrawn or closed before it was ever published
            return False
        summary = self.submitted.submission
        return summary.application_type != PRE_APPLICATION and summary.format in PUBLIC_FORMATS

    def public_document_ids(self) -> set[str]:
        return {document.id for document in self.documents.values() if document.public}


def public_view(
    council: str,
    reference: str,
    main: Sequence[RecordedEvent],
    documents: Sequence[RecordedEvent] = (),
    *,
    publish_names: bool = False,
) -> tuple[PublicApplication | None, list[FeedEntry]]:
    """The public record of an application and its feed entries, from its streams' events (each in version order)."""
    state = _State(council, reference, publish_names)
    merged = heapq.merge(
        ((event.recorded_at, 0, event.version, event) for event in main),
        ((event.recorded_at, 1, event.version, event) for event in documents),
        key=lambda item: item[:3],
    )
    for *_, event in merged:
        was_public, public_documents = state.is_public, state.public_document_ids()
        _apply(state, event)
        _note(state, event, was_public, public_documents)
    if not state.is_public:
        return None, []
    return _record(state, main, documents), state.entries


def _apply(s: _State, event: RecordedEvent) -> None:
    kind, p = event.event_type, cast(Any, event.payload)
    if event.stream_id.count(":") == 2:  # the main stream: statuses
        s.status = status_after(s.status, kind)
    if kind == "PlanningApplicationSubmitted":
        s.submitted = p
        s.description = p.submission.description or ""
        s.received_at = _utc(p.received_at)
    elif kind == "PlanningApplicationValidated":
        s.valid_from, s.validated_on, s.period_days = p.valid_from, p.validated_on, p.determination_period_days
        if s.published_at is None:
            s.published_at = _utc(event.recorded_at)
    elif kind == "DescriptionChanged":
        s.description = p.description
    elif kind == "CaseOfficerAssigned":
        s.case_officer = p.officer_name
    elif kind == "PlanningApplicationDetermined":
        s.decision, s.decision_date = p.decision, p.decision_date
        s.determined_at, s.notice_document_id = _utc(event.recorded_at), p.notice_document_id
    elif kind == "PlanningApplicationWithdrawn":
        s.withdrawn_on = p.withdrawn_on
    elif kind == "PlanningApplicationClosed":
        s.closed_on = p.closed_on
    elif kind == "RedLineBoundaryChanged":
        from services.publication.boundary import public_boundary

        s.boundary = public_boundary(p.boundary)
    else:
        _apply_clock(s, event)
        _apply_document(s, event)


def _apply_clock(s: _State, event: RecordedEvent) -> None:
    """Notices (the consultation's end) and agreed time extensions (the expiry date)."""
    kind, p = event.event_type, cast(Any, event.payload)
    if kind in ("SiteNoticeRecorded", "PressNoticeRecorded"):
        s.notices.append(p.displayed_on if kind == "SiteNoticeRecorded" else p.published_on)
    elif kind == "ValidationRequestDrafted" and p.request_type == "time_extension" and p.proposed_expiry_date:
        s.time_extensions[p.request_id] = p.proposed_expiry_date
    elif kind == "ValidationRequestAnswered" and p.agreed and p.request_id in s.time_extensions:
        s.extended_expiry = s.time_extensions[p.request_id]


def _apply_document(s: _State, event: RecordedEvent) -> None:
    kind, p = event.event_type, cast(Any, event.payload)
    if kind in FILE_EVENTS:
        s.documents[p.document_id] = _Document(
            id=p.document_id,
            name=p.file_name,
            key=p.key,
            content_type=p.content_type,
            size=p.size,
            tags=tuple(getattr(p, "tags", ()) or ()),
            created_at=_utc(event.recorded_at),
        )
        replaced = s.documents.get(getattr(p, "replaces", None) or "")
        if replaced is not None:
            replaced.replaced = True
        return
    if kind == "DecisionNoticeIssued":
        s.notices_issued[p.document_id] = PublicDecisionNotice(
            document_id=p.document_id,
            key=p.key,
            content_type=p.content_type,
            size=p.size,
            issued_at=_utc(event.recorded_at),
        )
        return
    document = s.documents.get(getattr(p, "document_id", None) or "")
    if document is None:
        return
    if kind == "DocumentTagsChanged":
        document.tags = tuple(p.tags)
    elif kind == "DocumentPublished":
        document.published, document.published_at = True, _utc(event.recorded_at)
    elif kind == "DocumentUnpublished":
        document.published = False
    elif kind == "DocumentArchived":
        document.archived = True
    elif kind == "RedactedCopyUploaded":
        document.redacted = (p.key, p.content_type, p.size)


def _note(s: _State, event: RecordedEvent, was_public: bool, public_documents: set[str]) -> None:
    """The feed entries an event makes: the application published, its status changed or decided, a document
    published or withdrawn while the application is public."""
    if not s.is_public:
        return
    if not was_public:
        _entry(s, event, "published")
        return
    kind = event.event_type
    if kind == "PlanningApplicationDetermined":
        _entry(s, event, "decided", decision=s.decision)
    elif event.stream_id.count(":") == 2 and status_after(None, kind) is not None:
        _entry(s, event, "status_changed")
    now_public = s.public_document_ids()
    for document_id in sorted(now_public - public_documents):
        _entry(s, event, "document_published", document_id=document_id)
    for document_id in sorted(public_documents - now_public):
        _entry(s, event, "document_withdrawn", document_id=document_id)


def _entry(
    s: _State, event: RecordedEvent, kind: FeedKind, *, decision: str | None = None, document_id: str | None = None
) -> None:
    s.entries.append(
        FeedEntry(
            key=FeedEntry.make_key(event.recorded_at, event.stream_id, event.version, document_id or ""),
            council=s.council,
            reference=s.reference,
            kind=kind,
            occurred_at=_utc(event.recorded_at),
            event_id=str(event.event_id),
            event_stream=event.stream_id,
            event_version=event.version,
            event_hash=event.hash,
            status=str(s.status),
            decision=decision,
            document_id=document_id,
        )
    )


def _public_description(description: str, summary: Any) -> str:
    """The description as every public face shows (and the register searches) it: scrubbed as the ODP submission's
    texts are, of the applicant's and agent's own e-mail addresses and phone numbers and of any other one it quotes."""
    return public_description(description, summary.applicant, summary.agent)


def _record(s: _State, main: Sequence[RecordedEvent], documents: Sequence[RecordedEvent]) -> PublicApplication:
    submitted = s.submitted
    summary = submitted.submission
    site = summary.site
    assert s.received_at is not None and s.valid_from is not None and s.published_at is not None
    expiry = expiry_date(s.valid_from, s.period_days) if s.period_days else None
    if expiry is not None and s.extended_expiry is not None:
        expiry = max(expiry, s.extended_expiry)
    consultation = (
        consultation_dates(s.validated_on, s.notices)
        if s.validated_on is not None and is_consulted(summary.application_type)
        else None
    )
    determined = s.status == "determined"
    notice = s.notices_issued.get(s.notice_document_id or "") if determined else None
    heads = tuple(
        StreamHead(stream[-1].stream_id, stream[-1].version, stream[-1].hash) for stream in (main, documents) if stream
    )
    newest = max(event.recorded_at for stream in (main, documents) for event in stream)
    return PublicApplication(
        council=s.council,
        reference=s.reference,
        version=sum(head.version for head in heads),
        application_type=summary.application_type,
        application_type_name=summary.application_type_name,
        status=str(s.status),
        received_at=s.received_at,
        validated_at=s.valid_from,
        published_at=s.published_at,
        description=_public_description(s.description, summary),
        site=PublicSite(
            address=site.address,
            town=site.town,
            postcode=site.postcode,
            uprn=site.uprn,
            latitude=site.latitude,
            longitude=site.longitude,
            x=site.x,
            y=site.y,
        ),
        decision=s.decision if determined else None,  # type: ignore[arg-type]
        decision_date=s.decision_date if determined else None,
        determined_at=s.determined_at if determined else None,
        expiry_date=expiry,
        target_date=target_date(s.valid_from),
        consultation_start_date=consultation[0] if consultation else None,
        consultation_end_date=consultation[1] if consultation else None,
        withdrawn_at=s.withdrawn_on if s.status == "withdrawn" else None,
        closed_at=s.closed_on if s.status == "closed" else None,
        case_officer_name=s.case_officer,
        applicant_name=(summary.applicant.name if summary.applicant else None) if s.publish_names else None,
        agent_company=(summary.agent.company if summary.agent else None) if s.publish_names else None,
        boundary=s.boundary,
        original=OriginalSubmission(
            payload_key=submitted.payload_key, format=summary.format, submitted_at=_utc(summary.submitted_at)
        ),
        documents=tuple(document.record() for document in s.documents.values() if document.public),
        decision_notice=notice,
        audit_heads=heads,
        updated_at=_utc(newest),
    )


def _utc(moment: datetime | None) -> Any:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


__all__ = ["public_view"]
