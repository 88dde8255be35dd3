"""Both checkpoint stores (a SQLite file, a DynamoDB table in moto) keep records append-only, in sequence order."""

from __future__ import annotations

import boto3
import pytest

from shared.eventstore.checkpoints import CheckpointConflict, StoredCheckpoint
from shared.eventstore.checkpoints_dynamodb import DynamoDbCheckpointLog, checkpoint_table_spec
from shared.eventstore.checkpoints_sqlite import SqliteCheckpointLog
from tests.aws_support import lean_client


@pytest.fixture(params=["sqlite", "dynamodb"])
def checkpoint_log(request, tmp_path):
    if request.param == "sqlite":
        yield SqliteCheckpointLog(tmp_path / "audit.sqlite")
        return
    request.getfixturevalue("aws")
    boto3.client("dynamodb").create_table(**checkpoint_table_spec("audit"))
    yield DynamoDbCheckpointLog("audit", lean_client("dynamodb"))


def test_records_come_back_in_sequence_order(checkpoint_log):
    assert checkpoint_log.records() == []
    for sequence in (1, 2, 3):
        checkpoint_log.append(sequence, f'{{"n": {sequence}}}', f"seal-{sequence}")
    assert checkpoint_log.records() == [StoredCheckpoint(n, f'{{"n": {n}}}', f"seal-{n}") for n in (1, 2, 3)]


def test_a_taken_sequence_is_never_overwritten(checkpoint_log):
    checkpoint_log.append(1, "{}", "first")
    with pytest.raises(CheckpointConflict, match="checkpoint 1"):
        checkpoint_log.append(1, "{}", "second")
    assert [record.seal for record in checkpoint_log.records()] == ["first"]


def test_many_records_are_all_read(checkpoint_log):
    body = "x" * 50_000  # enough records of this size to need more than one DynamoDB query page (1 MB)
    for sequence in range(1, 26):
        checkpoint_log.append(sequence, body, str(sequence))
    assert [record.sequence for record in checkpoint_log.records()] == list(range(1, 26))
