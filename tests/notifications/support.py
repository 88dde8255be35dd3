"""An application's life appended straight to an embedded log (the events the notifications service reacts to), and
the outbox and notifications stream it leaves behind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal  # noqa: F401  (re-exported for tests drafting fee requests)
from typing import Any
from uuid import uuid4

from events import Actor, EventPayload, NewEvent, RecordedEvent
from events.application import PlanningApplicationSubmitted
from events.assessment import (
    CaseOfficerAssigned,
    PlanningApplicationDetermined,
    PlanningApplicationInvalidated,
    PlanningApplicationReturned,
    PlanningApplicationValidated,
    PlanningApplicationWithdrawn,
    RecommendationChallenged,
    RecommendationSubmitted,
    ValidationRequestAutoClosed,
    ValidationRequestCancelled,
    ValidationRequestDrafted,
    ValidationRequestSent,
)
from events.council import CouncilCreated, OfficerCreated
from events.notifications import NotificationFailed, NotificationSent
from events.streams import application_side_stream, application_stream, council_stream
from events.submission import ContactSummary, SiteSummary, SubmissionSummary

COUNCIL = "DEMO"
COUNCIL_NAME = "Demo Borough Council"
APPLICANT_EMAIL = "alice.applicant@example.org"
AGENT_EMAIL = "andy.agent@agents.example.com"
OFFICERS = {  # id: (name, e-mail, role)
    "officer-ann": ("Ann Assessor", "ann@demo.example.gov.uk", "assessor"),
    "officer-rae": ("Rae Reviewer", "rae@demo.example.gov.uk", "reviewer"),
    "officer-sam": ("Sam Reviewer", "sam@demo.example.gov.uk", "reviewer"),
    "officer-ada": ("Ada Admin", "ada@demo.example.gov.uk", "administrator"),
}
OFFICER = Actor(kind="officer", id="officer-ann", display_name="Ann Assessor")
START = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def create_council(store: Any) -> None:
    at = START - timedelta(days=30)
    events = [NewEvent(CouncilCreated(code=COUNCIL, name=COUNCIL_NAME, slug="demo"), COUNCIL, Actor.system(), at)]
    events += [
        NewEvent(OfficerCreated(officer_id=i, email=e, name=n, role=r), COUNCIL, Actor.system(), at)  # type: ignore[arg-type]
        for i, (n, e, r) in OFFICERS.items()
    ]
    store.append(council_stream(COUNCIL), 0, events)


class Application:
    """One application's main stream in a real event store; each step appends like the domain's commands."""

    def __init__(self, store: Any, reference: str = "26-00001-HAPP", agent: bool = True) -> None:
        self.store = store
        self.reference = reference
        self.stream = application_stream(COUNCIL, reference)
        self.at = START
        self.recorded: list[RecordedEvent] = []
        summary = SubmissionSummary(
            format="application",
            application_type="pp.full.householder",
            application_type_name="Planning permission - full householder",
            description="Single storey rear extension",
            site=SiteSummary(address="1 High Street", town="Testtown", postcode="TT1 1AA"),
            applicant=ContactSummary(name="Alice Applicant", email=APPLICANT_EMAIL),
            agent=ContactSummary(name="Andy Agent", company="Agents Ltd", email=AGENT_EMAIL) if agent else None,
        )
        self.append(
            PlanningApplicationSubmitted(
                reference=reference,
                received_at=START,
                submission=summary,
                payload_key=f"{COUNCIL}/{reference}/submission.json",
                payload_sha256="0" * 64,
                payload_size=100,
            ),
            actor=Actor(kind="api_client", id="planx", display_name="PlanX"),
        )

    def append(self, *payloads: EventPayload, actor: Actor = OFFICER) -> list[RecordedEvent]:
        self.at += timedelta(minutes=5)
        version = self.store.stream_version(self.stream)
        recorded = self.store.append(self.stream, version, [NewEvent(p, COUNCIL, actor, self.at) for p in payloads])
        self.recorded.extend(recorded)
        return recorded

    # Steps

    def assign(self, officer_id: str = "officer-ann") -> list[RecordedEvent]:
        return self.append(CaseOfficerAssigned(officer_id=officer_id, officer_name=OFFICERS[officer_id][0]))

    def draft(self, request_type: str = "additional_document", *, post_validation: bool = False, **details: Any) -> str:
        request_id = str(uuid4())
        drafted = ValidationRequestDrafted(
            request_id=request_id,
            request_type=request_type,  # type: ignore[arg-type]
            reason=details.pop("reason", f"we need a {request_type.replace('_', ' ')}"),
            post_validation=post_validation,
            **details,
        )
        if post_validation:
            sent = ValidationRequestSent(
                request_id=request_id, sent_on=date(2026, 4, 1), response_due=date(2026, 4, 22)
            )
            self.append(drafted, sent)
        else:
            self.append(drafted)
        return request_id

    def invalidate(self, request_ids: Sequence[str]) -> list[RecordedEvent]:
        return self.append(
            PlanningApplicationInvalidated(invalidated_on=date(2026, 3, 4), request_ids=tuple(request_ids)),
            *(
                ValidationRequestSent(request_id=r, sent_on=date(2026, 3, 4), response_due=date(2026, 3, 25))
                for r in request_ids
            ),
        )

    def cancel(self, request_id: str) -> list[RecordedEvent]:
        return self.append(
            ValidationRequestCancelled(
                request_id=request_id, reason="we no longer need it", cancelled_on=date(2026, 3, 6)
            )
        )

    def auto_close(self, request_id: str) -> list[RecordedEvent]:
        return self.append(
            ValidationRequestAutoClosed(request_id=request_id, closed_on=date(2026, 4, 8)), actor=Actor.system("daily")
        )

    def validate(self) -> list[RecordedEvent]:
        return self.append(
            PlanningApplicationValidated(
                valid_from=date(2026, 3, 11), validated_on=date(2026, 3, 12), determination_period_days=56
            )
        )

    def recommend(self, officer_id: str = "officer-ann") -> list[RecordedEvent]:
        return self.append(
            RecommendationSubmitted(
                decision="granted",
                public_reason="The extension is in keeping with the house and its neighbours.",
                officer_id=officer_id,
                officer_name=OFFICERS[officer_id][0],
            )
        )

    def challenge(self, reviewer_id: str = "officer-rae") -> list[RecordedEvent]:
        return self.append(
            RecommendationChallenged(
                reviewer_id=reviewer_id, reviewer_name=OFFICERS[reviewer_id][0], comment="Say more about light."
            ),
            actor=Actor(kind="officer", id=reviewer_id, display_name=OFFICERS[reviewer_id][0]),
        )

    def determine(self) -> list[RecordedEvent]:
        return self.append(
            PlanningApplicationDetermined(decision="granted", decision_date=date(2026, 4, 20), notice_document_id="n1")
        )

    def withdraw(self) -> list[RecordedEvent]:
        return self.append(PlanningApplicationWithdrawn(reason="the applicant asked", withdrawn_on=date(2026, 3, 20)))

    def return_(self) -> list[RecordedEvent]:
        return self.append(PlanningApplicationReturned(reason="the fee was not paid", returned_on=date(2026, 3, 20)))

    # What it left behind

    def notifications(self) -> list[RecordedEvent]:
        return self.store.read(application_side_stream(COUNCIL, self.reference, "notifications"))

    def sent(self) -> list[NotificationSent]:
        return [e.payload for e in self.notifications() if isinstance(e.payload, NotificationSent)]  # type: ignore[misc]

    def failed(self) -> list[NotificationFailed]:
        return [e.payload for e in self.notifications() if isinstance(e.payload, NotificationFailed)]  # type: ignore[misc]


def project_outstanding(store: Any, read_models: Any) -> Any:
    """Deliver the whole log to the notifications-outstanding projection, as the relay does (again and again:
    duplicates change nothing); the read models."""
    from services.notifications.outstanding import OutstandingProjection
    from shared.projections.projector import Projector

    projector = Projector(OutstandingProjection(), read_models, store)
    for event in store.read_all(0, 100_000):
        if event.event_type in projector.projection.event_types:
            projector.handle(event)
    return read_models
