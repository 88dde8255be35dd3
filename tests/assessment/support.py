"""An application's streams in memory for the domain tests: commands' events are recorded (numbered, serialised and
hash-chained as the stores do) on the stream `side_stream_of` names, the state is kept live event by event, and
`replayed()` folds the stored bytes again from scratch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from events import Actor, EventPayload, NewEvent, RecordedEvent, deserialize
from events.application import DocumentReceived, PlanningApplicationSubmitted
from events.streams import application_side_stream, application_stream
from events.submission import ConstraintEntity, ConstraintSummary, SiteSummary, SubmissionSummary
from services.assessment.domain import DecisionNoticeFile, PlanningApplication, fold, side_stream_of
from shared.eventstore.port import merged
from shared.eventstore.records import record
from shared.officer_identity import SignedInOfficer

COUNCIL = "DEMO"
REFERENCE = "26-00001-HAPP"
RECEIVED_AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # Monday 2 March 2026, 10:30 in London
RECEIVED = date(2026, 3, 2)
ASSESSOR = SignedInOfficer(COUNCIL, "officer-ann", "Ann Assessor", "assessor")
OTHER_ASSESSOR = SignedInOfficer(COUNCIL, "officer-bob", "Bob Assessor", "assessor")
REVIEWER = SignedInOfficer(COUNCIL, "officer-rae", "Rae Reviewer", "reviewer")
OTHER_REVIEWER = SignedInOfficer(COUNCIL, "officer-sam", "Sam Smith", "reviewer")
ADMINISTRATOR = SignedInOfficer(COUNCIL, "officer-ada", "Ada Admin", "administrator")
ELSEWHERE = SignedInOfficer("OTHER", "officer-zed", "Zed Elsewhere", "assessor")
APPLICANT = Actor(kind="applicant", id="applicant", display_name="the applicant")
DOCUMENT_IDS = ("doc-1", "doc-2")
SHA = "0" * 64
# what the applicant's service found: an Article 4 direction on the site; no tree preservation order
SUBMITTED_CONSTRAINTS = (
    ConstraintSummary(
        value="articleFour",
        description="Article 4 direction area",
        intersects=True,
        entities=(ConstraintEntity(name="Basements", entity=7010002613, source="Planning Data"),),
    ),
    ConstraintSummary(value="tpo", description="Tree Preservation Order (TPO) or zone", intersects=False),
)


def notice(document_id: str = "notice-1") -> DecisionNoticeFile:
    return DecisionNoticeFile(
        document_id=document_id, key=f"{COUNCIL}/{REFERENCE}/{document_id}.html", sha256=SHA, size=10
    )


def square(size: float = 0.001) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [-0.1, 51.5],
                [-0.1 + size, 51.5],
                [-0.1 + size, 51.5 + size],
                [-0.1, 51.5],
            ]
        ],
    }


def applied(
    state: PlanningApplication, payloads: Sequence[EventPayload], actor: Actor, at: datetime
) -> PlanningApplication:
    """The state after some events, without storing them (numbered after the state's version on their streams)."""
    versions: dict[str, int] = {}
    for payload in payloads:
        side = side_stream_of(payload)
        stream = application_side_stream(COUNCIL, REFERENCE, side) if side else application_stream(COUNCIL, REFERENCE)
        versions[stream] = versions.get(stream, state.version if side is None else 10_000) + 1
        [(event, _)] = record([NewEvent(payload, COUNCIL, actor, at)], stream, versions[stream] - 1, at, "0" * 64)
        state = state.apply(event)
    return state


class Case:
    """One application's log and live state."""

    def __init__(
        self,
        application_type: str = "pp.full.householder",
        received_at: datetime = RECEIVED_AT,
        documents: Sequence[str] = DOCUMENT_IDS,
        description: str = "Single storey rear extension",
        constraints: Sequence[ConstraintSummary] = SUBMITTED_CONSTRAINTS,
    ) -> None:
        self.stored: dict[str, list[tuple[RecordedEvent, bytes]]] = {}
        self.hashes: dict[str, str] = {}
        self.clock = received_at
        self.state = PlanningApplication()
        summary = SubmissionSummary(
            format="application",
            application_type=application_type,
            description=description,
            site=SiteSummary(address="1 High Street, Testtown", postcode="TT1 1AA", uprn="100000000001"),
            constraints=tuple(constraints),
        )
        submitted = PlanningApplicationSubmitted(
            reference=REFERENCE,
            received_at=received_at,
            submission=summary,
            payload_key=f"{COUNCIL}/{REFERENCE}/submission.json",
            payload_sha256=SHA,
            payload_size=100,
        )
        self.record([submitted], Actor.system("intake"))
        for index, document_id in enumerate(documents):
            received = DocumentReceived(
                document_id=document_id,
                file_index=index,
                source_url=f"https://example.org/{document_id}.pdf",
                file_name=f"{document_id}.pdf",
                key=f"{COUNCIL}/{REFERENCE}/{document_id}.pdf",
                sha256=SHA,
                size=1000,
                content_type="application/pdf",
                tags=("floorPlan.proposed",),
            )
            self.record([received], Actor.system("intake"), side="documents")

    def record(self, payloads: Sequence[EventPayload], actor: Actor, side: str | None = None) -> list[RecordedEvent]:
        """Append a command's events (each on the stream it belongs to) in one batch at the next moment."""
        self.clock += timedelta(seconds=1)
        by_stream: dict[str, list[EventPayload]] = {}
        for payload in payloads:
            which = side or side_stream_of(payload)
            stream = (
                application_side_stream(COUNCIL, REFERENCE, which) if which else application_stream(COUNCIL, REFERENCE)
            )
            by_stream.setdefault(stream, []).append(payload)
        batch = []
        for stream, stream_payloads in by_stream.items():
            stored = self.stored.setdefault(stream, [])
            news = [NewEvent(p, COUNCIL, actor, self.clock) for p in stream_payloads]
            recorded = record(news, stream, len(stored), self.clock, self.hashes.get(stream, "0" * 64))
            stored.extend(recorded)
            self.hashes[stream] = recorded[-1][0].hash
            batch.extend(event for event, _ in recorded)
        for event in merged([batch]):
            self.state = self.state.apply(event)
        return batch

    def run(
        self, command: Callable[..., list[EventPayload]], officer: SignedInOfficer, **inputs: Any
    ) -> list[EventPayload]:
        """Run an officer's command on the live state and record what it produced."""
        events = command(self.state, officer, **inputs)
        if events:
            self.record(events, officer.actor())
        return events

    def events(self) -> list[RecordedEvent]:
        """Every stored event read back from its bytes, the streams merged in time order."""
        return merged([[deserialize(data) for _, data in stream] for stream in self.stored.values()])

    def replayed(self) -> PlanningApplication:
        return fold(self.events())

    def main_events(self) -> list[RecordedEvent]:
        return [deserialize(data) for _, data in self.stored.get(application_stream(COUNCIL, REFERENCE), [])]

    def documents_events(self) -> list[RecordedEvent]:
        stream = application_side_stream(COUNCIL, REFERENCE, "documents")
        return [deserialize(data) for _, data in self.stored.get(stream, [])]
