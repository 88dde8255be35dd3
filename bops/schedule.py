"""`bops serve`'s scheduled jobs: each declared ScheduledJob's handler run once at start, every `every_minutes`, and
once at stop (what EventBridge Scheduler does on AWS, plus the runs at start and stop so a short session still
leaves, say, an audit checkpoint of what it did)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence

from shared.declarations import ScheduledJob, load_handler

log = logging.getLogger("bops.schedule")


class Scheduler:
    def __init__(self, jobs: Sequence[ScheduledJob], minute: float = 60.0) -> None:
        self.jobs = tuple(jobs)
        self.minute = minute  # seconds (tests shorten it)
        self._stopping = threading.Event()
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
        self._stopping.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()

    def _loop(self, job: ScheduledJob) -> None:
        while True:
            self.run(job)
            if self._stopping.wait(job.every_minutes * self.minute):
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
