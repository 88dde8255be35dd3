"""The projector over a real log and real read-model stores: at-least-once, unordered delivery gives one result."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import Actor, NewEvent, RecordedEvent
from events.council import CouncilCreated, CouncilSettingsChanged, CouncilSettingsChanges
from shared.eventstore.sqlite import SqliteEventStore
from shared.projections.dynamodb_store import DynamoDbReadModelStore, create_read_model_table
from shared.projections.projection import Document
from shared.projections.projector import MAX_ATTEMPTS, ProjectionConflict, Projector
from shared.projections.sqlite_store import SqliteReadModelStore
from shared.projections.store import ReadModelStore

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DELETE = "-"  # renaming a council to this deletes its per-stream document (to exercise deletions)


class NamesPerStream:
    """Every name a stream's council was given, in order; keyed by stream id."""

    event_types = frozenset({"CouncilSettingsChanged"})

    def __init__(self, name: str) -> None:
        self.name = name

    def key(self, event: RecordedEvent) -> str | None:
        return event.stream_id if event.payload.changes.name is not None else None  # type: ignore[attr-defined]

    def apply(self, document: Document | None, event: RecordedEvent) -> Document | None:
        name = event.payload.changes.name  # type: ignore[attr-defined]
        if name == DELETE:
            return None
        document = document or {"names": [], "count": 0}
        return {"names": [*document["names"], name], "count": document["count"] + 1}


class LatestNamesPerCouncil:
    """Across streams, keyed by council code: how many events, and each stream's latest name (order-independent)."""

    event_types = frozenset({"CouncilCreated", "CouncilSettingsChanged"})

    def __init__(self, name: str) -> None:
        self.name = name

    def key(self, event: RecordedEvent) -> str | None:
        return event.council

    def apply(self, document: Document | None, event: RecordedEvent) -> Document | None:
        document = document or {"events": 0, "latest": {}}
        payload = event.payload
        name = payload.name if isinstance(payload, CouncilCreated) else payload.changes.name  # type: ignore[attr-defined]
        latest = {**document["latest"], event.stream_id: name} if name is not None else document["latest"]
        return {"events": document["events"] + 1, "latest": latest}


def fold(projection, events: list[RecordedEvent]) -> list[tuple[str, Document]]:
    """The read model a projection means, straight from its pure functions: what every store must end up holding."""
    documents: dict[str, Document] = {}
    for event in events:
        key = projection.key(event) if event.event_type in projection.event_types else None
        if key is None:
            continue
        document = projection.apply(documents.pop(key, None), event)
        if document is not None:
            documents[key] = document
    return sorted(documents.items(), key=lambda item: item[0].encode("utf-8"))


def new_name(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:8]}"


def rename(council: str, name: str | None) -> NewEvent:
    changes = CouncilSettingsChanges(name=name) if name is not None else CouncilSettingsChanges(reply_to_email="a@b.c")
    return NewEvent(CouncilSettingsChanged(changes=changes), council, Actor.system(), T0)


def append_stream(log: SqliteEventStore, council: str, names: list[str | None]) -> list[RecordedEvent]:
    """A new stream: CouncilCreated, then one CouncilSettingsChanged per name (None: a change that is no rename)."""
    created = NewEvent(
        CouncilCreated(code=council, name=f"{council} council", slug=council.lower()), council, Actor.system(), T0
    )
    return log.append(f"council:{uuid4().hex[:12]}", 0, [created] + [rename(council, name) for name in names])


@pytest.fixture
def log(tmp_path) -> SqliteEventStore:
    return SqliteEventStore(tmp_path / "events.sqlite")


@pytest.fixture
def store(tmp_path) -> SqliteReadModelStore:
    return SqliteReadModelStore(tmp_path / "read-models.sqlite")


@pytest.fixture
def per_stream(store, log) -> Projector:
    return Projector(NamesPerStream(new_name("names")), store, log)


