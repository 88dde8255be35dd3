from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

from events import Actor, RecordedEvent
from events.application import DocumentFetchFailed
from services.assessment.officer_api.audit import audit_entries, describe, generic
from tests.assessment.api_support import RECEIVED


def event(payload, event_type: str | None = None, stream: str = "application:DEMO:26-00001-HH:documents"):
    return RecordedEvent(
        event_id=uuid4(),
        stream_id=stream,
        version=1,
        council="DEMO",
        event_type=event_type or payload.event_type,
        schema_version=1,
        occurred_at=RECEIVED,
        recorded_at=RECEIVED,
        actor=Actor.system(),
        correlation_id=uuid4(),
        causation_id=None,
        payload=payload,
    )


FAILED = DocumentFetchFailed(file_index=0, source_url="https://x.example/a.pdf", reason="not found", attempts=3)


def test_a_known_event_in_plain_english():
    assert describe(event(FAILED)) == "A submitted file could not be fetched from https://x.example/a.pdf: not found"


def test_an_unknown_event_type_gets_a_generic_line_never_an_error():
    assert describe(event(FAILED, "TimeExtensionAgreedByApplicant")) == "Time extension agreed by applicant"
    assert generic("") == "Something happened"


def test_an_event_shaped_otherwise_than_known_gets_the_generic_line():
    assert describe(event(FAILED, "CaseOfficerAssigned")) == "Case officer assigned"


def test_entries_say_who_when_what_and_which_stream():
    [entry] = audit_entries([replace(event(FAILED), actor=Actor(kind="officer", id="o1", display_name="Ann"))])
    assert entry["who"] == {"kind": "officer", "id": "o1", "name": "Ann"}
    assert entry["at"].startswith("2026-03-02T10:00:00")
    assert entry["stream"] == "documents"
    assert entry["eventType"] == "DocumentFetchFailed"
    [system] = audit_entries([event(FAILED, stream="application:DEMO:26-00001-HH")])
    assert system["who"]["name"] == "system" and system["stream"] == "main"
