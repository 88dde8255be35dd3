"""The DynamoDB checkpoint job reads only what moved since the last checkpoint (moto, requests counted).

The moved-streams read model (`services.assessment.moved_streams`, kept by a subscriber to every event) notes each
stream whose head moved; the job reads those streams from their sealed heads on, the newest checkpoint and those
streams' sealed heads, never every stream's head nor the whole checkpoint trail.
"""

from __future__ import annotations

from collections import Counter

import boto3
import orjson
import pytest

from services.assessment.moved_streams import MOVED_STREAMS_READ_MODEL, NotedMovedStreams, note
from shared.clock import FrozenClock
from shared.eventstore.audit import AuditFailed, audit, write_checkpoint
from shared.eventstore.checkpoints_dynamodb import DynamoDbCheckpointLog, checkpoint_table_spec
from shared.eventstore.dynamodb import DynamoDbEventStore
from shared.eventstore.dynamodb_table import create_event_table
from shared.eventstore.port import chain_hash
from shared.projections.dynamodb_store import DynamoDbReadModelStore, create_read_model_table
from shared.secrets.memory import InMemorySecrets
from tests.eventstore.contract import T0, created, renamed

STREAMS = [f"council:C{number:02d}" for number in range(30)]


class Council:
    """A deployed council's tables on moto: the log, the audit table, the read models and the secrets."""

    def __init__(self) -> None:
        self.client = boto3.client("dynamodb")
        create_event_table(self.client, "events")
        self.client.create_table(**checkpoint_table_spec("audit"))
        create_read_model_table(self.client, "read-models")
        self.store = DynamoDbEventStore("events", client=self.client, clock=FrozenClock(T0))
        self.read_models = DynamoDbReadModelStore("read-models", self.client)
        self.checkpoints = DynamoDbCheckpointLog("audit", self.client)
        self.secrets = InMemorySecrets()
        self.calls: Counter[tuple[str, str]] = Counter()  # (operation, table) -> requests
        self.items_read: Counter[str] = Counter()  # table -> items returned by queries
        self.client.meta.events.register("provide-client-params.dynamodb.*", self._count)
        self.client.meta.events.register("after-call.dynamodb.Query", self._count_items)

    def _count(self, params, model, **_):
        self.calls[(model.name, params.get("TableName", "?"))] += 1
        self._table = params.get("TableName", "?")

    def _count_items(self, parsed, **_):
        self.items_read[self._table] += len(parsed.get("Items", []))

    def append(self, stream_id: str, *events) -> None:
        """Append and note the new events, as the subscriber does for each bus message."""
        for event in self.store.append(stream_id, self.store.stream_version(stream_id), list(events)):
            note(self.read_models, event)

    def checkpoint(self, at: str = "2026-03-02T10:00:00.000000Z"):
        self.calls.clear()
        self.items_read.clear()
        moved = NotedMovedStreams(self.read_models)
        return write_checkpoint(self.store, self.checkpoints, self.secrets, at, moved)

    def audit(self):
        return audit(self.store, self.checkpoints, self.secrets)


@pytest.fixture
def council(aws) -> Council:
    council = Council()
    for stream_id in STREAMS:
        council.append(stream_id, created(), renamed("a"))
    [first] = council.checkpoint()
    assert len(first.streams) == len(STREAMS)
    return council


def test_a_checkpoint_reads_only_the_streams_that_moved_and_the_newest_checkpoint(council):
    council.append(STREAMS[3], renamed("b"))
    council.append(STREAMS[7], renamed("c"), renamed("d"))
    [second] = council.checkpoint()
    calls, items_read = dict(council.calls), dict(council.items_read)
    # Two moved streams: one query each on the log (none on its streams index), from their sealed heads on.
    assert calls[("Query", "events")] == 2
    assert items_read["events"] == 2 + 3  # each sealed head's event and what came after it
    # The trail: only the newest checkpoint (one query of one item) and the two streams' sealed heads.
    assert calls[("Query", "audit")] == 1 and items_read["audit"] == 1
    assert calls[("GetItem", "audit")] == 2
    heads = council.store.stream_heads()
    assert second.sequence == 2
    assert second.streams == {STREAMS[3]: heads[STREAMS[3]], STREAMS[7]: heads[STREAMS[7]]}
    assert council.audit().ok


