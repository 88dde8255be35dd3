"""SQLite's log-wide chain: each row's log hash covers the previous row's, so any row removed, added or moved before
the newest one is detected without any checkpoint; a log from before the chain is chained on opening."""

from __future__ import annotations

import pytest

from shared.clock import FrozenClock
from shared.eventstore.port import WHOLE_LOG
from shared.eventstore.sqlite import SqliteEventStore
from tests.eventstore.contract import T0, created, renamed


@pytest.fixture
def store(tmp_path) -> SqliteEventStore:
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=FrozenClock(T0))
    store.append("council:AAA", 0, [created(), renamed("a")])
    store.append("council:BBB", 0, [created()])
    store.append("council:AAA", 2, [renamed("b")])
    return store


def sql(store: SqliteEventStore, statement: str, *params) -> list[tuple]:
    return store._connection().execute(statement, params).fetchall()


def test_an_untouched_log_is_in_chain(store):
    result = store.verify_log()
    assert result.first_bad is None and result.rows_checked == 4
    assert result.stream_ids == {"council:AAA", "council:BBB"}
    assert store.log_head() == tuple(sql(store, "SELECT position, log_hash FROM events WHERE position = 4")[0])


def test_a_streams_last_event_removed_is_detected_without_a_checkpoint(store):
    sql(store, "DELETE FROM events WHERE stream_id = 'council:BBB'")  # the whole stream: its only event
    assert store.verify("council:BBB").ok  # the stream chain alone sees nothing
    bad = store.verify_log().first_bad
    assert (bad.stream_id, bad.version) == ("council:AAA", 3) and "position 4" in bad.reason


def test_two_rows_swapped_are_detected(store):
    rows = sql(store, "SELECT * FROM events WHERE position IN (2, 3) ORDER BY position")
    sql(store, "DELETE FROM events WHERE position IN (2, 3)")
    sql(store, "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", 2, *rows[1][1:])
    sql(store, "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", 3, *rows[0][1:])
    bad = store.verify_log().first_bad
    assert (bad.stream_id, bad.version) == ("council:BBB", 1) and "log position 2" in bad.reason


def test_a_row_moved_to_a_later_position_is_detected(store):
    sql(store, "UPDATE events SET position = 10 WHERE position = 4")
    assert store.verify_log().first_bad.stream_id == "council:AAA"


def test_the_newest_rows_removed_after_a_checkpoint_are_detected(store):
    head = store.log_head()
    sql(store, "DELETE FROM events WHERE position = 4")
    assert store.verify_log().first_bad is None  # nothing after it to break
    bad = store.verify_log(anchor=head).first_bad
    assert bad.stream_id == WHOLE_LOG and "ends at position 3" in bad.reason and "position 4" in bad.reason


def test_a_row_belonging_to_no_stream_is_detected(store):
    sql(store, "UPDATE events SET stream_id = x'00' WHERE position = 4")
    bad = store.verify_log().first_bad
    assert bad.version == 3 and "stored stream_id is bytes" in bad.reason


def test_checking_from_a_checkpointed_head_reads_only_newer_rows(store):
    head = store.log_head()
    store.append("council:BBB", 1, [renamed("c")])
    result = store.verify_log(after=head)
    assert result.first_bad is None and result.rows_checked == 1 and result.stream_ids == {"council:BBB"}
    assert store.changed_stream_heads(head[0], store.log_head()[0]) == {
        "council:BBB": (2, store.read_last("council:BBB").hash)
    }
    sql(store, "UPDATE events SET log_hash = 'x' WHERE position = ?", head[0])
    assert "removed or changed" in store.verify_log(after=head).first_bad.reason


def test_a_log_from_before_the_chain_is_chained_when_opened(store, tmp_path):
    before = sql(store, "SELECT position, log_hash FROM events ORDER BY position")
    sql(store, "ALTER TABLE events DROP COLUMN log_hash")
    store.close()
    reopened = SqliteEventStore(tmp_path / "events.sqlite", clock=FrozenClock(T0))
    assert sql(reopened, "SELECT position, log_hash FROM events ORDER BY position") == before
    assert reopened.verify_log().first_bad is None and reopened.verify("council:AAA").ok
    reopened.append("council:BBB", 1, [renamed("after the upgrade")])
    assert reopened.verify_log().first_bad is None


def test_one_row_without_its_log_hash_is_not_re_chained_but_reported(store, tmp_path):
    sql(store, "UPDATE events SET log_hash = NULL WHERE position = 2")
    store.close()
    reopened = SqliteEventStore(tmp_path / "events.sqlite", clock=FrozenClock(T0))
    assert reopened.verify_log().first_bad.version == 2
