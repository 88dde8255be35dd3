"""Carrying out an officer's command on one application: read its streams, fold, check the version the officer saw,
decide (the domain's pure command), append atomically at the version read, and answer the new state.

Events about files (the decision notice, an applicant's upload) go to the documents side stream in the same atomic
append as the main-stream events; only the main stream's version is checked, so background work never makes an
officer's command stale.

A process keeps the latest states it folded (`StateCache`): reading an application then reads only the events of its
main and documents streams after the versions already folded (one strongly consistent read of the log, every time;
the notifications stream holds nothing the state shows) and folds them on. The result is the same as folding
everything from the start: when a new event would sort before one already folded (recorded-at ties or clocks that
disagree), the whole application is folded again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from events import EventPayload, NewEvent, RecordedEvent
from events.streams import application_side_stream, application_stream, application_streams
from services.assessment.domain import Conflict, NotFound, check_version, side_stream_of
from services.assessment.domain.state import PlanningApplication, fold
from shared.calendar import london_date
from shared.clock import Clock
from shared.eventstore.port import ConcurrencyError, EventStore, StreamAppend, merged, read_merged
from shared.officer_identity import SignedInOfficer

CACHED_APPLICATIONS = 4096
DOCUMENT_APPEND_ATTEMPTS = 5  # a document fetcher may append to the documents stream at the same moment

Decide = Callable[[PlanningApplication], Sequence[EventPayload]]
OrderKey = tuple[datetime, str, int]


def state_streams(council: str, reference: str) -> tuple[str, str]:
    """The streams the state folds: the main stream and the documents side stream. The notifications side stream
    holds nothing the state shows (the audit trail reads it), so a command never reads it: one read fewer per command
    (on DynamoDB, one query fewer)."""
    return application_stream(council, reference), application_side_stream(council, reference, "documents")


def order_key(event: RecordedEvent) -> OrderKey:
    """Where `read_merged` puts an event: recorded-at, then stream id, then version."""
    return (event.recorded_at, event.stream_id, event.version)


@dataclass(frozen=True, slots=True)
class Snapshot:
    state: PlanningApplication
    versions: tuple[int, int]  # of the `state_streams`: main, documents
    last: OrderKey | None  # the newest event folded

    def is_behind(self, other: Snapshot) -> bool:
        """`other` folded more: each stream's version is at least this one's, and one is further."""
        mine, theirs = self.versions, other.versions
        return mine != theirs and mine[0] <= theirs[0] and mine[1] <= theirs[1]


class StateCache:
    """The latest snapshots of the applications this process read, least recently used first out."""

    def __init__(self, size: int = CACHED_APPLICATIONS) -> None:
        self.size = size
        self._snapshots: OrderedDict[tuple[str, str], Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Snapshot | None:
        with self._lock:
            snapshot = self._snapshots.get(key)
            if snapshot is not None:
                self._snapshots.move_to_end(key)
            return snapshot

    def put(self, key: tuple[str, str], snapshot: Snapshot) -> None:
        with self._lock:
            known = self._snapshots.get(key)
            if known is not None and snapshot.is_behind(known):
                return  # a later one is already there (another thread)
            self._snapshots[key] = snapshot
            self._snapshots.move_to_end(key)
            while len(self._snapshots) > self.size:
                self._snapshots.popitem(last=False)


class Casework:
    def __init__(self, store: EventStore, clock: Clock, cache: StateCache | None = None) -> None:
        self.store = store
        self.clock = clock
        self.cache = cache if cache is not None else StateCache()

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return london_date(self.clock.now())

    def events(self, council: str, reference: str) -> list[RecordedEvent]:
        """Every event of the application's streams, in time order (the audit trail)."""
        return read_merged(self.store, application_streams(council, reference))

    def load(self, council: str, reference: str) -> PlanningApplication:
        """The application of the officer's council (another council's reference is not found)."""
        return self._existing(council, reference, state_streams(council, reference)).state

    def _existing(self, council: str, reference: str, streams: tuple[str, str]) -> Snapshot:
        """The snapshot of an application that exists (NotFound otherwise)."""
        snapshot = self._snapshot(council, reference, streams)
        if not snapshot.state.exists:
            raise NotFound(f"No planning application {reference}")
        return snapshot

    def current(self, council: str, reference: str) -> PlanningApplication:
        """The application's state from every event in the log now (the fold of `read_merged`)."""
        return self._snapshot(council, reference, state_streams(council, reference)).state

    def _snapshot(self, council: str, reference: str, streams: tuple[str, str]) -> Snapshot:
        """The state from every event of `streams` in the log now, with the versions it folded: the cached snapshot
        folded on with what was appended since (one read), or everything folded when there is none."""
        key = (council, reference)
        cached = self.cache.get(key)
        if cached is None:
            snapshot = self._fold_all(streams)
        else:
            (main_version, documents_version), (main_stream, documents_stream) = cached.versions, streams
            main, documents = self.store.read_streams(
                [(main_stream, main_version + 1), (documents_stream, documents_version + 1)]
            )
            new = merged((main, documents))
            if not new:
                return cached
            if cached.last is not None and order_key(new[0]) < cached.last:
                snapshot = self._fold_all(streams)
            else:
                versions = (
                    main[-1].version if main else main_version,
                    documents[-1].version if documents else documents_version,
                )
                snapshot = Snapshot(fold(new, cached.state), versions, order_key(new[-1]))
        if snapshot.state.exists:
            self.cache.put(key, snapshot)
        return snapshot

    def _fold_all(self, streams: tuple[str, str]) -> Snapshot:
        main, documents = self.store.read_streams([(stream, 1) for stream in streams])
        events = merged((main, documents))
        versions = (main[-1].version if main else 0, documents[-1].version if documents else 0)
        return Snapshot(fold(events), versions, order_key(events[-1]) if events else None)

    def act(self, officer: SignedInOfficer, reference: str, seen_version: int, decide: Decide) -> PlanningApplication:
        """Run a command against the version the officer saw; a stale version or a lost race is a Conflict (409)."""
        council = officer.council
        streams = state_streams(council, reference)
        snapshot = self._existing(council, reference, streams)
        state = snapshot.state
        self._check(state, seen_version)
        payloads = list(decide(state))
        if not payloads:
            return state
        try:
            recorded = self._append(officer, streams, snapshot, payloads)
        except ConcurrencyError as error:
            if error.stream_id != streams[0]:
                raise
            # Someone else appended between our read and our write: say what they did, as a stale version would.
            self._check(self.load(council, reference), state.version)
            raise Conflict(f"the application changed since version {state.version}; reload it") from error
        return self._after(council, reference, streams, snapshot, recorded) or self.load(council, reference)

    def act_on_documents(
        self, officer: SignedInOfficer, reference: str, seen_version: int, decide: Decide
    ) -> PlanningApplication:
        """Run a document command against the documents stream's version the officer saw (`documents_version`).

        Only what happened since to the same documents makes it stale (a 409 saying what): a file arriving from the
        submission meanwhile does not. Two officers acting on one document at once: one wins the append, the other
        reads again and is refused (or, when the other's change was to another document, decides again)."""
        from services.assessment.domain.describe import describe
        from services.assessment.domain.documents import documents_touched
        from services.assessment.domain.errors import InvalidCommand

        if isinstance(seen_version, bool) or not isinstance(seen_version, int) or seen_version < 0:
            raise InvalidCommand({"documentsVersion": "must be the documents version you saw (a whole number)"})
        council = officer.council
        streams = state_streams(council, reference)
        for _attempt in range(DOCUMENT_APPEND_ATTEMPTS):
            snapshot = self._existing(council, reference, streams)
            state = snapshot.state
            if seen_version > state.documents_version:
                raise Conflict(f"the documents have no version {seen_version}: they are at {state.documents_version}")
            payloads = list(decide(state))
            if not payloads:
                return state
            if seen_version < state.documents_version:
                touched = documents_touched(payloads)
                since = [
                    e
                    for e in self.store.read(streams[1], from_version=seen_version + 1)
                    if documents_touched([e.payload]) & touched
                ]
                if since:
                    what = "; ".join(describe(e) for e in since[-3:])
                    raise Conflict(f"the document changed since you saw it: {what}")
            now = self.now()
            events = [NewEvent(p, council, officer.actor(), now) for p in payloads]
            try:
                recorded = self.store.append_streams([StreamAppend(streams[1], state.documents_version, events)])
            except ConcurrencyError:
                continue  # someone appended meanwhile: read again, and see whether it was about the same documents
            return self._after(council, reference, streams, snapshot, recorded) or self.load(council, reference)
        raise Conflict("the documents are changing too often at the moment; try again")

    def _after(
        self,
        council: str,
        reference: str,
        streams: tuple[str, str],
        snapshot: Snapshot,
        recorded: list[list[RecordedEvent]],
    ) -> PlanningApplication | None:
        """The state after our own append, folded on from the snapshot we acted on when nothing else can be between
        them (each stream we appended to continues where the snapshot was, and our events sort after it); else None,
        and the caller reads the log again."""
        new = recorded[0] if len(recorded) == 1 else merged(recorded)  # one stream's events are in order already
        if not new or (snapshot.last is not None and order_key(new[0]) < snapshot.last):
            return None
        versions = list(snapshot.versions)
        for events in recorded:
            index = streams.index(events[0].stream_id)
            if events[0].version != versions[index] + 1:
                return None
            versions[index] = events[-1].version
        after = Snapshot(fold(new, snapshot.state), (versions[0], versions[1]), order_key(new[-1]))
        self.cache.put((council, reference), after)
        return after.state

    def _check(self, state: PlanningApplication, seen_version: int) -> None:
        since: list[RecordedEvent] = []
        if isinstance(seen_version, int) and 0 <= seen_version < state.version:
            since = self.store.read(application_stream(state.council, state.reference), from_version=seen_version + 1)
        check_version(state, seen_version, since)

    def _append(
        self, officer: SignedInOfficer, streams: tuple[str, str], snapshot: Snapshot, payloads: list[EventPayload]
    ) -> list[list[RecordedEvent]]:
        """The main stream's events at the version the command was decided on, the files' events at the documents
        stream's version as read with it; when a file's event lost a race there (a document fetcher appended), it is
        appended again at the documents stream's version then (only the main stream's version is the officer's)."""
        now = self.now()
        actor = officer.actor()
        council = officer.council
        main: list[NewEvent] = []
        files: list[NewEvent] = []
        for payload in payloads:
            (files if side_stream_of(payload) == "documents" else main).append(NewEvent(payload, council, actor, now))
        main_stream, documents = streams
        documents_version = snapshot.versions[1]
        attempts = 0
        while True:
            appends = [StreamAppend(main_stream, snapshot.state.version, main)] if main else []
            if files:
                appends.append(StreamAppend(documents, documents_version, files))
            try:
                return self.store.append_streams(appends)
            except ConcurrencyError as error:
                attempts += 1
                if error.stream_id != documents or attempts >= DOCUMENT_APPEND_ATTEMPTS:
                    raise
                documents_version = self.store.stream_version(documents)
