"""The casework's state cache gives exactly the fold of `read_merged`, whatever arrives and in whatever time order."""

from __future__ import annotations

from datetime import timedelta

from events import NewEvent
from events.assessment import CaseOfficerAssigned, DecisionNoticeIssued, DocumentChecked
from events.streams import application_side_stream, application_stream, application_streams
from services.assessment.casework import Casework, StateCache
from services.assessment.domain.state import fold
from shared.clock import FrozenClock
from shared.eventstore.port import read_merged
from shared.eventstore.sqlite import SqliteEventStore
from tests.assessment.api_support import ASSESSOR, RECEIVED, notify, receive_document, submit

REFERENCE = "26-00001-HH"


def full_fold(store):
    return fold(read_merged(store, application_streams("DEMO", REFERENCE)))


def append_main(store, payload):
    stream = application_stream("DEMO", REFERENCE)
    store.append(stream, store.stream_version(stream), [NewEvent(payload, "DEMO", ASSESSOR.actor(), RECEIVED)])


def test_the_cached_state_is_the_full_fold_even_when_a_later_event_sorts_earlier(tmp_path):
    clock = FrozenClock(RECEIVED + timedelta(hours=1))
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=clock)
    submit(store, REFERENCE)
    work = Casework(store, clock, StateCache())
    assert work.current("DEMO", REFERENCE) == full_fold(store)
    append_main(store, CaseOfficerAssigned(officer_id="o1", officer_name="Ann"))
    receive_document(store, REFERENCE)
    assert work.current("DEMO", REFERENCE) == full_fold(store)  # folded on from the cache
    append_main(store, DocumentChecked(document_id="doc-1", valid=True))  # a document not received yet
    assert work.current("DEMO", REFERENCE).documents.keys() == {"doc-0"}
    clock.advance(timedelta(hours=-2))  # a host whose clock is behind records the document
    receive_document(store, REFERENCE, 1)
    state = work.current("DEMO", REFERENCE)
    assert state == full_fold(store)  # it sorts before the check already folded: everything is folded again
    assert state.documents["doc-1"].check.valid is True


def test_the_state_is_the_full_fold_without_reading_the_notifications_stream(tmp_path):
    """Commands read the main and documents streams only (`state_streams`): nothing on the notifications stream
    changes the state. If the fold ever used a notification, this would fail, as the casework would not see it."""
    clock = FrozenClock(RECEIVED + timedelta(hours=1))
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=clock)
    submit(store, REFERENCE)
    notify(store, REFERENCE)
    work = Casework(store, clock, StateCache())
    assert work.current("DEMO", REFERENCE) == full_fold(store)
    append_main(store, CaseOfficerAssigned(officer_id="o1", officer_name="Ann"))
    notify(store, REFERENCE)
    state = work.act(ASSESSOR, REFERENCE, 2, lambda s: [DocumentChecked(document_id="doc-0", valid=True)])
    assert state == full_fold(store) and state.version == 3


def test_the_cache_keeps_the_most_recently_used(tmp_path):
    cache = StateCache(size=2)
    clock = FrozenClock(RECEIVED)
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=clock)
    work = Casework(store, clock, cache)
    for number in range(1, 4):
        submit(store, f"26-0000{number}-HH")
        work.current("DEMO", f"26-0000{number}-HH")
    assert cache.get(("DEMO", "26-00001-HH")) is None
    assert cache.get(("DEMO", "26-00003-HH")) is not None
    assert not work.current("DEMO", "26-09999-HH").exists
    assert cache.get(("DEMO", "26-09999-HH")) is None  # an unknown reference is never cached


def test_a_document_stream_moved_by_someone_else_is_read_not_skipped(tmp_path):
    clock = FrozenClock(RECEIVED + timedelta(hours=1))
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=clock)
    submit(store, REFERENCE)
    work = Casework(store, clock, StateCache())
    work.current("DEMO", REFERENCE)
    documents = application_side_stream("DEMO", REFERENCE, "documents")
    receive_document(store, REFERENCE, 0)
    state = work.act(ASSESSOR, REFERENCE, 1, lambda s: [CaseOfficerAssigned(officer_id="o1", officer_name="Ann")])
    assert state == full_fold(store)
    assert store.stream_version(documents) == 1 and len(state.documents) == 1


def test_a_files_event_is_appended_after_a_document_that_arrived_while_the_command_decided(tmp_path):
    """The documents stream's version read with the state is used first; a fetcher's append meanwhile makes the
    file's event go after it (never stale for the officer, nothing lost)."""
    clock = FrozenClock(RECEIVED + timedelta(hours=1))
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=clock)
    submit(store, REFERENCE)
    receive_document(store, REFERENCE, 0)
    work = Casework(store, clock, StateCache())
    notice = DecisionNoticeIssued(
        document_id="notice-1",
        key=f"DEMO/{REFERENCE}/decision-notice-notice-1.html",
        sha256="a" * 64,
        size=3,
        content_type="text/html; charset=utf-8",
    )

    def decide(state):
        receive_document(store, REFERENCE, 1)  # the fetcher appends while the officer's command is decided
        return [CaseOfficerAssigned(officer_id="o1", officer_name="Ann"), notice]

    state = work.act(ASSESSOR, REFERENCE, 1, decide)
    documents = store.read(application_side_stream("DEMO", REFERENCE, "documents"))
    assert [e.payload.event_type for e in documents] == ["DocumentReceived", "DocumentReceived", "DecisionNoticeIssued"]
    assert state == full_fold(store) and state.version == 2
    assert set(state.documents) == {"doc-0", "doc-1", "notice-1"}
