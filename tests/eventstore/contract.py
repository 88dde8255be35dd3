"""The one contract suite every EventStore adapter passes (subclass it and provide `make_store` and `tamper`)."""

from __future__ import annotations

import abc
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import orjson
import pytest

from events import Actor, NewEvent
from events.council import CouncilCreated, CouncilSettingsChanged, CouncilSettingsChanges
from shared.clock import FrozenClock
from shared.eventstore import ConcurrencyError, EventStore, EventTooLarge, read_merged

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def created(name: str = "Demo Council") -> NewEvent:
    return NewEvent(CouncilCreated(code="DEMO", name=name, slug="demo"), "DEMO", Actor.system(), T0)


def renamed(name: str) -> NewEvent:
    return NewEvent(
        CouncilSettingsChanged(changes=CouncilSettingsChanges(name=name)),
        "DEMO",
        Actor(kind="officer", id="o-1", display_name="Ada Admin"),
        T0,
    )


class EventStoreContract(abc.ABC):
    clock: FrozenClock

    @abc.abstractmethod
    def make_store(self, clock: FrozenClock) -> EventStore:
        """A fresh, empty store of the adapter under test."""

    @abc.abstractmethod
    def tamper(self, store: EventStore, stream_id: str, version: int, data: bytes) -> None:
        """Overwrite one stored event's bytes behind the store's back."""

    @pytest.fixture
    def store(self) -> EventStore:
        self.clock = FrozenClock(T0)
        return self.make_store(self.clock)

    @pytest.fixture
    def stream(self) -> str:
        return f"council:T{uuid4().hex[:8]}"

    def test_append_to_new_stream_numbers_events_from_one(self, store, stream):
        recorded = store.append(stream, 0, [created(), renamed("A"), renamed("B")])
        assert [e.version for e in recorded] == [1, 2, 3]
        assert all(e.stream_id == stream and e.recorded_at == T0 for e in recorded)
        assert store.stream_version(stream) == 3

    def test_read_returns_what_was_appended(self, store, stream):
        first = created()
        store.append(stream, 0, [first])
        store.append(stream, 1, [renamed("Other")])
        events = store.read(stream)
        assert [e.event_type for e in events] == ["CouncilCreated", "CouncilSettingsChanged"]
        assert events[0].event_id == first.event_id
        assert events[0].payload == first.payload
        assert events[1].payload.changes.name == "Other"
        assert events[1].actor.display_name == "Ada Admin"
        assert events[0].correlation_id == first.event_id
        assert events[0].hash and events[1].hash and events[0].hash != events[1].hash

    def test_correlation_and_causation_survive(self, store, stream):
        [cause] = store.append(stream, 0, [created()])
        follow = cause.caused(renamed("X").payload, Actor.system(), T0)
        [effect] = store.append(stream, 1, [follow])
        [read] = store.read(stream, from_version=2)
        assert read.correlation_id == cause.correlation_id == effect.correlation_id
        assert read.causation_id == cause.event_id

    def test_wrong_expected_version_raises_and_writes_nothing(self, store, stream):
        store.append(stream, 0, [created()])
        with pytest.raises(ConcurrencyError) as raised:
            store.append(stream, 0, [renamed("late")])
        assert raised.value.stream_id == stream
        assert raised.value.expected_version == 0
        assert stream in str(raised.value)
        with pytest.raises(ConcurrencyError):
            store.append(stream, 5, [renamed("ahead")])
        assert [e.version for e in store.read(stream)] == [1]

    def test_batch_is_all_or_nothing(self, store, stream):
        store.append(stream, 0, [created()])
        with pytest.raises(ConcurrencyError):
            store.append(stream, 0, [renamed("a"), renamed("b"), renamed("c")])
        assert store.stream_version(stream) == 1
        with pytest.raises(EventTooLarge):
            store.append(stream, 1, [renamed("fine"), renamed("x" * 300_000)])
        assert store.stream_version(stream) == 1

    def test_empty_append_is_refused(self, store, stream):
        with pytest.raises(ValueError):
            store.append(stream, 0, [])

    def test_unknown_stream_reads_empty(self, store, stream):
        assert store.read(stream) == []
        assert store.stream_version(stream) == 0
        assert store.verify(stream).ok

    def test_read_a_version_range(self, store, stream):
        store.append(stream, 0, [created()] + [renamed(str(i)) for i in range(5)])
        assert [e.version for e in store.read(stream, from_version=3)] == [3, 4, 5, 6]
        assert [e.version for e in store.read(stream, from_version=2, to_version=4)] == [2, 3, 4]

    def test_read_as_of_a_moment(self, store, stream):
        store.append(stream, 0, [created()])
        self.clock.advance(timedelta(hours=1))
        store.append(stream, 1, [renamed("later")])
        assert [e.version for e in store.read(stream, as_of=T0)] == [1]
        assert [e.version for e in store.read(stream, as_of=T0 + timedelta(minutes=30))] == [1]
        assert [e.version for e in store.read(stream, as_of=T0 + timedelta(hours=1))] == [1, 2]

    def test_streams_merged_in_time_order(self, store, stream):
        other = stream + ":documents"
        store.append(stream, 0, [created()])
        self.clock.advance(timedelta(seconds=1))
        store.append(other, 0, [renamed("side")])
        self.clock.advance(timedelta(seconds=1))
        store.append(stream, 1, [renamed("main")])
        timeline = read_merged(store, [other, stream])
        assert [(e.stream_id, e.version) for e in timeline] == [(stream, 1), (other, 1), (stream, 2)]

    def test_stream_ids_by_prefix(self, store, stream):
        store.append(stream, 0, [created()])
        store.append(stream + ":documents", 0, [renamed("d")])
        store.append(stream, 1, [renamed("again")])
        assert sorted(store.stream_ids(stream)) == [stream, stream + ":documents"]
        assert stream in set(store.stream_ids())

    def test_verify_accepts_an_untouched_chain(self, store, stream):
        store.append(stream, 0, [created()])
        store.append(stream, 1, [renamed("a"), renamed("b")])
        result = store.verify(stream)
        assert result.ok and result.events_checked == 3

    def test_verify_names_the_first_event_whose_content_changed(self, store, stream):
        recorded = store.append(stream, 0, [created(), renamed("a"), renamed("b")])
        [_, second, _] = store.read(stream)
        original = orjson.loads(self.stored_bytes(store, stream, 2))
        original["payload"]["changes"]["name"] = "forged"
        self.tamper(store, stream, 2, orjson.dumps(original, option=orjson.OPT_SORT_KEYS))
        result = store.verify(stream)
        assert not result.ok
        assert result.first_bad.version == 2
        assert result.first_bad.event_id == str(recorded[1].event_id) == str(second.event_id)
        assert "content" in result.first_bad.reason

    @abc.abstractmethod
    def stored_bytes(self, store: EventStore, stream_id: str, version: int) -> bytes:
        """The stored canonical bytes of one event."""
