"""`bops serve`'s scheduled jobs, run as EventBridge Scheduler runs them on AWS: a periodic job (`every_minutes`) once
at start, every `every_minutes`, and once at stop (so a short session still leaves, say, an audit checkpoint of what it
did); a daily job (`daily_at`, London time) once at start (the days missed while nothing ran) and then every day at
its time, by the runtime's clock.

Stopping is bounded (`stop_timeout`): a job still running at the deadline is abandoned (its thread is a daemon, so it
ends with the process) and no run starts after it. Nothing is left half-written: a job's writes are appends to the event
log or the checkpoint log, each one transaction (SQLite rolls back a transaction a process exit cut short), and every
job is idempotent, so the next run does what an abandoned one did not."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.clock import Clock, SystemClock
from shared.declarations import LONDON, ScheduledJob, load_handler

log = logging.getLogger("bops.schedule")
STOP_TIMEOUT_S = 10.0  # how long `stop` waits for the jobs in progress and the periodic jobs' runs at stop


def seconds_until_daily(now: datetime, hour: int, minute: int) -> float:
    """Seconds from `now` to the next `hour:minute` London time (strictly later), across the clock changes."""
    london = ZoneInfo(LONDON)
    local = now.astimezone(london)
    day = local.date()
    for _ in range(3):
        target = datetime(day.year, day.month, day.day, hour, minute, tzinfo=london)
        # a time the spring change skips comes out an hour later, one the autumn change repeats the first time
        wait = (target.astimezone(UTC) - now.astimezone(UTC)).total_seconds()
        if wait > 0:
            return wait
        day += timedelta(days=1)
    raise AssertionError("unreachable: the next day's time is always later")


class Scheduler:
    def __init__(
        self,
        jobs: Sequence[ScheduledJob],
        minute: float = 60.0,
        clock: Clock | None = None,
        stop_timeout: float = STOP_TIMEOUT_S,
    ) -> None:
        self.jobs = tuple(jobs)
        self.minute = minute  # seconds (tests shorten it; a daily job's wait is scaled alike)
        self.clock = clock or SystemClock()
        self.stop_timeout = stop_timeout
        self._stopping = threading.Event()
        self._abandoned = threading.Event()  # set when `stop` gave up waiting: no run starts after it
        self._threads = [
            threading.Thread(target=self._loop, args=(job,), name=f"bops-job-{job.name}", daemon=True)
            for job in self.jobs
        ]
        # `bops serve --workers` forks HTTP workers after this starts: a fork waits for a job in progress to end, so
        # no child inherits a lock or a connection a job's thread was using
        self._busy = threading.Lock()
        os.register_at_fork(
            before=self._busy.acquire, after_in_parent=self._busy.release, after_in_child=self._busy.release
        )

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """End every job's timer and wait for the runs in progress (and the periodic jobs' runs at stop) until
        `stop_timeout` seconds from now; abandon the ones still running then (logged)."""
        self._stopping.set()
        deadline = time.monotonic() + self.stop_timeout
        for thread in self._threads:
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))
        self._abandoned.set()
        for thread in self._threads:
            if thread.is_alive():
                log.warning(
                    "scheduled job thread %s still running after %.1f s: abandoned", thread.name, self.stop_timeout
                )

    def _wait_seconds(self, job: ScheduledJob) -> float:
        daily = job.daily_time
        if daily is not None:
            return seconds_until_daily(self.clock.now(), *daily) / 60 * self.minute
        assert job.every_minutes is not None
        return job.every_minutes * self.minute

    def _loop(self, job: ScheduledJob) -> None:
        while True:
            self.run(job)
            if self._stopping.wait(self._wait_seconds(job)):
                if job.daily_at is None and not self._abandoned.is_set():
                    self.run(job)
                return

    def run(self, job: ScheduledJob) -> None:
        """One run of the job, as the schedule invokes it on AWS; a failure is logged and the timer carries on."""
        event = {"source": "bops.schedule", "job": job.name}
        with self._busy:
            try:
                load_handler(job.handler)(event, None)
            except Exception:
                log.exception("scheduled job %s failed", job.name)
