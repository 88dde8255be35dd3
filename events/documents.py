"""Events of an application's documents that officers manage: an upload (or a new version of a document), its tags,
what the public sees (published, unpublished, a redacted copy), archiving. All on the application's documents side
stream (`events.streams.application_side_stream(council, reference, "documents")`).

A document id is that of the event that brought the file: `DocumentReceived` (submitted), `ApplicantDocumentUploaded`,
`DecisionNoticeIssued` or `DocumentUploaded`. Publication reads these by type: a document is public when its newest
of `DocumentPublished` / `DocumentUnpublished` is a `DocumentPublished`, it is not archived and no newer version
replaces it; the public file is the redacted copy when there is one. Nothing submitted is public until published.
"""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would evaluate each field's
# string when its class is defined (~5 ms of a cold start that imports every event module).

from typing import Annotated

from pydantic import Field

from events.envelope import EventPayload
from events.registry import event

SHORT_TEXT = 300
REASON_TEXT = 2_000
MAX_TAGS = 20

ShortText = Annotated[str, Field(max_length=SHORT_TEXT)]
ReasonText = Annotated[str, Field(max_length=REASON_TEXT)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Tags = Annotated[tuple[ShortText, ...], Field(max_length=MAX_TAGS)]


@event("DocumentUploaded")
class DocumentUploaded(EventPayload):
    """An officer uploaded a file (PDF, PNG or JPEG, checked by content), stored under `key`; `replaces` names the
    document it is a new version of (which then stops being current), or None."""

    document_id: ShortText
    file_name: ShortText
    key: ShortText
    sha256: Sha256
    size: int = Field(ge=0)
    content_type: ShortText
    tags: Tags = ()
    replaces: ShortText | None = None


@event("DocumentTagsChanged")
class DocumentTagsChanged(EventPayload):
    """An officer set a document's tags (`tags` is the whole new set)."""

    document_id: ShortText
    tags: Tags


@event("DocumentPublished")
class DocumentPublished(EventPayload):
    """An officer made a document public (its redacted copy, if it has one)."""

    document_id: ShortText


@event("DocumentUnpublished")
class DocumentUnpublished(EventPayload):
    """An officer took a document out of public view."""

    document_id: ShortText
    reason: ReasonText | None = None


@event("RedactedCopyUploaded")
class RedactedCopyUploaded(EventPayload):
    """An officer uploaded a redacted copy of a document (`document_id` is the original's): the public sees it
    instead of the original."""

    document_id: ShortText
    file_name: ShortText
    key: ShortText
    sha256: Sha256
    size: int = Field(ge=0)
    content_type: ShortText


@event("DocumentArchived")
class DocumentArchived(EventPayload):
    """An officer archived a document, saying why: it is no longer current nor public."""

    document_id: ShortText
    reason: ReasonText
