"""Officers' document commands, on the application's documents side stream: upload (or a new version of a document),
tag, publish and unpublish, upload a redacted copy, archive. Marking a document valid or invalid is `check_document`.

Assessors and reviewers manage documents (administrators do not do case work); another council's application is not
found. Nothing submitted is public until an officer publishes it; an archived or replaced document cannot be
published; the decision notice is public with the decision, so officers do not manage it here. The files are checked
by content and stored before the command runs (`UploadedDocument`); the command checks what it is told again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from events import EventPayload
from events.application import DocumentFetchRequested
from events.documents import (
    MAX_TAGS,
    DocumentArchived,
    DocumentPublished,
    DocumentTagsChanged,
    DocumentUnpublished,
    DocumentUploaded,
    RedactedCopyUploaded,
)
from services.assessment.domain import guards
from services.assessment.domain.applicant import CONTENT_TYPES, UploadedDocument
from services.assessment.domain.errors import Conflict, NotFound
from services.assessment.domain.state import DocumentView, PlanningApplication
from shared.officer_identity import SignedInOfficer

TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _document(state: PlanningApplication, document_id: str) -> DocumentView:
    document = state.documents.get(document_id) if isinstance(document_id, str) else None
    if document is None:
        raise NotFound(f"no document {document_id} in this application")
    if document.source == "decision_notice":
        raise Conflict("the decision notice is public with the decision: it cannot be changed here")
    return document


def _current(document: DocumentView, action: str) -> None:
    if document.archived:
        raise Conflict(f"cannot {action}: the document {document.name} is archived ({document.archived_reason})")
    if document.replaced_by is not None:
        raise Conflict(f"cannot {action}: the document {document.name} was replaced by a newer version")


def _tags(fields: guards.Fields, tags: Iterable[str] | None) -> tuple[str, ...]:
    """The tags without repeats, in the order given; each a short word like `floorPlan.proposed`."""
    if tags is None:
        return ()
    if isinstance(tags, str) or not all(isinstance(tag, str) for tag in tags):
        fields.add("tags", "must be a list of tags")
        return ()
    cleaned = tuple(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if len(cleaned) > MAX_TAGS:
        fields.add("tags", f"must be at most {MAX_TAGS} tags")
    bad = [tag for tag in cleaned if not TAG.match(tag)]
    if bad:
        fields.add("tags", f"{bad[0][:40]!r} is not a tag (letters, digits, dots, dashes and underscores)")
    return cleaned


def _file(fields: guards.Fields, name: str, file: UploadedDocument) -> None:
    if file.content_type not in CONTENT_TYPES:
        fields.add(name, "must be a PDF, PNG or JPEG file")
    if file.size <= 0:
        fields.add(name, "is empty")
    for part in ("document_id", "file_name", "key"):
        fields.short(f"{name}.{part}", getattr(file, part))


def upload_document(
    state: PlanningApplication,
    officer: SignedInOfficer,
    *,
    document: UploadedDocument,
    tags: Iterable[str] | None = None,
    replaces: str | None = None,
) -> list[EventPayload]:
    """A new document, or (`replaces`) a new version of a current one, which then stops being current."""
    guards.case_work(state, officer, "upload documents")
    if replaces is not None:
        _current(_document(state, replaces), "replace it")
    fields = guards.Fields()
    _file(fields, "file", document)
    cleaned = _tags(fields, tags)
    fields.check()
    if document.document_id in state.documents:
        raise Conflict(f"the application already has a document {document.document_id}")
    return [
        DocumentUploaded(
            document_id=document.document_id,
            file_name=document.file_name,
            key=document.key,
            sha256=document.sha256,
            size=document.size,
            content_type=document.content_type,
            tags=cleaned,
            replaces=replaces,
        )
    ]


def change_document_tags(
    state: PlanningApplication, officer: SignedInOfficer, *, document_id: str, tags: Iterable[str] | None
) -> list[EventPayload]:
    """Set a document's tags (the whole new set); the same set again changes nothing."""
    guards.case_work(state, officer, "tag documents")
    document = _document(state, document_id)
    fields = guards.Fields()
    cleaned = _tags(fields, tags)
    fields.check()
    if cleaned == document.tags:
        return []
    return [DocumentTagsChanged(document_id=document_id, tags=cleaned)]


