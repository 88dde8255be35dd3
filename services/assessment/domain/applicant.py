"""The applicant's answer to a request, through the request's secure link (the pages check the link's token)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events import EventPayload
from events.assessment import (
    ApplicantDocumentUploaded,
    DescriptionChanged,
    RedLineBoundaryChanged,
    ValidationRequestAnswered,
)
from services.assessment.domain import guards
from services.assessment.domain.errors import Conflict, NotFound
from services.assessment.domain.state import PlanningApplication, ValidationRequest
from shared.calendar import LONDON

# How each type is answered.
AGREE_OR_DISAGREE = frozenset(
    {"description_change", "red_line_boundary_change", "time_extension", "pre_commencement_condition", "heads_of_terms"}
)
WITH_A_DOCUMENT = frozenset({"additional_document", "replacement_document"})
WITH_A_RESPONSE = frozenset({"other_change", "fee_change", "ownership_certificate"})
CONTENT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


@dataclass(frozen=True, slots=True)
class UploadedDocument:
    """A file the applicant uploaded, already checked by content and stored (the pages do both first)."""

    document_id: str
    file_name: str
    key: str
    sha256: str
    size: int
    content_type: str


def answer_validation_request(
    state: PlanningApplication,
    *,
    request_id: str,
    now: datetime,
    agreed: bool | None = None,
    reason: str | None = None,
    response: str | None = None,
    document: UploadedDocument | None = None,
) -> list[EventPayload]:
    """Close an open request with the applicant's answer; an agreed description or boundary change is applied.

    An uploaded document comes first (`ApplicantDocumentUploaded`, for the documents side stream)."""
    guards.application(state)
    if now.tzinfo is None:
        raise ValueError("the moment of an answer must be timezone-aware")
    request = state.requests.get(request_id)
    if request is None:
        raise NotFound(f"no validation request {request_id} for this application")
    if request.state != "open" or not state.is_open:
        raise Conflict("this request is closed" if request.state != "pending" else "this request has not been sent")
    fields = guards.Fields()
    agreed, reason_text, response_text = _answer(fields, request, agreed, reason, response, document)
    fields.check()
    events: list[EventPayload] = []
    if document is not None:
        events.append(
            ApplicantDocumentUploaded(
                document_id=document.document_id,
                request_id=request.id,
                file_name=document.file_name,
                key=document.key,
                sha256=document.sha256,
                size=document.size,
                content_type=document.content_type,
            )
        )
    events.append(
        ValidationRequestAnswered(
            request_id=request.id,
            answered_at=now,
            answered_on=now.astimezone(LONDON).date(),
            agreed=agreed,
            reason=reason_text,
            response=response_text,
            document_id=document.document_id if document else None,
        )
    )
    if agreed:
        events.extend(applied_change(request))
    return events


def _answer(
    fields: guards.Fields,
    request: ValidationRequest,
    agreed: bool | None,
    reason: str | None,
    response: str | None,
    document: UploadedDocument | None,
) -> tuple[bool | None, str | None, str | None]:
    if request.type in AGREE_OR_DISAGREE:
        if not isinstance(agreed, bool):
            fields.add("agreed", "say whether you agree")
        reason_text = fields.text("reason", reason, required=agreed is False)
        if document is not None:
            fields.add("document", "is not needed for this request")
        return agreed, reason_text, fields.long("response", response, required=False)
    if agreed is not None:
        fields.add("agreed", "does not apply to this request")
    if request.type in WITH_A_DOCUMENT and document is None:
        fields.add("document", "upload the document asked for")
    if document is not None:
        _check_document(fields, document)
    required = request.type in WITH_A_RESPONSE and document is None
    return None, fields.text("reason", reason, required=False), fields.long("response", response, required=required)


def _check_document(fields: guards.Fields, document: UploadedDocument) -> None:
    if document.content_type not in CONTENT_TYPES:
        fields.add("document", "must be a PDF, PNG or JPEG file")
    for name in ("document_id", "file_name", "key"):
        fields.short(f"document.{name}", getattr(document, name))
    if document.size <= 0:
        fields.add("document", "is empty")


def applied_change(request: ValidationRequest) -> list[EventPayload]:
    """The change an accepted request makes to the application (description, red-line boundary)."""
    drafted = request.drafted
    if request.type == "description_change" and drafted.proposed_description:
        return [DescriptionChanged(description=drafted.proposed_description, request_id=request.id)]
    if request.type == "red_line_boundary_change" and drafted.proposed_boundary:
        return [RedLineBoundaryChanged(boundary=drafted.proposed_boundary, request_id=request.id)]
    return []


__all__ = ["UploadedDocument", "answer_validation_request", "applied_change"]
