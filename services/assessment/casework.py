"""Carrying out an officer's command on one application: read its streams, fold, check the version the officer saw,
decide (the domain's pure command), append atomically at the version read, and answer the new state.

Events about files (the decision notice, an applicant's upload) go to the documents side stream in the same atomic
append as the main-stream events; only the main stream's version is checked, so background work never makes an
officer's command stale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from events import EventPayload, NewEvent, RecordedEvent
from events.streams import application_side_stream, application_stream, application_streams
from services.assessment.domain import Conflict, NotFound, check_version, side_stream_of
from services.assessment.domain.state import PlanningApplication, fold
from shared.clock import Clock
from shared.eventstore.port import ConcurrencyError, EventStore, StreamAppend, read_merged
from shared.officer_identity import SignedInOfficer

LONDON = ZoneInfo("Europe/London")

Decide = Callable[[PlanningApplication], Sequence[EventPayload]]


def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


class Casework:
    def __init__(self, store: EventStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return london_date(self.clock.now())

    def events(self, council: str, reference: str) -> list[RecordedEvent]:
        return read_merged(self.store, application_streams(council, reference))

    def load(self, council: str, reference: str) -> PlanningApplication:
        """The application of the officer's council (another council's reference is not found)."""
        state = fold(self.events(council, reference))
        if not state.exists:
            raise NotFound(f"No planning application {reference}")
        return state

    def act(self, officer: SignedInOfficer, reference: str, seen_version: int, decide: Decide) -> PlanningApplication:
        """Run a command against the version the officer saw; a stale version or a lost race is a Conflict (409)."""
        council = officer.council
        events = self.events(council, reference)
        state = fold(events)
        if not state.exists:
            raise NotFound(f"No planning application {reference}")
        main = application_stream(council, reference)
        check_version(state, seen_version, [e for e in events if e.stream_id == main and e.version > seen_version])
        payloads = list(decide(state))
        if not payloads:
            return state
        try:
            self._append(officer, council, reference, state.version, payloads)
        except ConcurrencyError as error:
            if error.stream_id != main:
                raise
            # Someone else appended between our read and our write: say what they did, as a stale version would.
            latest = self.events(council, reference)
            check_version(
                fold(latest), state.version, [e for e in latest if e.stream_id == main and e.version > state.version]
            )
            raise Conflict(f"The application changed since version {state.version}; reload it") from error
        return self.load(council, reference)

    def _append(
        self, officer: SignedInOfficer, council: str, reference: str, version: int, payloads: list[EventPayload]
    ) -> list[list[RecordedEvent]]:
        now = self.now()
        actor = officer.actor()
        main = [NewEvent(p, council, actor, now) for p in payloads if side_stream_of(p) is None]
        files = [NewEvent(p, council, actor, now) for p in payloads if side_stream_of(p) == "documents"]
        appends = [StreamAppend(application_stream(council, reference), version, main)] if main else []
        if files:
            documents = application_side_stream(council, reference, "documents")
            appends.append(StreamAppend(documents, self.store.stream_version(documents), files))
        return self.store.append_streams(appends)
