"""The embedded relay: tails the log from a checkpoint per subscriber and calls the same Lambda handlers as AWS.

Each subscriber has a lane: one reader thread that fetches the subscribed events after the lane's checkpoint and a pool
of `Subscription.concurrency` workers. Every stream is delivered on its own: its events strictly one after another,
at most `concurrency` streams at once, and a slow stream holds back only itself (and one worker), never the others.

Delivery is at least once, as EventBridge's is; handlers are idempotent. The checkpoint only moves up to the lowest
event not yet done (delivered or dead-lettered), so after a crash everything past it is delivered again: never zero
times, sometimes twice. At most `BUFFER` fetched events wait per lane, so a stalled stream cannot fill the memory.
A delivery that keeps failing (for at least the subscription's timeout, with growing waits), or an event the bus message
cannot be built from, goes to the dead-letter table (like the SQS DLQ on AWS) and the stream moves on. A delivery that
does not return within the subscription's declared `timeout_s` (its Lambda timeout on AWS) is a failed attempt like any
other: the worker stops waiting for it and moves on (a thread cannot be stopped, so the hung call is left to finish or
hang on its own, outside the lane).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bops.checkpoints import Checkpoints
from shared.bus import bus_message
from shared.clock import Clock, SystemClock
from shared.declarations import Subscription, load_handler
from shared.eventstore.sqlite import SqliteEventStore, StoredEvent

log = logging.getLogger("bops.relay")
BUFFER = 500  # events fetched and not yet done, per lane
INFRASTRUCTURE_RETRY_SECONDS = 0.5  # when the lane itself fails (the log or the checkpoint store is busy, say)
MAX_BACKOFF_SECONDS = 10.0  # the longest wait between two attempts of a failing delivery


@dataclass(frozen=True)
class LocalContext:
    """What a Lambda handler may read from its context object."""

    function_name: str
    aws_request_id: str = "local"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:local"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


class DeliveryStopped(Exception):
    """The relay stopped while a failing delivery waited to be tried again: it is not done, and is delivered again at
    the next start."""


class DeliveryTimedOut(Exception):
    """A handler that did not return within its subscription's timeout."""


def call_within(
    seconds: float, handler: Callable[[dict[str, Any], Any], Any], message: dict[str, Any], context: Any
) -> None:
    """Call the handler on a thread of its own and wait at most `seconds`: its exception is raised here, and a call
    still running then raises DeliveryTimedOut (the call itself goes on, detached)."""
    outcome: list[BaseException | None] = []
    done = threading.Event()

    def call() -> None:
        try:
            handler(message, context)
            outcome.append(None)
        except BaseException as error:  # handed to the waiting worker
            outcome.append(error)
        finally:
            done.set()

    threading.Thread(target=call, name=f"delivery-{context.function_name}", daemon=True).start()
    if not done.wait(seconds):
        raise DeliveryTimedOut(f"the handler did not return within {seconds:g} s")
    if outcome[0] is not None:
        raise outcome[0]