def publish_document(state: PlanningApplication, officer: SignedInOfficer, *, document_id: str) -> list[EventPayload]:
    """Make a current document public (its redacted copy if it has one)."""
    guards.case_work(state, officer, "publish documents")
    document = _document(state, document_id)
    _current(document, "publish it")
    if document.published:
        raise Conflict(f"the document {document.name} is already published")
    return [DocumentPublished(document_id=document_id)]


def unpublish_document(
    state: PlanningApplication, officer: SignedInOfficer, *, document_id: str, reason: str | None = None
) -> list[EventPayload]:
    guards.case_work(state, officer, "unpublish documents")
    document = _document(state, document_id)
    fields = guards.Fields()
    text = fields.text("reason", reason, required=False)
    fields.check()
    if not document.published:
        raise Conflict(f"the document {document.name} is not published")
    return [DocumentUnpublished(document_id=document_id, reason=text)]


def upload_redacted_copy(
    state: PlanningApplication, officer: SignedInOfficer, *, document_id: str, copy: UploadedDocument
) -> list[EventPayload]:
    """A redacted copy of a document that is not archived: the public sees it instead (a later copy replaces an
    earlier one)."""
    guards.case_work(state, officer, "upload redacted copies")
    document = _document(state, document_id)
    if document.archived:
        raise Conflict(f"cannot redact it: the document {document.name} is archived ({document.archived_reason})")
    fields = guards.Fields()
    _file(fields, "file", copy)
    fields.check()
    return [
        RedactedCopyUploaded(
            document_id=document_id,
            file_name=copy.file_name,
            key=copy.key,
            sha256=copy.sha256,
            size=copy.size,
            content_type=copy.content_type,
        )
    ]


def archive_document(
    state: PlanningApplication, officer: SignedInOfficer, *, document_id: str, reason: str | None
) -> list[EventPayload]:
    """Archive a document, saying why: it is no longer current, nor public."""
    guards.case_work(state, officer, "archive documents")
    document = _document(state, document_id)
    fields = guards.Fields()
    text = fields.text("reason", reason)
    fields.check()
    assert text is not None
    if document.archived:
        raise Conflict(f"the document {document.name} is already archived")
    return [DocumentArchived(document_id=document_id, reason=text)]


def request_document_fetch(
    state: PlanningApplication, officer: SignedInOfficer, *, file_index: int
) -> list[EventPayload]:
    """Ask for a submitted file that failed to arrive to be fetched again (the document fetcher answers with its
    outcome). Asking again before that outcome changes nothing (a second click); a file received cannot be asked
    for, nor one still being fetched for the first time."""
    guards.case_work(state, officer, "ask for submitted files to be fetched again")
    index = file_index if isinstance(file_index, int) and not isinstance(file_index, bool) else -1
    file = state.submitted_files.get(index)
    if file is None:
        if 0 <= index < (state.submission.file_count if state.submission else 0):
            raise Conflict(f"submitted file {index + 1} is still being fetched: wait for it")
        raise NotFound("the submission names no such file")
    if file.state == "received":
        raise Conflict(f"submitted file {file.number} was received: it cannot be fetched again")
    if file.state == "requested":
        return []
    return [DocumentFetchRequested(file_index=file_index, source_url=file.source_url)]


def documents_touched(payloads: Iterable[EventPayload]) -> frozenset[str]:
    """The documents that events are about (a new version's event is about the document it replaces too), and the
    submitted files (`file:<index>`): a request to fetch one again and its outcome."""
    touched: set[str] = set()
    for payload in payloads:
        for name in ("document_id", "replaces"):
            value = getattr(payload, name, None)
            if isinstance(value, str):
                touched.add(value)
        index = getattr(payload, "file_index", None)
        if isinstance(index, int):
            touched.add(f"file:{index}")
    return frozenset(touched)


__all__ = [
    "archive_document",
    "change_document_tags",
    "documents_touched",
    "publish_document",
    "request_document_fetch",
    "unpublish_document",
    "upload_document",
    "upload_redacted_copy",
]
