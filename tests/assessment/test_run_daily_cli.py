"""`bops run-daily [--date D]`: the daily job by hand on the local data directory. It first brings the auto-close read
model up to date through the relay's lane (no `bops serve` needed), then closes exactly what is due on that day."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from bops import environment
from bops.checkpoints import Checkpoints
from bops.cli import main
from services.assessment.daily import scheduled_day
from shared.wiring import dependencies
from tests.assessment.daily_cases import NEW_DESCRIPTION, Application

SENT = date(2026, 3, 3)


@pytest.fixture
def data_dir(tmp_path):
    environment.configure(tmp_path / "data")
    return tmp_path / "data"


def run_daily(data_dir, *args: str) -> dict:
    result = CliRunner().invoke(
        main, ["run-daily", *args, "--json", "--data-dir", str(data_dir)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    # the last line: a handler imported before the environment was configured (by this test module) prints its
    # ColdStart metric line first, which `bops run-daily` itself never does (it configures before importing)
    return json.loads(result.output.strip().splitlines()[-1])


def test_run_daily_on_a_date_closes_exactly_what_is_due_then_nothing(data_dir):
    case = Application(dependencies().event_store, "26-00001-HAPP").invalidated_with_changes(SENT)
    early = run_daily(data_dir, "--date", "2026-03-09")
    assert early == {"day": "2026-03-09", "candidates": 0, "closed": [], "busy": []}
    due = run_daily(data_dir, "--date", "2026-03-10")
    assert due["day"] == "2026-03-10" and due["candidates"] == 1
    assert sorted(c["requestId"] for c in due["closed"]) == sorted(
        [case.requests["description_change"], case.requests["red_line_boundary_change"]]
    )
    assert {c["reference"] for c in due["closed"]} == {case.reference}
    environment.configure(data_dir)  # the command pointed the adapters at the same directory: read it afresh
    case.store = dependencies().event_store
    assert case.state().description == NEW_DESCRIPTION
    assert case.request_state("additional_document") == "open"
    again = run_daily(data_dir, "--date", "2026-03-10")
    assert again == {
        "day": "2026-03-10",
        "candidates": 0,
        "closed": [],
        "busy": [],
    }  # the read model caught up: nothing due


def test_the_command_catches_the_read_model_up_with_the_relays_checkpoint(data_dir):
    Application(dependencies().event_store, "26-00001-HAPP").invalidated_with_changes(SENT)
    deps = dependencies()
    assert Checkpoints(deps.read_models).get("auto-close-due") == 0  # type: ignore[arg-type]
    run_daily(data_dir, "--date", "2026-03-09")
    environment.configure(data_dir)
    deps = dependencies()
    head = deps.event_store.head_position()  # type: ignore[attr-defined]
    assert Checkpoints(deps.read_models).get("auto-close-due") == head  # type: ignore[arg-type]


def test_without_a_date_it_runs_for_the_day_of_the_last_scheduled_run(data_dir, monkeypatch):
    Application(dependencies().event_store, "26-00001-HAPP").invalidated_with_changes(SENT)
    monkeypatch.setenv("BOPS_NOW", "2026-03-10T12:00:00+00:00")  # before 23:30: the last run stood for the 9th
    assert run_daily(data_dir) == {"day": "2026-03-09", "candidates": 0, "closed": [], "busy": []}
    monkeypatch.setenv("BOPS_NOW", "2026-03-10T23:45:00+00:00")
    after = run_daily(data_dir)
    assert after["day"] == "2026-03-10" and len(after["closed"]) == 2


def test_a_bad_date_is_refused(data_dir):
    result = CliRunner().invoke(main, ["run-daily", "--date", "10/03/2026", "--data-dir", str(data_dir)])
    assert result.exit_code == 2 and "'10/03/2026' does not match the format '%Y-%m-%d'" in result.output


@pytest.mark.parametrize(
    ("now", "day"),
    [
        ("2026-03-10T23:29:59+00:00", date(2026, 3, 9)),
        ("2026-03-10T23:30:00+00:00", date(2026, 3, 10)),
        ("2026-03-11T00:10:00+00:00", date(2026, 3, 10)),  # a retry after midnight still stands for the 10th
        ("2026-07-10T22:30:00+00:00", date(2026, 7, 10)),  # 23:30 in London in summer
        ("2026-07-10T22:29:00+00:00", date(2026, 7, 9)),
    ],
)
def test_the_day_a_scheduled_run_stands_for(now, day):
    assert scheduled_day(datetime.fromisoformat(now).astimezone(UTC), 23, 30) == day


@pytest.mark.slow
def test_bops_serve_runs_the_daily_job_when_it_starts(tmp_path):
    """Requests due on the 10th, `bops serve` started on the 11th: its timer's run at start closes them."""
    from tests.runtime.bops_process import start, stop

    data_dir = tmp_path / "data"
    environment.configure(data_dir)
    case = Application(dependencies().event_store, "26-00001-HAPP").invalidated_with_changes(SENT)
    process = start(data_dir, "--now", "2026-03-11T10:00:00Z")
    try:
        for _ in range(200):
            types = [e.event_type for e in case.store.read(case.stream)]
            if "ValidationRequestAutoClosed" in types:
                break
            time.sleep(0.05)
    finally:
        stop(process)
    assert types.count("ValidationRequestAutoClosed") == 2 and "DescriptionChanged" in types


def test_bops_replay_rebuilds_the_auto_close_read_model(data_dir):
    case = Application(dependencies().event_store, "26-00001-HAPP").invalidated_with_changes(SENT)
    run_daily(data_dir, "--date", "2026-03-09")  # catches the read model up
    environment.configure(data_dir)
    before = dict(dependencies().read_models.documents("auto-close-due"))
    assert set(before) == {case.stream}
    result = CliRunner().invoke(main, ["replay", "auto-close-due", "--data-dir", str(data_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    environment.configure(data_dir)
    assert dict(dependencies().read_models.documents("auto-close-due")) == before


def test_the_scheduled_handler_runs_for_the_day_its_schedule_stands_for(data_dir, monkeypatch):
    from services.assessment.daily import lambda_handler
    from tests.assessment.daily_cases import project

    deps = dependencies()
    case = Application(deps.event_store, "26-00001-HAPP").invalidated_with_changes(SENT)
    project(deps.event_store, deps.read_models, case)
    monkeypatch.setenv("BOPS_NOW", "2026-03-10T23:30:05+00:00")  # EventBridge Scheduler's run on the 10th
    environment.configure(data_dir)
    assert lambda_handler({"source": "aws.scheduler", "job": "daily"}, None) == {
        "day": "2026-03-10",
        "candidates": 1,
        "closed": 2,
    }
