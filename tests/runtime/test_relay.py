"""The embedded relay: at-least-once delivery from a persisted checkpoint, through the bus message shape."""

from __future__ import annotations

import sqlite3
import threading
import time
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


@pytest.fixture(autouse=True)
def _metrics_as_in_bops_serve(monkeypatch):
    """The embedded runtime switches Powertools' metric lines off (`bops.environment`); its process-wide metric set
    is not thread-safe, and these lanes run handlers on several threads at once."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


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
    relay = Relay(log, checkpoints, [SUBSCRIPTION], attempts=3, backoff=0.001, retry_window=0)
    relay.run_once("recorder")
    assert [e.payload.changes.name for e in sample_handlers.delivered] == ["flaky", "fine"]
    [letter] = checkpoints.dead_letters("recorder")
    assert (letter.stream_id, letter.version, letter.event_type) == ("council:B", 1, "CouncilSettingsChanged")
    assert "failing on purpose" in letter.error


def test_a_failing_delivery_is_retried_for_its_subscriptions_timeout_before_it_is_dead_lettered(log, checkpoints):
    """A delivery that died (a killed process) can leave something held until its timeout: a message's in-progress
    idempotency record, so the notification sender's redelivery fails "being sent by another delivery" until then.
    Its retries were over within a second and the message was dead-lettered, never sent; they now last the timeout."""
    log.append("council:A", 0, [renamed("held")])
    sample_handlers.failures_left["council:A"] = 8  # twice the attempts, failing for 0.001 + 0.002 + ... + 0.128 s
    held = Subscription("recorder", SUBSCRIPTION.handler, SUBSCRIPTION.event_types, timeout_s=30)
    relay = Relay(log, checkpoints, [held], attempts=4, backoff=0.001)
    relay.run_once("recorder")
    assert [e.payload.changes.name for e in sample_handlers.delivered] == ["held"]
    assert checkpoints.dead_letters("recorder") == []


def test_a_stop_ends_the_retries_of_a_failing_delivery_without_dead_lettering_it(log, checkpoints):
    log.append("council:A", 0, [renamed("failing")])
    sample_handlers.failures_left["council:A"] = 99
    relay = Relay(log, checkpoints, [SUBSCRIPTION], attempts=2, backoff=0.01, poll_interval=0.01)
    relay.start()
    deadline = time.monotonic() + 10
    while relay.lanes["recorder"].failures < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.monotonic()
    relay.stop()
    assert time.monotonic() - began < 5 and relay.lanes["recorder"].failures >= 3
    assert checkpoints.dead_letters("recorder") == [] and checkpoints.get("recorder") == 0  # delivered again later


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


SLOW = Subscription("slow", "tests.runtime.sample_handlers.slow", ("CouncilSettingsChanged",), concurrency=2)


@pytest.fixture
def slow_handler():
    sample_handlers.held.clear()
    sample_handlers.running.clear()
    sample_handlers.overlaps.clear()
    sample_handlers.most_at_once[0] = 0
    yield sample_handlers
    for release in sample_handlers.held.values():
        release.set()


def test_a_poison_event_is_dead_lettered_and_its_stream_moves_on(log, checkpoints):
    log.append("council:A", 0, [renamed("poison"), renamed("after")])
    log.append("council:B", 0, [renamed("other")])
    with sqlite3.connect(log.path) as raw:  # bytes no bus message can be built from, as an insider's edit leaves them
        raw.execute("UPDATE events SET data = ? WHERE stream_id = 'council:A' AND version = 1", (b"\xff{not json",))
    relay = Relay(log, checkpoints, [SUBSCRIPTION], attempts=3, backoff=0.001)
    assert relay.run_once("recorder", timeout=10) == 3
    assert [e.payload.changes.name for e in sample_handlers.delivered] == ["after", "other"]
    [letter] = checkpoints.dead_letters("recorder")
    assert (letter.stream_id, letter.version, letter.position) == ("council:A", 1, 1)
    assert "bus message could not be built" in letter.error
    assert relay.lag() == {"recorder": 0}


def test_a_poison_event_does_not_stall_the_running_relay(log, checkpoints):
    log.append("council:A", 0, [renamed("poison")])
    with sqlite3.connect(log.path) as raw:
        raw.execute("UPDATE events SET data = X'00' WHERE position = 1")
    relay = Relay(log, checkpoints, [SUBSCRIPTION], poll_interval=0.01)
    relay.start()
    try:
        log.append("council:A", 1, [renamed("next")])
        assert relay.drain(timeout=5)
    finally:
        relay.stop()
    assert [e.payload.changes.name for e in sample_handlers.delivered] == ["next"]
    assert len(checkpoints.dead_letters("recorder")) == 1


def test_a_delivery_that_hangs_is_dead_lettered_after_its_timeout_and_the_lane_moves_on(log, checkpoints, slow_handler):
    slow_handler.held["council:HUNG"] = threading.Event()  # never released while the relay runs
    log.append("council:HUNG", 0, [renamed("hung")])
    log.append("council:NEXT", 0, [renamed("next")])
    one_at_a_time = Subscription("slow", SLOW.handler, SLOW.event_types, timeout_s=1)  # concurrency 1
    relay = Relay(log, checkpoints, [one_at_a_time], attempts=2, backoff=0.001)
    began = time.monotonic()
    assert relay.run_once("slow", timeout=10) == 2
    assert time.monotonic() - began < 5  # two timed-out attempts of a second each, then the next stream
    assert [e.payload.changes.name for e in slow_handler.delivered] == ["next"]
    [letter] = checkpoints.dead_letters("slow")
    assert (letter.stream_id, letter.version) == ("council:HUNG", 1)
    assert "did not return within 1 s" in letter.error
    assert relay.lag() == {"slow": 0}
    slow_handler.held["council:HUNG"].set()  # the detached calls finish here, not in the next test
    deadline = time.monotonic() + 5
    while len(slow_handler.delivered) < 3 and time.monotonic() < deadline:  # "next", then both attempts
        time.sleep(0.01)


def test_a_slow_stream_holds_back_only_itself(log, checkpoints, slow_handler):
    slow_handler.held["council:SLOW"] = threading.Event()
    log.append("council:SLOW", 0, [renamed("slow-1"), renamed("slow-2")])
    relay = Relay(log, checkpoints, [SLOW], poll_interval=0.01)
    relay.start()
    try:
        deadline = time.monotonic() + 5
        while "council:SLOW" not in slow_handler.running and time.monotonic() < deadline:
            time.sleep(0.01)
        for stream in ("A", "B", "C"):
            for version in range(3):
                log.append(f"council:{stream}", version, [renamed(f"{stream}{version}")])
        deadline = time.monotonic() + 5
        while len(slow_handler.delivered) < 9 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sorted(e.payload.changes.name for e in slow_handler.delivered) == sorted(
            f"{s}{v}" for s in "ABC" for v in range(3)
        )
        # the checkpoint waits before the slow stream's first event: nothing after it is lost on a crash
        assert checkpoints.get("slow") == 0 and relay.lag() == {"slow": 11}
        slow_handler.held["council:SLOW"].set()
        assert relay.drain(timeout=5)
    finally:
        relay.stop()
    assert [e.payload.changes.name for e in slow_handler.delivered if e.stream_id == "council:SLOW"] == [
        "slow-1",
        "slow-2",
    ]
    assert slow_handler.most_at_once[0] <= 2 and not slow_handler.overlaps
    for stream in "ABC":
        assert [e.version for e in slow_handler.delivered if e.stream_id == f"council:{stream}"] == [1, 2, 3]


def test_after_a_crash_nothing_past_the_checkpoint_is_lost(log, checkpoints, slow_handler, tmp_path):
    slow_handler.held["council:SLOW"] = threading.Event()
    log.append("council:SLOW", 0, [renamed("slow")])
    log.append("council:FAST", 0, [renamed("fast")])
    crashed = Relay(log, checkpoints, [SLOW], poll_interval=0.01)
    crashed.start()
    deadline = time.monotonic() + 5
    while not slow_handler.delivered and time.monotonic() < deadline:
        time.sleep(0.01)
    crashed.stop(timeout=0.1)  # the slow delivery never finished
    assert [e.payload.changes.name for e in slow_handler.delivered] == ["fast"]
    assert checkpoints.get("slow") == 0
    stuck = slow_handler.held.pop("council:SLOW")
    restarted = Relay(log, Checkpoints(SqliteReadModelStore(tmp_path / "readmodels.sqlite")), [SLOW])
    assert restarted.run_once("slow", timeout=5) == 2
    # the slow event is delivered; the fast one again (at least once: handlers are idempotent)
    assert sorted(e.payload.changes.name for e in slow_handler.delivered) == ["fast", "fast", "slow"]
    stuck.set()  # the crashed relay's worker thread ends, before the next test
    crashed.lanes["slow"].pool.shutdown(wait=True)


def test_at_most_concurrency_streams_are_delivered_at_once(log, checkpoints, slow_handler):
    for stream in range(6):
        slow_handler.held[f"council:S{stream}"] = threading.Event()
        log.append(f"council:S{stream}", 0, [renamed(f"{stream}-a"), renamed(f"{stream}-b")])
    relay = Relay(log, checkpoints, [SLOW], poll_interval=0.01)
    relay.start()
    try:
        deadline = time.monotonic() + 10  # a loaded machine may take a while to start the first two
        while slow_handler.most_at_once[0] < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # a third would have started by now, were the relay to allow it
        assert slow_handler.most_at_once[0] == 2 and not slow_handler.delivered
        for release in slow_handler.held.values():
            release.set()
        assert relay.drain(timeout=5)
    finally:
        relay.stop()
    assert len(slow_handler.delivered) == 12 and slow_handler.most_at_once[0] == 2 and not slow_handler.overlaps


def test_a_checkpoint_moved_by_a_replay_is_where_the_running_lane_continues(log, checkpoints):
    for version in range(3):
        log.append("council:DEMO", version, [renamed(str(version))])
    relay = Relay(log, checkpoints, [SUBSCRIPTION])
    relay.lanes["recorder"].fill()
    relay.lanes["recorder"].wait_idle(5)
    assert checkpoints.advance("recorder", 0, 2)  # a replay swapped its read model in at position 2
    assert relay.lanes["recorder"].commit() == 0
    log.append("council:DEMO", 3, [renamed("3")])
    sample_handlers.delivered.clear()
    assert relay.run_once("recorder", timeout=5) == 2
    assert [e.payload.changes.name for e in sample_handlers.delivered] == ["2", "3"]


def test_requests_wake_the_lanes_only_when_the_log_grew(log, checkpoints):
    """After each HTTP request `bops serve` asks the relay to wake: a read that appended nothing must not set every
    lane querying the log (they would compete with the next request)."""
    relay = Relay(log, checkpoints, [SUBSCRIPTION])
    lane = relay.lanes["recorder"]
    relay.wake_if_appended()
    lane.wake.clear()
    relay.wake_if_appended()
    assert not lane.wake.is_set()
    log.append("council:DEMO", 0, [renamed("a")])
    relay.wake_if_appended()
    assert lane.wake.is_set()


def test_stop_waits_its_timeout_in_all_not_for_each_lane(log, checkpoints, monkeypatch):
    """Lanes whose readers do not end (a reader blocked on the log, say): the stop still returns within its timeout."""
    names = [f"lane-{n}" for n in range(5)]
    relay = Relay(
        log, checkpoints, [Subscription(name, SUBSCRIPTION.handler, SUBSCRIPTION.event_types) for name in names]
    )
    blocked = threading.Event()
    monkeypatch.setattr(relay, "_run", lambda lane: blocked.wait(30))
    relay.start()
    started = time.monotonic()
    relay.stop(timeout=0.5)
    assert time.monotonic() - started < 2  # five lanes joined 0.5 s each would take 2.5 s
    blocked.set()