class Lane:
    """One subscriber's deliveries: per-stream queues, the streams being worked on, and the low-water mark.

    `outstanding` holds the positions fetched and not yet done, in log order (positions are fetched in increasing
    order and a dict keeps insertion order), so the checkpoint may move to just before its first one.
    """

    def __init__(self, subscription: Subscription, relay: Relay) -> None:
        self.subscription = subscription
        self.relay = relay
        self.handler: Callable[[dict[str, Any], Any], Any] | None = None
        self.delivered = 0
        self.failures = 0
        self.wake = threading.Event()
        self.pool: ThreadPoolExecutor | None = None
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.delivering = 0  # deliveries in progress (a stop waits for them)
        self.settled = threading.Condition(self.lock)
        self.queues: dict[str, deque[StoredEvent]] = {}  # stream -> events fetched, not started
        self.active: set[str] = set()  # streams with a worker scheduled or running
        self.outstanding: dict[int, None] = {}
        self.committed: int | None = None  # the checkpoint as this lane last saw it (None: not read yet)
        self.fetched = 0  # the log is scanned up to here
        self.generation = 0  # bumped when someone else (a replay) moved the checkpoint: older work is forgotten

    @property
    def name(self) -> str:
        return self.subscription.name

    def fill(self) -> int:
        """Fetch what fits in the buffer and hand it to the workers; how many log positions were scanned."""
        if self.committed is None:
            self.committed = self.fetched = self.relay.checkpoints.get(self.name)
        room = BUFFER - len(self.outstanding)
        if room <= 0:
            return 0
        page, scanned_to = self.relay.log.read_types_stored(self.subscription.event_types, self.fetched, room)
        if scanned_to <= self.fetched:
            return 0
        scanned = scanned_to - self.fetched
        with self.lock:
            self.fetched = scanned_to
            start = []
            for stored in page:
                self.outstanding[stored.position] = None
                self.queues.setdefault(stored.stream_id, deque()).append(stored)
                if stored.stream_id not in self.active:
                    self.active.add(stored.stream_id)
                    start.append(stored.stream_id)
        for stream_id in start:
            self._pool().submit(self._work, stream_id)
        return scanned

    def commit(self) -> int:
        """Move the checkpoint up to the first event not done; how far it moved."""
        with self.lock:
            if self.committed is None:
                return 0
            target = next(iter(self.outstanding)) - 1 if self.outstanding else self.fetched
            seen = self.committed
        if target <= seen:
            return 0
        if self.relay.checkpoints.advance(self.name, seen, target):
            with self.lock:
                self.committed = target
            return target - seen
        self._resync()
        return 0

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every fetched event is done (tests, `Relay.run_once`)."""
        with self.idle:
            return self.idle.wait_for(lambda: not self.outstanding, timeout)

    def wait_settled(self, timeout: float) -> bool:
        """Wait until no delivery of this lane is in progress."""
        with self.settled:
            return self.settled.wait_for(lambda: not self.delivering, timeout)

    def _resync(self) -> None:
        """Someone else moved the checkpoint (a replay swapped a read model in): start again from theirs."""
        position = self.relay.checkpoints.get(self.name)
        log.info("relay lane %s: the checkpoint was moved to %d elsewhere; continuing from there", self.name, position)
        with self.lock:
            self.generation += 1
            for queue in self.queues.values():
                queue.clear()  # streams being delivered stay active until their worker sees the queue empty
            self.outstanding.clear()
            self.committed = self.fetched = position
            self.idle.notify_all()

    def _pool(self) -> ThreadPoolExecutor:
        if self.pool is None:
            self.pool = ThreadPoolExecutor(self.subscription.concurrency, thread_name_prefix=f"relay-{self.name}")
        return self.pool

    def _work(self, stream_id: str) -> None:
        """A worker: deliver one stream's queued events in order until its queue is empty."""
        while True:
            with self.lock:
                queue = self.queues.get(stream_id)
                if not queue or self.relay.stopped:
                    self.active.discard(stream_id)
                    self.queues.pop(stream_id, None)
                    return
                stored = queue[0]
                generation = self.generation
            while not self._try_deliver(stored):
                if self.relay.stopped:
                    with self.lock:
                        self.active.discard(stream_id)
                    return
                time.sleep(INFRASTRUCTURE_RETRY_SECONDS)
            with self.lock:
                if generation == self.generation:
                    if queue and queue[0] is stored:
                        queue.popleft()
                    self.outstanding.pop(stored.position, None)
                    if not self.outstanding:
                        self.idle.notify_all()
            self.wake.set()  # the reader may move the checkpoint and fetch more

    def _try_deliver(self, stored: StoredEvent) -> bool:
        """Deliver (or dead-letter) one event; False if the lane itself failed and the event must be tried again."""
        with self.lock:
            self.delivering += 1
        try:
            self.relay.deliver(self, stored)
            return True
        except DeliveryStopped:
            return False
        except Exception:
            log.exception("relay lane %s failed on %s v%s; retrying", self.name, stored.stream_id, stored.version)
            return False
        finally:
            with self.lock:
                self.delivering -= 1
                self.settled.notify_all()

    def handler_function(self) -> Callable[[dict[str, Any], Any], Any]:
        with self.lock:
            if self.handler is None:
                self.handler = load_handler(self.subscription.handler)
            return self.handler


