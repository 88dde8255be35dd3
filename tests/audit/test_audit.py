"""The audit and its checkpoints on both adapters: truncation is detected up to the last checkpoint, and named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from shared.clock import FrozenClock
from shared.eventstore.audit import AuditFailed, audit, write_checkpoint
from shared.eventstore.checkpoints import HEAD_SECRET, KEY_SECRET, NO_CHECKPOINT_YET
from shared.eventstore.checkpoints_dynamodb import DynamoDbCheckpointLog, checkpoint_table_spec
from shared.eventstore.checkpoints_sqlite import SqliteCheckpointLog
from shared.eventstore.dynamodb import DynamoDbEventStore
from shared.eventstore.dynamodb_table import create_event_table
from shared.eventstore.port import CHECKPOINTS, WHOLE_LOG
from shared.eventstore.sqlite import SqliteEventStore
from shared.secrets.memory import InMemorySecrets
from tests.aws_support import lean_client
from tests.eventstore.contract import T0, created, renamed

NOW = "2026-03-02T10:00:00.000000Z"


@dataclass
class Log:
    """An event store, its checkpoint log and secrets, and a way to remove events behind their backs."""

    store: Any
    checkpoints: Any
    secrets: InMemorySecrets
    kind: str

    def delete(self, stream_id: str, version: int) -> None:
        if self.kind == "sqlite":
            self.store._connection().execute(
                "DELETE FROM events WHERE stream_id = ? AND version = ?", (stream_id, version)
            )
        else:
            key = {"stream_id": {"S": stream_id}, "version": {"N": str(version)}}
            boto3.client("dynamodb").delete_item(TableName=self.store.table_name, Key=key)

    def audit(self, stream_ids=None):
        return audit(self.store, self.checkpoints, self.secrets, stream_ids)

    def checkpoint(self):
        return write_checkpoint(self.store, self.checkpoints, self.secrets, NOW)


@pytest.fixture(params=["sqlite", "dynamodb"])
def log(request, tmp_path) -> Log:
    clock = FrozenClock(T0)
    if request.param == "sqlite":
        return Log(
            SqliteEventStore(tmp_path / "events.sqlite", clock=clock),
            SqliteCheckpointLog(tmp_path / "audit.sqlite"),
            InMemorySecrets(),
            "sqlite",
        )
    request.getfixturevalue("aws")
    create_event_table(boto3.client("dynamodb"), "events")
    boto3.client("dynamodb").create_table(**checkpoint_table_spec("audit"))
    client = lean_client("dynamodb")
    store = DynamoDbEventStore("events", client=client, clock=clock)
    return Log(store, DynamoDbCheckpointLog("audit", client), InMemorySecrets(), "dynamodb")


def three_streams(log: Log) -> None:
    log.store.append("council:AAA", 0, [created(), renamed("a"), renamed("b")])
    log.store.append("council:BBB", 0, [created()])
    log.store.append("council:CCC", 0, [created(), renamed("c")])


def named(report) -> set[tuple[str, int]]:
    return {(bad.stream_id, bad.version) for bad in report.problems}


def test_an_untouched_log_passes_with_and_without_checkpoints(log):
    three_streams(log)
    report = log.audit()
    assert report.ok and report.events_checked == 6 and report.streams_checked == 3 and report.checkpoints == 0
    [checkpoint] = log.checkpoint()
    assert checkpoint.sequence == 1 and set(checkpoint.streams) == {"council:AAA", "council:BBB", "council:CCC"}
    assert (checkpoint.log is not None) == (log.kind == "sqlite")
    assert log.audit().ok and log.audit().checkpoints == 1
    assert log.checkpoint() == []  # nothing changed: nothing written


def test_a_deployments_placeholder_head_means_no_checkpoint_yet_and_is_then_replaced(log):
    """The stack creates the head secret as "no checkpoint yet": the first checkpoint is written and replaces it."""
    three_streams(log)
    log.secrets.put(HEAD_SECRET, NO_CHECKPOINT_YET)
    assert log.audit().ok
    [first] = log.checkpoint()
    assert log.secrets.get(HEAD_SECRET) == f"1:{first.seal}" and log.audit().ok


def test_a_head_put_back_to_the_placeholder_after_checkpoints_is_named(log):
    three_streams(log)
    log.checkpoint()
    log.secrets.put(HEAD_SECRET, NO_CHECKPOINT_YET)
    assert (CHECKPOINTS, 0) in named(log.audit())


def test_the_next_checkpoint_records_only_what_changed(log):
    three_streams(log)
    log.checkpoint()
    log.store.append("council:BBB", 1, [renamed("b2")])
    [second] = log.checkpoint()
    assert second.sequence == 2 and set(second.streams) == {"council:BBB"} and second.streams["council:BBB"][0] == 2
    assert log.audit().ok


def test_the_last_event_of_a_stream_removed_after_a_checkpoint_is_named(log):
    three_streams(log)
    log.checkpoint()
    log.delete("council:AAA", 3)
    report = log.audit()
    assert ("council:AAA", 3) in named(report)


def test_a_whole_stream_removed_after_a_checkpoint_is_named(log):
    three_streams(log)
    log.checkpoint()
    log.delete("council:CCC", 1)
    log.delete("council:CCC", 2)
    report = log.audit()
    assert ("council:CCC", 1) in named(report)
    assert all(bad.stream_id in ("council:CCC", WHOLE_LOG) for bad in report.problems)


def test_a_checkpoint_is_refused_on_a_tampered_log(log):
    three_streams(log)
    log.checkpoint()
    log.store.append("council:AAA", 3, [renamed("d")])
    log.delete("council:AAA", 3)  # a gap in a stream that changed since
    with pytest.raises(AuditFailed) as failed:
        log.checkpoint()
    assert ("council:AAA", 3) in {(bad.stream_id, bad.version) for bad in failed.value.problems}
    assert len(log.checkpoints.records()) == 1


def test_a_stream_truncated_then_extended_back_to_its_length_fails_its_anchor(log):
    three_streams(log)
    log.checkpoint()
    log.delete("council:AAA", 3)
    log.store.append("council:AAA", 2, [renamed("rewritten")])  # the same version number, another event
    report = log.audit()
    assert any(bad.stream_id == "council:AAA" and bad.version == 3 for bad in report.problems)


def test_truncation_after_the_last_checkpoint_is_not_detected(log):
    """The documented limit: events newer than the last checkpoint are pinned by nothing yet."""
    three_streams(log)
    log.checkpoint()
    log.store.append("council:AAA", 3, [renamed("later")])
    log.delete("council:AAA", 4)
    assert log.audit().ok


def test_removed_or_forged_checkpoints_are_named(log):
    three_streams(log)
    log.checkpoint()
    log.store.append("council:BBB", 1, [renamed("b2")])
    log.checkpoint()
    log.store.append("council:BBB", 2, [renamed("b3")])
    log.checkpoint()
    records = log.checkpoints.records()

    def rebuild(kept):
        name = "audit-" + "-".join(str(record.sequence) for record in kept)
        if log.kind == "sqlite":
            fresh = SqliteCheckpointLog(log.store.path.with_name(f"{name}.sqlite"))
        else:
            boto3.client("dynamodb").create_table(**checkpoint_table_spec(name))
            fresh = DynamoDbCheckpointLog(name, lean_client("dynamodb"))
        for number, record in enumerate(kept, start=1):
            fresh.append(number, record.body, record.seal)
        return audit(log.store, fresh, log.secrets)

    # the newest removed: the head noted in the secrets store says so
    assert (CHECKPOINTS, 3) in named(rebuild(records[:2]))
    # one in the middle removed (renumbered or not, the links break)
    assert (CHECKPOINTS, 2) in named(rebuild([records[0], records[2]]))


def test_a_checkpoint_changed_without_the_key_is_named(log, tmp_path):
    three_streams(log)
    log.checkpoint()
    [record] = log.checkpoints.records()
    forged = SqliteCheckpointLog(tmp_path / "forged.sqlite")
    forged.append(1, record.body.replace('"council:AAA":[3', '"council:AAA":[2'), record.seal)
    report = audit(log.store, forged, log.secrets)
    assert (CHECKPOINTS, 1) in named(report) and "seal does not match" in report.problems[0].reason


def test_checkpoints_without_their_key_are_named(log):
    three_streams(log)
    log.checkpoint()
    log.secrets.delete(KEY_SECRET)
    log.secrets.delete(HEAD_SECRET)
    report = log.audit()
    assert (CHECKPOINTS, 1) in named(report) and "key is missing" in report.problems[0].reason


def test_one_applications_streams_are_checked_against_their_anchors(log):
    three_streams(log)
    log.checkpoint()
    log.delete("council:AAA", 3)
    assert log.audit(["council:BBB"]).ok
    assert ("council:AAA", 3) in named(log.audit(["council:AAA"]))


def test_many_streams_are_split_over_several_checkpoint_records(log, monkeypatch):
    monkeypatch.setattr("shared.eventstore.audit.MAX_STREAMS_PER_CHECKPOINT", 2)
    three_streams(log)
    written = log.checkpoint()
    assert [len(checkpoint.streams) for checkpoint in written] == [2, 1]
    assert [checkpoint.log is not None for checkpoint in written] == [False, log.kind == "sqlite"]
    assert log.audit().ok and log.audit().checkpoints == 2