def test_in_order_delivery_builds_the_read_model(per_stream, store, log):
    events = append_stream(log, "AAA", ["a", "b"])
    for event in events:
        per_stream.handle(event)
    assert list(store.documents(per_stream.projection.name)) == [
        (events[0].stream_id, {"names": ["a", "b"], "count": 2})
    ]
    assert store.position(per_stream.projection.name, events[0].stream_id) == 3


def test_duplicates_change_nothing(per_stream, store, log):
    events = append_stream(log, "AAA", ["a", "b"])
    name, stream = per_stream.projection.name, events[0].stream_id
    for event in events:
        per_stream.handle(event)
    before = (store.get(name, stream), store.position(name, stream))
    for event in [events[2], events[1], events[0], events[2]]:
        per_stream.handle(event)
    assert (
        (store.get(name, stream), store.position(name, stream)) == before == (({"names": ["a", "b"], "count": 2}, 2), 3)
    )


def test_an_event_ahead_of_a_missing_one_reads_the_gap_from_the_log(per_stream, store, log):
    events = append_stream(log, "AAA", ["a", "b", "c"])
    name, stream = per_stream.projection.name, events[0].stream_id
    per_stream.handle(events[2])
    assert store.get(name, stream) == ({"names": ["a", "b"], "count": 2}, 1)
    assert store.position(name, stream) == 3
    for event in events:
        per_stream.handle(event)
    assert store.get(name, stream) == ({"names": ["a", "b", "c"], "count": 3}, 2)


def test_a_log_given_as_a_function_is_built_only_for_a_gap(store, log):
    built = []

    def open_log() -> SqliteEventStore:
        built.append(log)
        return log

    projector = Projector(NamesPerStream(new_name("names")), store, open_log)
    events = append_stream(log, "AAA", ["a", "b", "c"])
    projector.handle(events[0])
    projector.handle(events[1])
    assert built == []
    projector.handle(events[3])
    projector.handle(events[1])
    assert built == [log]  # once, then kept
    assert store.get(projector.projection.name, events[0].stream_id)[0] == {"names": ["a", "b", "c"], "count": 3}


def test_events_the_projection_ignores_still_move_the_position(per_stream, store, log):
    events = append_stream(log, "AAA", [None])  # CouncilCreated (not handled), a change with no name (key None)
    name, stream = per_stream.projection.name, events[0].stream_id
    per_stream.handle(events[0])
    assert store.position(name, stream) == 1
    per_stream.handle(events[1])
    assert store.position(name, stream) == 2
    assert list(store.documents(name)) == []


class RacingStore:
    """A read-model store whose next commit is preceded by a rival's work (a concurrent writer)."""

    def __init__(self, inner: ReadModelStore) -> None:
        self.inner = inner
        self.rival = None
        self.commits: list[bool] = []

    def position(self, projection, stream_id):
        return self.inner.position(projection, stream_id)

    def get(self, projection, key):
        return self.inner.get(projection, key)

    def position_and_get(self, projection, stream_id, keys):
        return self.inner.position_and_get(projection, stream_id, keys)

    def documents(self, projection):
        return self.inner.documents(projection)

    def commit(self, *args, **kwargs):
        if self.rival is not None:
            rival, self.rival = self.rival, None
            rival()
        self.commits.append(self.inner.commit(*args, **kwargs))
        return self.commits[-1]


def test_a_commit_after_a_rival_moved_the_position_is_retried(store, log):
    projection = NamesPerStream(new_name("names"))
    racing = RacingStore(store)
    mine, rival = Projector(projection, racing, log), Projector(projection, store, log)
    events = append_stream(log, "AAA", ["a", "b"])
    racing.rival = lambda: rival.handle(events[1])  # applies v1..v2 while mine is about to commit v1..v2
    mine.handle(events[2])
    assert racing.commits == [False, True]
    assert store.get(projection.name, events[0].stream_id) == ({"names": ["a", "b"], "count": 2}, 2)
    assert store.position(projection.name, events[0].stream_id) == 3


