"""Events of a planning application: its reference, its submission, and its documents side stream."""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would evaluate each field's
# string when its class is defined (~5 ms of a cold start that imports every event module).

from datetime import datetime
from typing import Any

from events.envelope import EventPayload
from events.registry import event, upcaster
from events.submission import SubmissionSummary, summary_from_submission


@event("PlanningApplicationReferenceAssigned")
class PlanningApplicationReferenceAssigned(EventPayload):
    """A submission was given the council's next application reference (on the council's intake stream)."""

    submission_id: str
    reference: str
    sequence: int
    application_type: str
    body_sha256: str


@event("SubmissionClaimed")
class SubmissionClaimed(EventPayload):
    """A submission id of the council's online service (ODP `metadata.id`) became this application: the only event of
    the submission's own stream, appended with the reference and the application in one atomic append, so a repeat of
    the submission finds its application with one read."""

    submission_id: str
    reference: str
    body_sha256: str


@event("PlanningApplicationSubmitted", schema_version=3)
class PlanningApplicationSubmitted(EventPayload):
    """An applicant's submission was received through the council's online service and accepted.

    `submission` is a bounded summary; the whole submission is the original stored under `payload_key` (a
    claim check: `payload_sha256` and `payload_size` are its bytes' hash and length)."""

    reference: str
    received_at: datetime
    submission: SubmissionSummary
    payload_key: str
    payload_sha256: str
    payload_size: int


@upcaster("PlanningApplicationSubmitted", 1, 2)
def _submitted_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 embedded the whole parsed submission (boundary, answers, constraints...); version 2 its summary."""
    return {**data, "submission": summary_from_submission(data["submission"])}


@upcaster("PlanningApplicationSubmitted", 2, 3)
def _submitted_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3's summary carries the submission's planning constraints; a version 2 summary has none (they are in
    the stored original). A v1 event keeps those its embedded submission had (read by the v1 to v2 upcaster)."""
    return {**data, "submission": {"constraints": [], **data["submission"]}}


@event("DocumentReceived")
class DocumentReceived(EventPayload):
    """A file named in the submission was downloaded, checked and stored in the document store."""

    document_id: str
    file_index: int
    source_url: str
    file_name: str
    key: str
    sha256: str
    size: int
    content_type: str
    tags: tuple[str, ...] = ()
    description: str | None = None


@event("DocumentFetchFailed")
class DocumentFetchFailed(EventPayload):
    """A file named in the submission could not be fetched or was refused; officers see why."""

    file_index: int
    source_url: str
    reason: str
    attempts: int
    tags: tuple[str, ...] = ()


@event("DocumentFetchRequested")
class DocumentFetchRequested(EventPayload):
    """A case officer asked for a submitted file that could not be fetched (`DocumentFetchFailed`) to be fetched
    again; the officer is the event's actor. The document fetcher fetches it once and appends the outcome
    (`DocumentReceived` or `DocumentFetchFailed`, caused by this event) to the same documents side stream."""

    file_index: int
    source_url: str