def test_the_notes_of_sealed_heads_are_taken_away(council):
    assert dict(council.read_models.documents(MOVED_STREAMS_READ_MODEL)) == {}
    council.append(STREAMS[0], renamed("b"))
    assert dict(council.read_models.documents(MOVED_STREAMS_READ_MODEL)) == {STREAMS[0]: {"version": 3}}
    council.checkpoint()
    assert dict(council.read_models.documents(MOVED_STREAMS_READ_MODEL)) == {}
    assert council.checkpoint() == []  # nothing moved: nothing read of the log, nothing written
    assert council.calls[("Query", "events")] == 0


def test_a_changed_event_at_a_sealed_head_is_refused(council):
    item = council.client.get_item(TableName="events", Key={"stream_id": {"S": STREAMS[5]}, "version": {"N": "2"}})
    data = orjson.loads(item["Item"]["data"]["S"])
    data["payload"]["changes"]["name"] = "forged"
    council.client.put_item(TableName="events", Item={**item["Item"], "data": {"S": orjson.dumps(data).decode()}})
    council.append(STREAMS[5], renamed("b"))
    with pytest.raises(AuditFailed) as refused:
        council.checkpoint()
    assert [(bad.stream_id, bad.version) for bad in refused.value.problems] == [(STREAMS[5], 2)]


def test_a_forged_sealed_head_is_refused(council):
    council.client.update_item(
        TableName="audit",
        Key={"chain": {"S": f"head:{STREAMS[2]}"}, "sequence": {"N": "0"}},
        UpdateExpression="SET body = :body",
        ExpressionAttributeValues={
            ":body": {"S": orjson.dumps({"checkpoint": 1, "hash": "x", "head_of": STREAMS[2], "version": 1}).decode()}
        },
    )
    council.append(STREAMS[2], renamed("b"))
    with pytest.raises(AuditFailed) as refused:
        council.checkpoint()
    assert "sealed head" in refused.value.problems[0].reason


def test_a_removed_newest_checkpoint_is_refused(council):
    council.append(STREAMS[1], renamed("b"))
    council.checkpoint()
    council.client.delete_item(TableName="audit", Key={"chain": {"S": "checkpoints"}, "sequence": {"N": "2"}})
    council.append(STREAMS[1], renamed("c"))
    with pytest.raises(AuditFailed) as refused:
        council.checkpoint()
    assert "missing" in refused.value.problems[0].reason


def test_a_head_sealed_from_a_rolled_back_index_entry_fails_the_full_audit(council):
    """An insider who can write the audit table and the log but not read the key puts back an older sealed head and
    rewrites the events after it: the job then seals the rewritten head, but `verify-audit` checks every head any
    checkpoint recorded, so the rewrite is found."""
    stream_id = STREAMS[4]
    head_key = {"chain": {"S": f"head:{stream_id}"}, "sequence": {"N": "0"}}
    older_entry = council.client.get_item(TableName="audit", Key=head_key)["Item"]  # sealed at version 2
    council.append(stream_id, renamed("genuine"))
    council.checkpoint()  # seals version 3
    council.client.put_item(TableName="audit", Item=older_entry)
    key = {"stream_id": {"S": stream_id}, "version": {"N": "3"}}
    item = council.client.get_item(TableName="events", Key=key)["Item"]
    data = orjson.loads(item["data"]["S"])
    data["payload"]["changes"]["name"] = "rewritten"
    text = orjson.dumps(data).decode()
    rewritten_hash = chain_hash(item["prev_hash"]["S"], text.encode())
    council.client.put_item(TableName="events", Item={**item, "data": {"S": text}, "hash": {"S": rewritten_hash}})
    council.store = DynamoDbEventStore("events", client=council.client, clock=FrozenClock(T0))  # no cached heads
    council.append(stream_id, renamed("after"))
    council.checkpoint()  # verified from the rolled-back head: the rewrite chains on from it
    report = council.audit()
    assert [(bad.stream_id, bad.version) for bad in report.problems] == [(stream_id, 3)]
    assert "not the event checkpoint 2 recorded" in report.problems[0].reason