class Relay:
    def __init__(
        self,
        log_store: SqliteEventStore,
        checkpoints: Checkpoints,
        subscriptions: Sequence[Subscription],
        *,
        poll_interval: float = 0.05,
        attempts: int = 4,
        backoff: float = 0.05,
        retry_window: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.log = log_store
        self.checkpoints = checkpoints
        self.lanes = {s.name: Lane(s, self) for s in subscriptions}
        self.poll_interval = poll_interval
        self.attempts = attempts
        self.backoff = backoff
        self.retry_window = retry_window  # None: each subscription's own timeout
        self.clock = clock or SystemClock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._seen_head = -1

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        for lane in self.lanes.values():
            thread = threading.Thread(target=self._run, args=(lane,), name=f"relay-{lane.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every lane, waiting `timeout` seconds in all (not each) for their readers and for the deliveries in
        progress, which may still need what is stopped after the relay (the demo's file server); a delivery still
        running then is abandoned (its event is delivered again at the next start)."""
        self._stop.set()
        self.wake()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for lane in self.lanes.values():
            lane.wait_settled(max(0.0, deadline - time.monotonic()))
        for lane in self.lanes.values():
            if lane.pool is not None:
                lane.pool.shutdown(wait=False, cancel_futures=True)

    def wake(self) -> None:
        for lane in self.lanes.values():
            lane.wake.set()

    def wake_if_appended(self) -> None:
        """Wake the lanes if the log grew since this was last asked (after each HTTP request): one cheap read, where
        waking every lane would have each of them query the log, competing with the next request for the GIL."""
        head = self.log.head_position()
        if head != self._seen_head:
            self._seen_head = head
            self.wake()

    def lag(self) -> dict[str, int]:
        """How many log positions each subscriber's checkpoint is behind the head."""
        head = self.log.head_position()
        return {name: max(0, head - self.checkpoints.get(name)) for name in self.lanes}

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every subscriber has caught up with the log (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(self.lag().values()):
                return True
            self.wake()
            time.sleep(0.01)
        return False

    def run_once(self, name: str, timeout: float | None = None) -> int:
        """Fetch one buffer's worth for one subscriber, wait until it is delivered, and move the checkpoint (tests);
        returns how many log positions the checkpoint moved."""
        lane = self.lanes[name]
        lane.fill()
        lane.wait_idle(timeout)
        return lane.commit()

    def _run(self, lane: Lane) -> None:
        """A lane's reader: fetch, hand out, move the checkpoint; sleep when there is nothing new."""
        while not self._stop.is_set():
            try:
                scanned = lane.fill()
                lane.commit()
            except Exception:
                log.exception("relay lane %s failed; retrying", lane.name)
                scanned = 0
                self._stop.wait(INFRASTRUCTURE_RETRY_SECONDS)
            if not scanned:
                lane.wake.wait(self.poll_interval)
                lane.wake.clear()

    def deliver(self, lane: Lane, stored: StoredEvent) -> None:
        """Call the handler with retries; an event that keeps failing, or cannot even be made a bus message (a poison
        event: its bytes are not the JSON they should be), is dead-lettered. Raises only if the dead letter cannot be
        written, or with DeliveryStopped if the relay stops between two attempts.

        A failing delivery is tried at least `attempts` times and for at least the retry window (the subscription's
        timeout unless given), waiting longer each time: what a delivery that died holds is bounded by that timeout (a
        message's in-progress idempotency record, say), so a redelivery after a crash that finds it held is not
        dead-lettered before it is free. EventBridge, likewise, retries for a day."""
        try:
            message = bus_message(stored, stored.position)
        except Exception as error:
            lane.failures += 1
            self._give_up(lane, stored, f"the bus message could not be built: {error!r}")
            return
        handler = lane.handler_function()
        context = LocalContext(lane.name)
        window = lane.subscription.timeout_s if self.retry_window is None else self.retry_window
        began = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                call_within(lane.subscription.timeout_s, handler, message, context)
                lane.delivered += 1
                return
            except Exception as error:
                lane.failures += 1
                if attempt >= self.attempts and time.monotonic() - began >= window:
                    self._give_up(lane, stored, repr(error))
                    return
                log.warning(
                    "%s failed on %s v%s (attempt %d): %r", lane.name, stored.stream_id, stored.version, attempt, error,
                    exc_info=True,
                )  # fmt: skip
                if self._stop.wait(min(MAX_BACKOFF_SECONDS, self.backoff * 2 ** (attempt - 1))):
                    raise DeliveryStopped(f"stopped while retrying {stored.stream_id} v{stored.version}") from error

    def _give_up(self, lane: Lane, stored: StoredEvent, error: str) -> None:
        log.error("%s gave up on %s v%s: %s", lane.name, stored.stream_id, stored.version, error)
        self.checkpoints.dead_letter(
            lane.name, stored.position, stored.event_type, stored.stream_id, stored.version, error, self.clock.now()
        )
