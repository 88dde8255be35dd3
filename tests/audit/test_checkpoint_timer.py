"""`bops serve` writes audit checkpoints: one when it starts, one every interval, one when it stops."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bops import environment
from bops.audit import CheckpointTimer
from events import Actor, NewEvent
from events.council import CouncilCreated
from shared.eventstore.checkpoints_sqlite import SqliteCheckpointLog
from shared.wiring import dependencies
from tests.conftest import PROJECT
from tests.eventstore.contract import T0, renamed


def council_created() -> NewEvent:
    return NewEvent(CouncilCreated(code="AAA", name="A", slug="a"), "AAA", Actor.system(), T0)


def test_the_timer_checkpoints_at_start_and_at_stop(tmp_path):
    environment.configure(tmp_path)
    deps = dependencies()
    deps.event_store.append(
        "council:AAA", 0, [NewEvent(CouncilCreated(code="AAA", name="A", slug="a"), "AAA", Actor.system(), T0)]
    )
    timer = CheckpointTimer(deps, interval=3600)
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


def test_a_refused_checkpoint_is_logged_and_the_timer_carries_on(tmp_path, caplog):
    environment.configure(tmp_path)
    deps = dependencies()
    deps.event_store.append(
        "council:AAA", 0, [NewEvent(CouncilCreated(code="AAA", name="A", slug="a"), "AAA", Actor.system(), T0)]
    )
    deps.event_store._connection().execute("UPDATE events SET hash = 'forged'")
    timer = CheckpointTimer(deps, interval=3600)
    timer.checkpoint()
    assert "audit checkpoint refused: FAILED: stream council:AAA version 1" in caplog.text
    assert SqliteCheckpointLog(tmp_path / "audit.sqlite").records() == []


@pytest.mark.slow
def test_bops_serve_leaves_a_checkpoint_that_verify_audit_uses(tmp_path):
    from tests.runtime.test_serve import free_port, start, stop

    data_dir = tmp_path / "data"
    stop(start(data_dir, free_port()))
    assert len(SqliteCheckpointLog(data_dir / "audit.sqlite").records()) >= 1
    verified = subprocess.run(
        [sys.executable, "-m", "bops.cli", "verify-audit", "--data-dir", str(data_dir)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "verified against" in verified.stdout
