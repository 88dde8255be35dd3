"""The embedded relay: tails the log from a checkpoint per subscriber and calls the same Lambda handlers as AWS.

Delivery is at least once (the checkpoint moves after a page is handled), as EventBridge's is; handlers are
idempotent. A delivery that keeps failing goes to the dead-letter table, like the SQS DLQ on AWS, and the lane moves on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bops.checkpoints import Checkpoints
from shared.bus import bus_message
from shared.clock import Clock, SystemClock
from shared.declarations import Subscription, load_handler
from shared.eventstore.sqlite import SqliteEventStore, StoredEvent

log = logging.getLogger("bops.relay")
PAGE = 500


@dataclass(frozen=True)
class LocalContext:
    """What a Lambda handler may read from its context object."""

    function_name: str
    aws_request_id: str = "local"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:local"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


@dataclass
class Lane:
    subscription: Subscription
    handler: Callable[[dict[str, Any], Any], Any] | None = None
    delivered: int = 0
    failures: int = 0
    wake: threading.Event = field(default_factory=threading.Event)
    pool: ThreadPoolExecutor | None = None


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
        clock: Clock | None = None,
    ) -> None:
        self.log = log_store
        self.checkpoints = checkpoints
        self.lanes = {s.name: Lane(s) for s in subscriptions}
        self.poll_interval = poll_interval
        self.attempts = attempts
        self.backoff = backoff
        self.clock = clock or SystemClock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for lane in self.lanes.values():
            name = f"relay-{lane.subscription.name}"
            thread = threading.Thread(target=self._run, args=(lane,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout)
        for lane in self.lanes.values():
            if lane.pool is not None:
                lane.pool.shutdown(wait=False)

    def wake(self) -> None:
        for lane in self.lanes.values():
            lane.wake.set()

    def lag(self) -> dict[str, int]:
        """How many log positions each subscriber is behind the head."""
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

    def run_once(self, name: str) -> int:
        """Deliver one page to one subscriber; returns how many log positions it moved."""
        lane = self.lanes[name]
        seen = self.checkpoints.get(name)
        page, scanned_to = self.log.read_types_stored(lane.subscription.event_types, seen, PAGE)
        if scanned_to <= seen:
            return 0
        concurrency = lane.subscription.concurrency
        if concurrency > 1 and len(page) > 1:
            by_stream: dict[str, list[StoredEvent]] = {}
            for stored in page:
                by_stream.setdefault(stored.stream_id, []).append(stored)
            if lane.pool is None:
                lane.pool = ThreadPoolExecutor(concurrency, thread_name_prefix=f"relay-{name}")
            # every stream's events in order; streams side by side; the checkpoint moves once all are done
            list(lane.pool.map(lambda events: self._deliver_all(lane, events), by_stream.values()))
        else:
            for stored in page:
                self._deliver(lane, stored)
        self.checkpoints.advance(name, seen, scanned_to)
        return scanned_to - seen

    def _run(self, lane: Lane) -> None:
        while not self._stop.is_set():
            try:
                moved = self.run_once(lane.subscription.name)
            except Exception:
                log.exception("relay lane %s failed; retrying", lane.subscription.name)
                moved = 0
                time.sleep(0.5)
            if not moved:
                lane.wake.wait(self.poll_interval)
                lane.wake.clear()

    def _deliver_all(self, lane: Lane, events: list[StoredEvent]) -> None:
        for stored in events:
            self._deliver(lane, stored)

    def _deliver(self, lane: Lane, stored: StoredEvent) -> None:
        if lane.handler is None:
            lane.handler = load_handler(lane.subscription.handler)
        message = bus_message(stored, stored.position)
        context = LocalContext(lane.subscription.name)
        for attempt in range(1, self.attempts + 1):
            try:
                lane.handler(message, context)
                lane.delivered += 1
                return
            except Exception as error:
                lane.failures += 1
                if attempt == self.attempts:
                    log.error(
                        "%s gave up on %s v%s: %s", lane.subscription.name, stored.stream_id, stored.version, error
                    )
                    self.checkpoints.dead_letter(
                        lane.subscription.name,
                        stored.position,
                        stored.event_type,
                        stored.stream_id,
                        stored.version,
                        repr(error),
                        self.clock.now(),
                    )
                    return
                time.sleep(self.backoff * 2 ** (attempt - 1))
