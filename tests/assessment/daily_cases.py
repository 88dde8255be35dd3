"""Applications in a real event store for the daily job's tests: submitted, then taken through the domain's commands,
each command's events appended at the version its state was folded at (as the officer API does)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from events import Actor, EventPayload, NewEvent, RecordedEvent
from events.application import DocumentReceived, PlanningApplicationSubmitted
from events.streams import application_side_stream, application_stream, application_streams
from events.submission import SiteSummary, SubmissionSummary
from services.assessment.auto_close_projection import AutoCloseProjection
from services.assessment.domain import PlanningApplication, draft_validation_request, fold, invalidate, validate
from shared.eventstore.port import EventStore, read_merged
from shared.officer_identity import SignedInOfficer
from shared.projections.projector import Projector
from shared.projections.store import ReadModelStore

COUNCIL = "DEMO"
ASSESSOR = SignedInOfficer(COUNCIL, "officer-ann", "Ann Assessor", "assessor")
RECEIVED_AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # Monday 2 March 2026
DESCRIPTION = "Single storey rear extension"
NEW_DESCRIPTION = "Single storey rear extension, 3 m deep"
BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[-0.1, 51.5], [-0.099, 51.5], [-0.099, 51.501], [-0.1, 51.5]]],
}


def at(day: date) -> datetime:
    return datetime.combine(day, time(11, 0), tzinfo=UTC)


class Application:
    def __init__(self, store: EventStore, reference: str) -> None:
        self.store = store
        self.reference = reference
        self.stream = application_stream(COUNCIL, reference)
        summary = SubmissionSummary(
            format="application",
            application_type="pp.full.householder",
            description=DESCRIPTION,
            site=SiteSummary(address="1 High Street, Testtown", postcode="TT1 1AA", uprn="100000000001"),
        )
        submitted = PlanningApplicationSubmitted(
            reference=reference,
            received_at=RECEIVED_AT,
            submission=summary,
            payload_key=f"{COUNCIL}/{reference}/submission.json",
            payload_sha256="0" * 64,
            payload_size=100,
        )
        store.append(self.stream, 0, [NewEvent(submitted, COUNCIL, Actor.system("intake"), RECEIVED_AT)])
        received = DocumentReceived(
            document_id="doc-1",
            file_index=0,
            source_url="https://example.org/doc-1.pdf",
            file_name="doc-1.pdf",
            key=f"{COUNCIL}/{reference}/doc-1.pdf",
            sha256="0" * 64,
            size=1000,
            content_type="application/pdf",
            tags=("floorPlan.proposed",),
        )
        documents = application_side_stream(COUNCIL, reference, "documents")
        store.append(documents, 0, [NewEvent(received, COUNCIL, Actor.system("intake"), RECEIVED_AT)])
        self.requests: dict[str, str] = {}  # request type -> id

    def state(self) -> PlanningApplication:
        return fold(read_merged(self.store, application_streams(COUNCIL, self.reference)))

    def run(self, command: Callable[..., list[EventPayload]], day: date, **inputs: Any) -> list[RecordedEvent]:
        state = self.state()
        payloads = command(state, ASSESSOR, today=day, **inputs)
        events = [NewEvent(p, COUNCIL, ASSESSOR.actor(), at(day)) for p in payloads]
        return self.store.append(self.stream, state.version, events)

    def draft(self, request_type: str, day: date, **details: Any) -> str:
        request_id = str(uuid.uuid4())
        self.run(
            draft_validation_request, day, request_id=request_id, request_type=request_type, reason="needed", **details
        )
        self.requests[request_type] = request_id
        return request_id

    def invalidated_with_changes(self, day: date) -> Application:
        """Description and boundary change requests and an additional document request, sent on `day`."""
        self.draft("description_change", day, proposed_description=NEW_DESCRIPTION)
        self.draft("red_line_boundary_change", day, proposed_boundary=BOUNDARY)
        self.draft("additional_document", day, requested_document="Roof plan")
        self.run(invalidate, day)
        return self

    def validated_with_a_condition(self, day: date) -> Application:
        """Validated, then a pre-commencement condition request sent on `day` (at once, after validation)."""
        self.run(validate, day, determination_period_days=56)
        self.draft(
            "pre_commencement_condition",
            day,
            proposed_condition={"text": "A construction plan before works start", "reason": "Highway safety"},
        )
        return self

    def request_state(self, request_type: str) -> str:
        return self.state().requests[self.requests[request_type]].state


def project(store: EventStore, read_models: ReadModelStore, *applications: Application) -> None:
    """Deliver every event of the applications' streams to the auto-close projection (as the bus or relay does)."""
    projector = Projector(AutoCloseProjection(), read_models, store)
    for application in applications:
        for stream_id in application_streams(COUNCIL, application.reference):
            for event in store.read(stream_id):
                if event.event_type in projector.projection.event_types:
                    projector.handle(event)
