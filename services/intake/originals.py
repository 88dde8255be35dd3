"""The claim-checked original of an accepted submission: what the event's summary leaves out is read from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from events.application import PlanningApplicationSubmitted
from events.submission import FileReference
from shared.documents import DocumentStore

if TYPE_CHECKING:  # the ODP model and its validator are loaded only when the event's file list was left out
    from shared.odp import Submission


def original_submission(documents: DocumentStore, submitted: PlanningApplicationSubmitted) -> Submission:
    """The whole submission, parsed again from the original bytes the event names."""
    import orjson

    from shared.odp import parse_submission

    return parse_submission(orjson.loads(documents.get(submitted.payload_key)))


def submitted_files(documents: DocumentStore, submitted: PlanningApplicationSubmitted) -> tuple[FileReference, ...]:
    """The files the submission names, in its order: from the event, or from the original when the list was too long
    for the event."""
    if submitted.submission.files is not None:
        return submitted.submission.files
    return tuple(
        FileReference(url=file.url, types=file.types, description=file.description)
        for file in original_submission(documents, submitted).files
    )
