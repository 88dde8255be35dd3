"""`bops serve` writes audit checkpoints: its scheduler runs the declared job when it starts, every interval and when it
stops."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time

import pytest

from bops import environment
from bops.schedule import Scheduler
from events import Actor, NewEvent
from events.council import CouncilCreated
from services import scheduled_jobs
from services.assessment.declaration import AUDIT_CHECKPOINTS_HANDLER
from shared.declarations import ScheduledJob
from shared.eventstore.checkpoints_sqlite import SqliteCheckpointLog
from shared.wiring import dependencies
from tests.conftest import PROJECT
from tests.eventstore.contract import T0, renamed


def checkpoint_job(every_minutes: int = 60) -> ScheduledJob:
    """The declared audit checkpoint job (an hour apart here: only the runs at start and stop happen in a test)."""
    [job] = [job for job in scheduled_jobs() if job.handler == AUDIT_CHECKPOINTS_HANDLER]
    return dataclasses.replace(job, every_minutes=every_minutes)


def test_the_audit_checkpoint_job_is_declared_every_15_minutes():
    [job] = [job for job in scheduled_jobs() if job.handler == AUDIT_CHECKPOINTS_HANDLER]
    assert job.every_minutes == 15 and job.schedule_expression == "rate(15 minutes)"
    assert job.writes_audit_checkpoints


def council_created() -> NewEvent:
    return NewEvent(CouncilCreated(code="AAA", name="A", slug="a"), "AAA", Actor.system(), T0)


def test_the_scheduler_checkpoints_at_start_and_at_stop(tmp_path):
    environment.configure(tmp_path)
    deps = dependencies()
    deps.event_store.append(
        "council:AAA", 0, [NewEvent(CouncilCreated(code="AAA", name="A", slug="a"), "AAA", Actor.system(), T0)]
    )
    timer = Scheduler([checkpoint_job()])
    timer.start()
    log = SqliteCheckpointLog(tmp_path / "audit.sqlite")
    for _ in range(200):
        if log.records():
            break
        time.sleep(0.01)
    assert len(log.records()) == 1
    deps.event_store.append("council:AAA", 1, [renamed("later")])
    timer.stop()
    records = log.records()
    assert len(records) == 2 and '"council:AAA":[2,' in records[1].body


def test_a_refused_checkpoint_is_logged_and_the_scheduler_carries_on(tmp_path, caplog):
    environment.configure(tmp_path)
    deps = dependencies()
    deps.event_store.append(
        "council:AAA", 0, [NewEvent(CouncilCreated(code="AAA", name="A", slug="a"), "AAA", Actor.system(), T0)]
    )
    deps.event_store._connection().execute("UPDATE events SET hash = 'forged'")
    job = checkpoint_job()
    timer = Scheduler([job])
    timer.run(job)
    assert "audit checkpoint refused: FAILED: stream council:AAA version 1" in caplog.text
    assert "scheduled job audit-checkpoints failed" in caplog.text
    assert SqliteCheckpointLog(tmp_path / "audit.sqlite").records() == []
    timer.run(job)  # the next tick runs again (and is refused again)
    assert caplog.text.count("scheduled job audit-checkpoints failed") == 2


RUNS: list[str] = []


def record_run(event, context) -> None:
    RUNS.append(event["job"])


def test_the_scheduler_runs_a_job_every_declared_interval():
    """A job declared every minute runs at start, again after each minute (a minute of 50 ms here), and at stop."""
    RUNS.clear()
    timer = Scheduler([ScheduledJob("tick", f"{__name__}.record_run", every_minutes=1)], minute=0.05)
    timer.start()
    for _ in range(300):
        if len(RUNS) >= 3:
            break
        time.sleep(0.01)
    timer.stop()
    assert len(RUNS) >= 4 and set(RUNS) == {"tick"}


@pytest.mark.slow
def test_bops_serve_leaves_a_checkpoint_that_verify_audit_uses(tmp_path):
    from tests.runtime.bops_process import start, stop

    data_dir = tmp_path / "data"
    stop(start(data_dir))
    assert len(SqliteCheckpointLog(data_dir / "audit.sqlite").records()) >= 1
    verified = subprocess.run(
        [sys.executable, "-m", "bops.cli", "verify-audit", "--data-dir", str(data_dir)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "verified against" in verified.stdout
