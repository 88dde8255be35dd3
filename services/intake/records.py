"""The council's own full record of one application, as intake knows it (its main and documents streams, and the
whole submission from its claim-checked original)."""

from __future__ import annotations

from typing import Any

from events.application import DocumentFetchFailed, DocumentReceived, PlanningApplicationSubmitted
from events.serialization import format_time
from events.streams import application_side_stream, application_stream
from services.intake.documents.policy import fold
from services.intake.originals import original_submission
from shared.application_status import status_of
from shared.documents import DocumentStore
from shared.eventstore import EventStore


def application_record(
    store: EventStore, documents: DocumentStore, council: str, reference: str
) -> dict[str, Any] | None:
    events = store.read(application_stream(council, reference))
    submitted = next((e for e in events if isinstance(e.payload, PlanningApplicationSubmitted)), None)
    if submitted is None:
        return None
    payload: PlanningApplicationSubmitted = submitted.payload  # type: ignore[assignment]
    summary = payload.submission
    original = original_submission(documents, payload)
    received: list[dict[str, Any]] = []
    failures: dict[int, dict[str, Any]] = {}  # by file index: the failure that counts (the newest, if asked again)
    documents_events = store.read(application_side_stream(council, reference, "documents"))
    state = fold(documents_events)  # what counts for each file: a duplicate, or a failure fetched again since, does not
    for event in documents_events:
        if isinstance(event.payload, DocumentReceived):
            d = event.payload
            if state.received.get(d.file_index) != d.document_id:
                continue
            received.append(
                {
                    "id": d.document_id,
                    "fileIndex": d.file_index,
                    "name": d.file_name,
                    "tags": list(d.tags),
                    "description": d.description,
                    "contentType": d.content_type,
                    "size": d.size,
                    "sha256": d.sha256,
                    "sourceUrl": d.source_url,
                    "receivedAt": format_time(event.recorded_at),
                }
            )
        elif isinstance(event.payload, DocumentFetchFailed):
            f = event.payload
            if state.failed.get(f.file_index) != f.reason:
                continue
            failures[f.file_index] = {
                "fileIndex": f.file_index,
                "sourceUrl": f.source_url,
                "reason": f.reason,
                "attempts": f.attempts,
                "tags": list(f.tags),
                "failedAt": format_time(event.recorded_at),
            }
    return {
        "id": reference,
        "reference": reference,
        "fullReference": f"{council}-{reference}",
        "council": council,
        "status": status_of(event.event_type for event in events) or "not_started",
        "receivedAt": format_time(payload.received_at),
        "applicationType": {"value": summary.application_type, "description": summary.application_type_name},
        "description": original.description,
        "submission": original.model_dump(mode="json"),
        "originalSubmission": {"sha256": payload.payload_sha256, "size": payload.payload_size},
        "documents": received,
        "documentFetchFailures": [failures[index] for index in sorted(failures)],
        "filesPending": max(0, summary.file_count - len(received) - len(failures)),
    }
