"""`bops verify-audit` and `bops audit checkpoint`: one application's streams, unreadable files, clear messages."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from bops.cli import main
from shared.clock import FrozenClock
from shared.eventstore.sqlite import SqliteEventStore
from tests.eventstore.contract import T0, created, renamed

APPLICATION = "application:LBH:26-00001-HAPP"


@pytest.fixture
def bops(tmp_path):
    data_dir = tmp_path / "data"
    store = SqliteEventStore(data_dir / "events.sqlite", clock=FrozenClock(T0))
    store.append(APPLICATION, 0, [created(), renamed("a")])
    store.append(APPLICATION + ":documents", 0, [created()])
    store.append("council:LBH", 0, [created()])
    store.close()

    def run(*args: str, expect: int = 0):
        result = CliRunner().invoke(main, [*args, "--data-dir", str(data_dir)])
        assert result.exit_code == expect, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    run.data_dir = data_dir
    return run


def delete(data_dir, stream_id: str) -> None:
    with sqlite3.connect(data_dir / "events.sqlite") as connection:
        connection.execute("DELETE FROM events WHERE stream_id = ?", (stream_id,))


def test_one_application_by_reference(bops):
    assert "OK: 3 events in 2 streams verified" in bops("verify-audit", "26-00001-HAPP").output
    assert "OK: 3 events in 2 streams" in bops("verify-audit", "LBH-26-00001-HAPP").output
    assert "no application" in bops("verify-audit", "26-99999-HAPP", expect=1).output


def test_an_application_removed_altogether_is_still_found_through_its_checkpoint(bops):
    assert "Checkpoint 1: 3 streams" in bops("audit", "checkpoint").output
    delete(bops.data_dir, APPLICATION)
    delete(bops.data_dir, APPLICATION + ":documents")
    output = bops("verify-audit", "26-00001-HAPP", expect=1).output
    assert f"FAILED: stream {APPLICATION} version 1 event ?: missing" in output
    assert f"FAILED: stream {APPLICATION}:documents version 1 event ?: missing" in output


def test_without_checkpoints_the_command_says_what_goes_unnoticed(bops):
    output = bops("verify-audit").output
    assert "OK: 4 events in 3 streams verified" in output and "No audit checkpoints yet" in output
    bops("audit", "checkpoint")
    assert "No audit checkpoints yet" not in bops("verify-audit").output
    assert "Nothing changed since the last checkpoint" in bops("audit", "checkpoint").output


def test_a_checkpoint_is_refused_on_a_tampered_log_and_says_why(bops):
    with sqlite3.connect(bops.data_dir / "events.sqlite") as connection:
        connection.execute("UPDATE events SET hash = 'x' WHERE stream_id = 'council:LBH'")
    output = bops("audit", "checkpoint", expect=1).output
    assert "FAILED: stream council:LBH version 1" in output and "no checkpoint written" in output


@pytest.mark.parametrize("name", ["events.sqlite", "audit.sqlite"])
def test_a_file_that_is_not_a_database_is_reported_not_a_traceback(bops, name):
    bops("audit", "checkpoint")
    (bops.data_dir / name).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (bops.data_dir / (name + suffix)).unlink(missing_ok=True)
    output = bops("verify-audit", expect=1).output
    assert "cannot be read: file is not a database" in output


def test_a_secrets_file_others_can_read_is_reported(bops):
    bops("audit", "checkpoint")
    (bops.data_dir / "secrets.json").chmod(0o644)
    assert "other users could read it" in bops("verify-audit", expect=1).output
