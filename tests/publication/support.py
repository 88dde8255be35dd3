"""An application's streams as recorded events for the publication tests, built by event type.

The documents side stream's events of the officers' console (events/documents.py, another branch) are stood in for by
payload models with the same type names and fields: the projection reads events by type name and fields.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from events import Actor, EventPayload, RecordedEvent
from events.application import DocumentReceived, PlanningApplicationSubmitted
from events.assessment import (
    CaseOfficerAssigned,
    DecisionNoticeIssued,
    PlanningApplicationDetermined,
    PlanningApplicationInvalidated,
    PlanningApplicationReturned,
    PlanningApplicationValidated,
    PlanningApplicationWithdrawn,
    RecommendationSubmitted,
)
from events.streams import application_side_stream, application_stream
from events.submission import ContactSummary, SiteSummary, SubmissionSummary

COUNCIL = "DEMO"
REFERENCE = "26-00001-HAPP"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SHA = "0" * 64
# Canary strings in every personal field: none may reach a public record or feed entry.
CANARIES = (
    "canary-applicant-email@example.org",
    "07700 900001",
    "canary-agent-email@example.org",
    "07700 900002",
    "CANARY private note",
    "CANARY challenge comment",
    "canary-unpublished.pdf",
)


class _Standin(EventPayload):
    pass


class DocumentUploaded(_Standin):
    event_type = "DocumentUploaded"
    document_id: str
    file_name: str
    key: str
    sha256: str
    size: int
    content_type: str
    tags: tuple[str, ...] = ()
    replaces: str | None = None


class DocumentTagsChanged(_Standin):
    event_type = "DocumentTagsChanged"
    document_id: str
    tags: tuple[str, ...]


class DocumentPublished(_Standin):
    event_type = "DocumentPublished"
    document_id: str


class DocumentUnpublished(_Standin):
    event_type = "DocumentUnpublished"
    document_id: str
    reason: str | None = None


class RedactedCopyUploaded(_Standin):
    event_type = "RedactedCopyUploaded"
    document_id: str
    key: str
    sha256: str
    size: int
    content_type: str
    file_name: str


class DocumentArchived(_Standin):
    event_type = "DocumentArchived"
    document_id: str
    reason: str


def submitted(
    application_type: str = "pp.full.householder", description: str = "Single storey rear extension", **site: Any
) -> PlanningApplicationSubmitted:
    summary = SubmissionSummary(
        format="application",
        application_type=application_type,
        application_type_name="Householder planning permission",
        description=description,
        site=SiteSummary(
            **{"address": "1 Mill Lane", "town": "Exampleton", "postcode": "EX1 2AB", "uprn": "100001", **site}
        ),
        applicant=ContactSummary(name="Ada Applicant", email=CANARIES[0], phone=CANARIES[1]),
        agent=ContactSummary(name="Bo Agent", company="Agents Ltd", email=CANARIES[2], phone=CANARIES[3]),
        submitted_at=START,
    )
    return PlanningApplicationSubmitted(
        reference=REFERENCE,
        received_at=START,
        submission=summary,
        payload_key=f"{COUNCIL}/{REFERENCE}/submission.json",
        payload_sha256=SHA,
        payload_size=100,
    )


def validated(on: date = date(2026, 3, 4)) -> PlanningApplicationValidated:
    return PlanningApplicationValidated(valid_from=on, validated_on=on, determination_period_days=56)


def received(document_id: str, name: str | None = None) -> DocumentReceived:
    return DocumentReceived(
        document_id=document_id,
        file_index=0,
        source_url=f"https://example.org/{document_id}.pdf",
        file_name=name or f"{document_id}.pdf",
        key=f"{COUNCIL}/{REFERENCE}/{document_id}.pdf",
        sha256=SHA,
        size=1000,
        content_type="application/pdf",
        tags=("floorPlan.proposed",),
    )


class Streams:
    """The main and documents streams of one application, recorded one event at a time, a minute apart."""

    def __init__(self, reference: str = REFERENCE, council: str = COUNCIL) -> None:
        self.council, self.reference = council, reference
        self.main: list[RecordedEvent] = []
        self.documents: list[RecordedEvent] = []
        self.clock = START

    def add(self, payload: EventPayload, side: bool = False) -> RecordedEvent:
        stream = self.documents if side else self.main
        stream_id = (
            application_side_stream(self.council, self.reference, "documents")
            if side
            else application_stream(self.council, self.reference)
        )
        self.clock += timedelta(minutes=1)
        previous = stream[-1].hash if stream else "0" * 64
        event = RecordedEvent(
            event_id=uuid4(),
            stream_id=stream_id,
            version=len(stream) + 1,
            council=self.council,
            event_type=payload.event_type,
            schema_version=1,
            occurred_at=self.clock,
            recorded_at=self.clock,
            actor=Actor.system("test"),
            correlation_id=uuid4(),
            causation_id=None,
            payload=payload,
            hash=hashlib.sha256((previous + payload.model_dump_json()).encode()).hexdigest(),
        )
        stream.append(event)
        return event

    def doc(self, payload: EventPayload) -> RecordedEvent:
        return self.add(payload, side=True)


def published_streams() -> Streams:
    streams = Streams()
    streams.add(submitted())
    streams.doc(received("doc-1", "plan.pdf"))
    streams.doc(received("doc-2", CANARIES[6]))
    streams.add(validated())
    return streams


def determine(streams: Streams, decision: str = "granted") -> None:
    streams.add(
        RecommendationSubmitted(
            decision=decision,  # type: ignore[arg-type]
            public_reason="Acceptable",
            private_note=CANARIES[4],
            officer_id="o1",
            officer_name="Ann Officer",
        )
    )
    streams.doc(
        DecisionNoticeIssued(
            document_id="notice-1",
            key=f"{COUNCIL}/{REFERENCE}/notice.html",
            sha256=SHA,
            size=10,
            content_type="text/html",
        )
    )
    streams.add(
        PlanningApplicationDetermined(decision=decision, decision_date=date(2026, 4, 20), notice_document_id="notice-1")  # type: ignore[arg-type]
    )


__all__ = [
    "CaseOfficerAssigned",
    "PlanningApplicationInvalidated",
    "PlanningApplicationReturned",
    "PlanningApplicationWithdrawn",
]
