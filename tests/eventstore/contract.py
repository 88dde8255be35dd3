"""The one contract suite every EventStore adapter passes (subclass it and provide `make_store` and `tamper`)."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import orjson
import pytest

from events import Actor, NewEvent, serialize
from events.council import CouncilCreated, CouncilSettingsChanged, CouncilSettingsChanges
from shared.clock import FrozenClock
from shared.eventstore import ConcurrencyError, EventStore, EventTooLarge, StreamAppend, read_merged
from shared.eventstore.port import MAX_EVENT_BYTES, StreamAnchor, event_size
from shared.eventstore.records import record

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


@dataclass
class SteppingClock(FrozenClock):
    """A frozen clock that moves on by `step` each time it is read: shows whether one write reads it once."""

    step: timedelta = timedelta(0)

    def now(self) -> datetime:
        moment = self.moment
        self.moment = moment + self.step
        return moment


class EventStoreContract(abc.ABC):
    clock: SteppingClock

    @abc.abstractmethod
    def make_store(self, clock: FrozenClock) -> EventStore:
        """A fresh, empty store of the adapter under test."""

    @abc.abstractmethod
    def tamper(self, store: EventStore, stream_id: str, version: int, data: bytes) -> None:
        """Overwrite one stored event's bytes behind the store's back."""

    def other_store(self, store: EventStore) -> EventStore:
        """A second store on the same backing data (another process or Lambda), with nothing seen yet.

        By default `make_store` again, which for a file-backed store opens the same file; an adapter whose
        `make_store` creates new backing data overrides this.
        """
        return self.make_store(self.clock)

    @pytest.fixture
    def store(self) -> EventStore:
        self.clock = SteppingClock(T0)
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

    def test_the_event_size_limit_at_its_edge(self, store, stream):
        """An event of exactly MAX_EVENT_BYTES stored bytes is appended; one byte more is refused, naming the stream
        and version, and nothing of its batch is written (the one limit of every adapter, in `record`)."""
        probe, fits, over = stream + ":a", stream + ":b", stream + ":c"  # ids of one length: same envelope size
        [base] = store.append(probe, 0, [renamed("")])
        padding = MAX_EVENT_BYTES - event_size(serialize(base))
        [at_limit] = store.append(fits, 0, [renamed("x" * padding)])
        assert event_size(serialize(at_limit)) == MAX_EVENT_BYTES
        assert store.read(fits) == [at_limit] and store.verify(fits).ok
        with pytest.raises(EventTooLarge) as refused:
            store.append(over, 0, [renamed("x"), renamed("x" * (padding + 1))])
        assert f"v2 of {over}" in str(refused.value) and f"limit is {MAX_EVENT_BYTES}" in str(refused.value)
        with pytest.raises(EventTooLarge):  # a quote is written \" (2 bytes), and \\\" (4) as the bus carries it
            store.append(over, 0, [renamed('"' * (padding // 4 + 1))])
        assert store.stream_version(over) == 0

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

    # verification against checkpointed heads (anchors) and whatever an insider stored

    def test_verify_names_a_stream_that_lost_its_newest_events(self, store, stream):
        recorded = store.append(stream, 0, [created(), renamed("a"), renamed("b")])
        anchor = StreamAnchor(3, recorded[-1].hash, 7)
        assert store.verify(stream, anchor).ok
        self.delete_event(store, stream, 3)
        assert store.verify(stream).ok  # the chain alone cannot tell
        result = store.verify(stream, anchor)
        assert not result.ok and result.first_bad.version == 3
        assert "ends at version 2 but checkpoint 7 recorded version 3" in result.first_bad.reason

    def test_verify_names_a_stream_removed_altogether(self, store, stream):
        recorded = store.append(stream, 0, [created()])
        self.delete_event(store, stream, 1)
        result = store.verify(stream, StreamAnchor(1, recorded[0].hash, 1))
        assert not result.ok and result.first_bad.version == 1 and "ends at version 0" in result.first_bad.reason

    def test_a_stream_rewritten_with_recomputed_hashes_fails_its_anchor(self, store, stream):
        recorded = store.append(stream, 0, [created(), renamed("a"), renamed("b")])
        forged = record([renamed("forged"), renamed("b")], stream, 1, T0, recorded[0].hash)
        for event, data in forged:
            previous = recorded[0].hash if event.version == 2 else forged[0][0].hash
            self.rewrite(store, stream, event.version, data, previous, event.hash)
        assert store.verify(stream).ok  # an unkeyed chain can be recomputed by whoever edits the log
        result = store.verify(stream, StreamAnchor(3, recorded[2].hash, 2))
        assert not result.ok and result.first_bad.version == 3
        assert "not the event checkpoint 2 recorded" in result.first_bad.reason

    def test_verify_names_a_stored_value_of_another_type(self, store, stream):
        store.append(stream, 0, [created(), renamed("a")])
        for value in self.foreign_values(self.stored_bytes(store, stream, 2)):
            self.store_raw(store, stream, 2, "data", value)
            result = store.verify(stream)
            assert not result.ok and result.first_bad.version == 2, value
            assert result.events_checked == 1

    def test_stream_heads_are_each_streams_newest_event(self, store, stream):
        recorded = store.append(stream, 0, [created(), renamed("a")])
        other = store.append(stream + ":other", 0, [created()])
        heads = store.stream_heads()
        assert heads[stream] == (2, recorded[1].hash)
        assert heads[stream + ":other"] == (1, other[0].hash)

    # append_streams

    def test_append_streams_to_new_streams(self, store, stream):
        other = stream + ":documents"
        self.clock.step = timedelta(milliseconds=1)  # a store that read the clock twice would show two moments
        first, second = store.append_streams(
            [StreamAppend(stream, 0, [created(), renamed("a")]), StreamAppend(other, 0, [renamed("d")])]
        )
        assert [(e.stream_id, e.version) for e in first] == [(stream, 1), (stream, 2)]
        assert [(e.stream_id, e.version) for e in second] == [(other, 1)]
        assert {e.recorded_at for e in first + second} == {T0}
        assert store.read(stream) == first and store.read(other) == second
        assert all(e.hash for e in first + second) and len({e.hash for e in first + second}) == 3
        assert store.verify(stream).ok and store.verify(stream).events_checked == 2
        assert store.verify(other).ok and store.verify(other).events_checked == 1
        assert (store.stream_version(stream), store.stream_version(other)) == (2, 1)

    def test_append_streams_results_follow_the_order_given(self, store, stream):
        names = [stream + ":c", stream + ":a", stream + ":b"]
        appends = [StreamAppend(name, 0, [renamed(name) for _ in range(i + 1)]) for i, name in enumerate(names)]
        results = store.append_streams(appends)
        assert [[e.stream_id for e in recorded] for recorded in results] == [[names[0]], [names[1]] * 2, [names[2]] * 3]
        assert [recorded[0].payload.changes.name for recorded in results] == names

    def test_append_streams_continues_existing_streams(self, store, stream):
        other = stream + ":documents"
        store.append(stream, 0, [created()])
        store.append(other, 0, [renamed("d"), renamed("e")])
        # this store wrote both heads, so it knows their hashes; a second store has to read them
        documents, council = store.append_streams(
            [StreamAppend(other, 2, [renamed("f")]), StreamAppend(stream, 1, [renamed("a"), renamed("b")])]
        )
        assert [e.version for e in documents] == [3] and [e.version for e in council] == [2, 3]
        fresh = self.other_store(store)
        council, documents = fresh.append_streams(
            [StreamAppend(stream, 3, [renamed("c")]), StreamAppend(other, 3, [renamed("g"), renamed("h")])]
        )
        assert [e.version for e in council] == [4] and [e.version for e in documents] == [4, 5]
        assert store.read(stream, from_version=4) == council and store.read(other, from_version=4) == documents
        assert store.verify(stream).ok and store.verify(stream).events_checked == 4
        assert store.verify(other).ok and store.verify(other).events_checked == 5

    def test_append_streams_appends_nothing_when_one_stream_moved(self, store, stream):
        other, third = stream + ":documents", stream + ":notes"
        store.append(stream, 0, [created()])
        for expected in (0, 5):  # behind (a stream this store saw at 1) and ahead (one it never saw there)
            with pytest.raises(ConcurrencyError) as raised:
                store.append_streams(
                    [
                        StreamAppend(other, 0, [renamed("d")]),
                        StreamAppend(stream, expected, [renamed("late")]),
                        StreamAppend(third, 0, [renamed("n")]),
                    ]
                )
            assert raised.value.stream_id == stream and raised.value.expected_version == expected
            assert store.stream_version(other) == 0 and store.read(other) == []
            assert store.stream_version(third) == 0 and store.read(third) == []
            assert [e.version for e in store.read(stream)] == [1]

    def test_append_streams_after_someone_else_appended(self, store, stream):
        other = stream + ":documents"
        store.append(stream, 0, [created()])
        self.other_store(store).append(stream, 1, [renamed("theirs")])  # this store still thinks it is at 1
        with pytest.raises(ConcurrencyError) as raised:
            store.append_streams([StreamAppend(other, 0, [renamed("d")]), StreamAppend(stream, 1, [renamed("mine")])])
        assert raised.value.stream_id == stream and raised.value.expected_version == 1
        assert store.stream_version(other) == 0 and store.read(other) == []
        assert [e.payload.changes.name for e in store.read(stream, from_version=2)] == ["theirs"]
        store.append_streams([StreamAppend(other, 0, [renamed("d")]), StreamAppend(stream, 2, [renamed("mine")])])
        assert [e.version for e in store.read(stream)] == [1, 2, 3] and store.read(other)[0].version == 1
        assert store.verify(stream).ok and store.verify(other).ok

    def test_one_event_onto_a_head_another_store_moved(self, store, stream):
        store.append_streams([StreamAppend(stream, 0, [created()])])  # this store knows the head at 1
        self.other_store(store).append(stream, 1, [renamed("theirs")])
        with pytest.raises(ConcurrencyError) as raised:
            store.append_streams([StreamAppend(stream, 1, [renamed("mine")])])
        assert (raised.value.stream_id, raised.value.expected_version) == (stream, 1)
        assert [e.payload.changes.name for e in store.read(stream, from_version=2)] == ["theirs"]
        store.append_streams([StreamAppend(stream, 2, [renamed("mine")])])
        assert store.verify(stream).ok and store.verify(stream).events_checked == 3

    def test_two_stores_racing_append_streams_on_a_new_stream(self, store, stream):
        rival = self.other_store(store)
        mine, rivals = stream + ":mine", stream + ":rival"
        # both saw the stream empty; the store writes first, then the rival tries at the same version 0
        won = store.append_streams([StreamAppend(stream, 0, [created()]), StreamAppend(mine, 0, [renamed("m")])])
        with pytest.raises(ConcurrencyError) as raised:
            rival.append_streams([StreamAppend(rivals, 0, [renamed("r")]), StreamAppend(stream, 0, [created("Rival")])])
        assert raised.value.stream_id == stream and raised.value.expected_version == 0
        assert rival.stream_version(rivals) == 0 and rival.read(rivals) == []
        assert rival.read(stream) == won[0] and rival.read(mine) == won[1]
        assert rival.verify(stream).ok and rival.verify(mine).ok

    def test_append_streams_is_all_or_nothing_for_a_too_large_event(self, store, stream):
        other = stream + ":documents"
        with pytest.raises(EventTooLarge):
            store.append_streams(
                [StreamAppend(stream, 0, [created()]), StreamAppend(other, 0, [renamed("x" * 300_000)])]
            )
        assert store.stream_version(stream) == 0 and store.stream_version(other) == 0

    def test_append_streams_refuses_what_is_not_a_set_of_appends(self, store, stream):
        other = stream + ":documents"
        with pytest.raises(ValueError):
            store.append_streams([])
        with pytest.raises(ValueError):
            store.append_streams([StreamAppend(stream, 0, [created()]), StreamAppend(stream, 1, [renamed("a")])])
        with pytest.raises(ValueError):
            store.append_streams([StreamAppend(stream, 0, [created()]), StreamAppend(other, 0, [])])
        assert store.stream_version(stream) == 0 and store.stream_version(other) == 0

    # read_streams

    def test_read_streams_reads_each_stream_from_its_own_version(self, store, stream):
        other, empty = stream + ":documents", stream + ":notes"
        self.clock.step = timedelta(milliseconds=1)
        store.append(stream, 0, [created(), renamed("a"), renamed("b")])
        store.append(other, 0, [renamed("d")])
        store.append(stream, 3, [renamed("c")])
        store.append(other, 1, [renamed("e")])
        documents, council, notes = store.read_streams([(other, 2), (stream, 1), (empty, 1)])
        assert documents == store.read(other, from_version=2) and [e.version for e in documents] == [2]
        assert council == store.read(stream) and [e.version for e in council] == [1, 2, 3, 4]
        assert notes == []
        assert store.read_streams([(stream, 5), (other, 3)]) == [[], []]
        assert store.read_streams([]) == []

    def test_read_streams_refuses_a_stream_named_twice(self, store, stream):
        store.append(stream, 0, [created()])
        with pytest.raises(ValueError):
            store.read_streams([(stream, 1), (stream, 1)])

    def test_read_streams_sees_another_stores_appends_and_lets_this_store_append_after_them(self, store, stream):
        other = stream + ":documents"
        store.append(stream, 0, [created()])
        store.append(other, 0, [renamed("d")])
        self.other_store(store).append_streams(
            [StreamAppend(stream, 1, [renamed("theirs")]), StreamAppend(other, 1, [renamed("e")])]
        )
        council, documents = store.read_streams([(stream, 2), (other, 2)])
        assert [e.payload.changes.name for e in council] == ["theirs"] and [e.version for e in documents] == [2]
        store.append_streams([StreamAppend(stream, 2, [renamed("mine")]), StreamAppend(other, 2, [renamed("f")])])
        assert [e.version for e in store.read(stream)] == [1, 2, 3] and store.stream_version(other) == 3
        assert store.verify(stream).ok and store.verify(other).ok

    # read_types

    def test_read_types_reads_only_those_types_and_gives_the_streams_version(self, store, stream):
        store.append(stream, 0, [created(), renamed("a"), created("Again"), renamed("b")])
        events, version = store.read_types(stream, {"CouncilCreated"})
        assert [(e.version, e.payload.name) for e in events] == [(1, "Demo Council"), (3, "Again")]
        assert events == [e for e in store.read(stream) if e.event_type == "CouncilCreated"]
        assert version == 4  # the newest event of any type: what the next append expects
        assert store.read_types(stream, {"CouncilCreated"}, from_version=2) == (events[1:], 4)
        assert store.read_types(stream, set(), from_version=1) == ([], 4)

    def test_read_types_past_the_head_or_of_an_empty_stream(self, store, stream):
        assert store.read_types(stream, {"CouncilCreated"}) == ([], 0)
        store.append(stream, 0, [created(), renamed("a")])
        assert store.read_types(stream, {"CouncilCreated"}, from_version=3) == ([], 2)

    def test_read_types_lets_this_store_append_at_the_version_it_gave(self, store, stream):
        store.append(stream, 0, [created(), renamed("a")])
        self.other_store(store).append(stream, 2, [renamed("theirs")])
        events, version = store.read_types(stream, {"CouncilCreated"})
        assert [e.version for e in events] == [1] and version == 3
        with pytest.raises(ConcurrencyError):
            store.append(stream, 2, [renamed("stale")])
        store.append(stream, version, [renamed("mine")])
        assert [e.payload.changes.name for e in store.read(stream)[1:]] == ["a", "theirs", "mine"]
        assert store.verify(stream).ok

    # read_last

    def test_read_last_of_an_empty_stream_is_none(self, store, stream):
        assert store.read_last(stream) is None

    def test_read_last_is_the_newest_event_with_its_hash(self, store, stream):
        store.append(stream, 0, [created(), renamed("a"), renamed("b")])
        assert store.read_last(stream) == store.read(stream)[-1]
        store.append(stream, 3, [renamed("c"), renamed("d")])
        last = store.read_last(stream)
        assert last == store.read(stream)[-1]
        assert last.version == 5 and last.payload.changes.name == "d"
        assert last.hash and last.hash == store.read(stream, from_version=5)[0].hash

    def test_read_last_lets_another_store_append_after_it(self, store, stream):
        store.append(stream, 0, [created(), renamed("a")])
        fresh = self.other_store(store)
        last = fresh.read_last(stream)
        assert last is not None and last.version == 2
        fresh.append(stream, last.version, [renamed("b")])
        assert store.read_last(stream).payload.changes.name == "b"
        assert store.verify(stream).ok and store.verify(stream).events_checked == 3

    @abc.abstractmethod
    def delete_event(self, store: EventStore, stream_id: str, version: int) -> None:
        """Remove one stored event behind the store's back."""

    @abc.abstractmethod
    def rewrite(self, store: EventStore, stream_id: str, version: int, data: bytes, prev_hash: str, hash_: str) -> None:
        """Replace one stored event's bytes and chain links behind the store's back."""

    @abc.abstractmethod
    def store_raw(self, store: EventStore, stream_id: str, version: int, column: str, value: object) -> None:
        """Store a raw value (of any type the backend has) in one column of one event."""

    @abc.abstractmethod
    def foreign_values(self, data: bytes) -> list[object]:
        """Values of other types than the store writes, for the `data` column (as `store_raw` takes them)."""

    @abc.abstractmethod
    def stored_bytes(self, store: EventStore, stream_id: str, version: int) -> bytes:
        """The stored canonical bytes of one event."""
