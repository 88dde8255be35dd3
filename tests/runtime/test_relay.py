"""The embedded relay: at-least-once delivery from a persisted checkpoint, through the bus message shape."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bops.checkpoints import Checkpoints
from bops.relay import Relay
from events import Actor, NewEvent
from events.council import CouncilCreated, CouncilSettingsChanged, CouncilSettingsChanges
from shared.declarations import Subscription
from shared.eventstore.sqlite import SqliteEventStore
from shared.projections.sqlite_store import SqliteReadModelStore
from tests.runtime import sample_handlers

T0 = datetime(2026, 5, 1, tzinfo=UTC)
SUBSCRIPTION = Subscription("recorder", "tests.runtime.sample_handlers.record", ("CouncilSettingsChanged",))


def renamed(name: str) -> NewEvent:
    return NewEvent(CouncilSettingsChanged(changes=CouncilSettingsChanges(name=name)), "DEMO", Actor.system(), T0)


@pytest.fixture
def log(tmp_path):
    sample_handlers.delivered.clear()
    sample_handlers.failures_left.clear()
    return SqliteEventStore(tmp_path / "events.sqlite")


@pytest.fixture
def checkpoints(tmp_path):
    return Checkpoints(SqliteReadModelStore(tmp_path / "readmodels.sqlite"))


def test_delivers_only_subscribed_types_in_log_order_and_moves_the_checkpoint(log, checkpoints):
    log.append(
        "council:DEMO", 0, [NewEvent(CouncilCreated(code="DEMO", name="D", slug="d"), "DEMO", Actor.system(), T0)]
    )
    log.append("council:DEMO", 1, [renamed("a"), renamed("b")])
    relay = Relay(log, checkpoints, [SUBSCRIPTION])
    assert relay.lag() == {"recorder": 3}
    relay.run_once("recorder")
    assert [e.payload.changes.name for e in sample_handlers.delivered] == ["a", "b"]
    assert [e.version for e in sample_handlers.delivered] == [2, 3]
    assert sample_handlers.delivered[0].hash  # parsed from the stored item, as on AWS
    assert checkpoints.get("recorder") == 3 and relay.lag() == {"recorder": 0}


def test_a_restarted_relay_continues_from_its_checkpoint(log, checkpoints, tmp_path):
    log.append("council:DEMO", 0, [renamed("a")])
    Relay(log, checkpoints, [SUBSCRIPTION]).run_once("recorder")
    log.append("council:DEMO", 1, [renamed("b")])
    again = Relay(log, Checkpoints(SqliteReadModelStore(tmp_path / "readmodels.sqlite")), [SUBSCRIPTION])
    again.run_once("recorder")
    assert [e.payload.changes.name for e in sample_handlers.delivered] == ["a", "b"]


def test_a_failing_delivery_is_retried_then_dead_lettered_and_the_lane_moves_on(log, checkpoints):
    log.append("council:A", 0, [renamed("flaky")])
    log.append("council:B", 0, [renamed("broken")])
    log.append("council:C", 0, [renamed("fine")])
    sample_handlers.failures_left.update({"council:A": 2, "council:B": 99})
    relay = Relay(log, checkpoints, [SUBSCRIPTION], attempts=3, backoff=0.001)
    relay.run_once("recorder")
    assert [e.payload.changes.name for e in sample_handlers.delivered] == ["flaky", "fine"]
    [letter] = checkpoints.dead_letters("recorder")
    assert (letter.stream_id, letter.version, letter.event_type) == ("council:B", 1, "CouncilSettingsChanged")
    assert "failing on purpose" in letter.error


def test_a_checkpoint_moved_by_someone_else_is_not_overwritten(log, checkpoints):
    log.append("council:DEMO", 0, [renamed("a")])
    assert checkpoints.advance("recorder", 0, 1)
    assert not checkpoints.advance("recorder", 0, 5)
    assert checkpoints.get("recorder") == 1


def test_threads_drain_the_log(log, checkpoints):
    relay = Relay(log, checkpoints, [SUBSCRIPTION], poll_interval=0.01)
    relay.start()
    try:
        for version in range(20):
            log.append("council:DEMO", version, [renamed(str(version))])
        assert relay.drain(timeout=10)
    finally:
        relay.stop()
    assert [e.version for e in sample_handlers.delivered] == list(range(1, 21))


def test_a_concurrent_lane_keeps_each_streams_order(log, checkpoints):
    parallel = Subscription(
        "recorder", "tests.runtime.sample_handlers.record", ("CouncilSettingsChanged",), concurrency=4
    )
    for stream in range(6):
        for version in range(5):
            log.append(f"council:S{stream}", version, [renamed(f"{stream}-{version}")])
    relay = Relay(log, checkpoints, [parallel])
    relay.run_once("recorder")
    assert len(sample_handlers.delivered) == 30 and relay.lag() == {"recorder": 0}
    for stream in range(6):
        versions = [e.version for e in sample_handlers.delivered if e.stream_id == f"council:S{stream}"]
        assert versions == [1, 2, 3, 4, 5]
    relay.stop()


def test_the_relays_stream_image_is_the_dynamodb_item(log):
    from events import deserialize
    from shared.bus import bus_message
    from shared.eventstore.dynamodb import _item

    log.append("council:DEMO", 0, [renamed("a"), renamed("b")])
    for stored in log.read_all_stored(0, 10):
        event = deserialize(stored.data, hash=stored.hash)
        image = bus_message(stored, stored.position)["detail"]["dynamodb"]["NewImage"]
        recorded_at = image["recorded_at"]["S"]
        assert image == _item(event, stored.data, recorded_at, stored.prev_hash)