def test_a_shared_document_moved_by_another_stream_is_not_lost(store, log):
    projection = LatestNamesPerCouncil(new_name("councils"))
    racing = RacingStore(store)
    mine, rival = Projector(projection, racing, log), Projector(projection, store, log)
    first, second = append_stream(log, "AAA", ["a"]), append_stream(log, "AAA", ["b"])
    racing.rival = lambda: rival.handle(second[1])  # the same council document, from the other stream
    mine.handle(first[1])
    assert racing.commits == [False, True]
    latest = {first[0].stream_id: "a", second[0].stream_id: "b"}
    assert store.get(projection.name, "AAA") == ({"events": 4, "latest": latest}, 2)


def test_a_projection_that_never_wins_the_race_gives_up(store, log):
    class AlwaysStale(RacingStore):
        def commit(self, *args, **kwargs):
            self.commits.append(False)
            return False

    stale = AlwaysStale(store)
    projection = NamesPerStream(new_name("names"))
    events = append_stream(log, "AAA", ["a"])
    with pytest.raises(ProjectionConflict, match=projection.name):
        Projector(projection, stale, log).handle(events[1])
    assert len(stale.commits) == MAX_ATTEMPTS
    assert store.position(projection.name, events[0].stream_id) == 0


# Any delivery order, any duplicates: the same read model.

NAMES = st.sampled_from(["x", "y", DELETE, None])


@st.composite
def histories(draw) -> tuple[list[tuple[str, list[str | None]]], list[tuple[int, int]]]:
    """Streams (council, names after its creation) and deliveries (stream index, version): every event at least once,
    in any order, some several times."""
    streams = draw(
        st.lists(st.tuples(st.sampled_from(["AAA", "BBB"]), st.lists(NAMES, max_size=5)), min_size=1, max_size=3)
    )
    events = [(index, version) for index, (_, names) in enumerate(streams) for version in range(1, len(names) + 2)]
    again = draw(st.lists(st.sampled_from(events), max_size=len(events)))
    return streams, draw(st.permutations(events + again))


def check_any_delivery_gives_the_in_order_read_model(
    log: SqliteEventStore, store: ReadModelStore, in_order_store: ReadModelStore, examples: int
) -> None:
    """`store` receives the shuffled deliveries, `in_order_store` one in-order delivery (they may be the same store)."""

    @settings(max_examples=examples, deadline=None)
    @given(histories())
    def any_delivery(history):
        streams, deliveries = history
        recorded = [append_stream(log, council, names) for council, names in streams]
        reference = [NamesPerStream(new_name("in-order")), LatestNamesPerCouncil(new_name("in-order"))]
        delivered = [NamesPerStream(new_name("delivered")), LatestNamesPerCouncil(new_name("delivered"))]
        in_log_order = sorted((event for stream in recorded for event in stream), key=lambda event: event.position)
        for projection in reference:
            projector = Projector(projection, in_order_store, log)
            for event in in_log_order:
                projector.handle(event)
            assert list(in_order_store.documents(projection.name)) == fold(projection, in_log_order)
        projectors = [Projector(projection, store, log) for projection in delivered]
        for index, version in deliveries:
            for projector in projectors:
                projector.handle(recorded[index][version - 1])
        for expected, actual in zip(reference, delivered, strict=True):
            assert list(store.documents(actual.name)) == list(in_order_store.documents(expected.name))
            for stream in recorded:
                assert store.position(actual.name, stream[0].stream_id) == len(stream)

    any_delivery()


def test_any_delivery_gives_the_in_order_read_model_sqlite(log, store):
    check_any_delivery_gives_the_in_order_read_model(log, store, store, examples=60)


def test_any_delivery_gives_the_in_order_read_model_dynamodb(log, store, aws):
    """Deliveries to DynamoDB (moto, slow per call: few examples) against one in-order delivery to SQLite."""
    client = boto3.client("dynamodb")
    create_read_model_table(client, "read-models")
    dynamodb = DynamoDbReadModelStore("read-models", client)
    check_any_delivery_gives_the_in_order_read_model(log, dynamodb, store, examples=10)
