"""Daily scheduled jobs: the declaration (a London time, an EventBridge cron), the wait until the next run across the
clock changes, and `bops serve`'s timer running a daily job at start and then at its time (never at stop)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from bops.schedule import Scheduler, seconds_until_daily
from shared.clock import FrozenClock
from shared.declarations import ScheduledJob


def test_a_daily_job_is_a_cron_read_in_london_time():
    job = ScheduledJob("daily", "x.handler", daily_at="23:30")
    assert job.daily_time == (23, 30)
    assert job.schedule_expression == "cron(30 23 * * ? *)"
    assert job.schedule_timezone == "Europe/London"
    assert job.schedule_description == "daily at 23:30 London time"
    periodic = ScheduledJob("tick", "x.handler", every_minutes=15)
    assert periodic.daily_time is None and periodic.schedule_timezone is None
    assert periodic.schedule_expression == "rate(15 minutes)"
    assert ScheduledJob("early", "x.handler", daily_at="00:05").schedule_expression == "cron(5 0 * * ? *)"


@pytest.mark.parametrize(
    "arguments",
    [
        {},  # neither
        {"every_minutes": 15, "daily_at": "01:00"},  # both
        {"daily_at": "24:00"},
        {"daily_at": "7:30"},
        {"daily_at": "07:60"},
        {"daily_at": "noon"},
        {"every_minutes": 0},
    ],
)
def test_a_job_runs_either_periodically_or_daily_at_a_real_time(arguments):
    with pytest.raises(ValueError):
        ScheduledJob("bad", "x.handler", **arguments)


@pytest.mark.parametrize(
    ("now", "seconds"),
    [
        ("2026-12-07T23:00:00+00:00", 30 * 60),  # winter: London is UTC
        ("2026-12-07T23:30:00+00:00", 24 * 3600),  # at the time: the next day's
        ("2026-12-07T23:45:00+00:00", 23 * 3600 + 45 * 60),
        ("2026-07-07T22:00:00+00:00", 30 * 60),  # summer: 23:30 London is 22:30 UTC
        ("2026-03-28T23:30:00+00:00", 23 * 3600),  # the night the clocks go forward: a day of 23 hours
        ("2026-10-24T22:30:00+00:00", 25 * 3600),  # the night they go back: a day of 25 hours
    ],
)
def test_the_wait_until_the_next_daily_run_follows_the_london_clock(now, seconds):
    assert seconds_until_daily(datetime.fromisoformat(now), 23, 30) == seconds


RUNS: list[str] = []


def record_run(event, context) -> None:
    RUNS.append(event["job"])


def test_the_timer_runs_a_daily_job_at_start_then_at_its_time_and_not_at_stop():
    """One second before 23:30 London, with a minute of 60 ms: the second run comes ~1 ms later (the frozen clock
    stays one second before, so it keeps coming); a stop right after start runs nothing more."""
    RUNS.clear()
    clock = FrozenClock(datetime(2026, 12, 7, 23, 29, 59, tzinfo=UTC))
    timer = Scheduler([ScheduledJob("daily", f"{__name__}.record_run", daily_at="23:30")], minute=0.06, clock=clock)
    timer.start()
    for _ in range(300):
        if len(RUNS) >= 3:
            break
        time.sleep(0.01)
    timer.stop()
    assert len(RUNS) >= 3 and set(RUNS) == {"daily"}


def test_a_daily_job_is_not_run_again_at_stop():
    RUNS.clear()
    clock = FrozenClock(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))  # the next run is 11.5 hours away
    timer = Scheduler([ScheduledJob("daily", f"{__name__}.record_run", daily_at="23:30")], clock=clock)
    timer.start()
    for _ in range(300):
        if RUNS:
            break
        time.sleep(0.01)
    timer.stop()
    assert RUNS == ["daily"]


RELEASE = threading.Event()


def block_until_released(event, context) -> None:
    RUNS.append(event["job"])
    RELEASE.wait(30)


def test_stopping_waits_for_a_job_in_progress_only_until_its_deadline_and_starts_no_run_after(caplog):
    """A periodic job stuck in its run at start: stop returns after its 0.2 s deadline, not when the job ends, and
    the run at stop is not made once the job is abandoned."""
    RUNS.clear()
    RELEASE.clear()
    timer = Scheduler([ScheduledJob("stuck", f"{__name__}.block_until_released", every_minutes=60)], stop_timeout=0.2)
    timer.start()
    try:
        for _ in range(300):
            if RUNS:
                break
            time.sleep(0.01)
        stopper = threading.Thread(target=timer.stop)
        began = time.monotonic()
        stopper.start()
        stopper.join(10)
        assert not stopper.is_alive() and time.monotonic() - began < 10
        assert "bops-job-stuck still running after 0.2 s: abandoned" in caplog.text
    finally:
        RELEASE.set()
    [thread] = timer._threads
    thread.join(10)  # the abandoned thread ends its run: no run at stop follows
    assert not thread.is_alive() and RUNS == ["stuck"]
