"""Which stream each of the domain's events goes to: the documents side stream for files, else the main stream."""

from __future__ import annotations

from events import EventPayload

DOCUMENTS_SIDE_EVENTS = frozenset(
    {
        "ApplicantDocumentUploaded",
        "DecisionNoticeIssued",
        "DocumentUploaded",
        "DocumentTagsChanged",
        "DocumentPublished",
        "DocumentUnpublished",
        "RedactedCopyUploaded",
        "DocumentArchived",
        "DocumentFetchRequested",
    }
)


def side_stream_of(payload: EventPayload) -> str | None:
    """`"documents"` for a file's event (append it with `events.streams.application_side_stream`), else None (the
    main stream). A command's events go together in one `EventStore.append_streams`."""
    return "documents" if payload.event_type in DOCUMENTS_SIDE_EVENTS else None
