"""The audit on DynamoDB (moto): `bops` run against a deployed council's tables, and random alterations of items."""

from __future__ import annotations

import itertools

import boto3
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bops.cli import main
from shared.clock import FrozenClock
from shared.eventstore.audit import audit, write_checkpoint
from shared.eventstore.checkpoints_dynamodb import DynamoDbCheckpointLog, checkpoint_table_spec
from shared.eventstore.dynamodb import DynamoDbEventStore
from shared.eventstore.dynamodb_table import create_event_table
from shared.secrets.memory import InMemorySecrets
from tests.eventstore.contract import T0, created, renamed

STREAMS = ["council:AAA", "council:BBB"]
TABLE_NUMBERS = itertools.count()
ATTRIBUTES = ["data", "prev_hash", "hash", "event_type", "council", "recorded_at"]


def build_log(client, suffix: str = "") -> DynamoDbEventStore:
    create_event_table(client, f"events{suffix}")
    client.create_table(**checkpoint_table_spec(f"audit{suffix}"))
    store = DynamoDbEventStore(f"events{suffix}", client=client, clock=FrozenClock(T0))
    store.append(STREAMS[0], 0, [created(), renamed("a1"), renamed("a2")])
    store.append(STREAMS[1], 0, [created(), renamed("b1")])
    return store


def test_bops_audits_a_deployed_councils_tables(aws, monkeypatch):
    client = boto3.client("dynamodb")
    build_log(client)
    for name, value in {
        "RUNTIME": "aws",
        "EVENT_TABLE": "events",
        "AUDIT_TABLE": "audit",
        "REGION": "eu-west-2",
    }.items():
        monkeypatch.setenv(f"BOPS_{name}", value)
    monkeypatch.setenv("BOPS_SECRETS_PREFIX", "bops/TEST/")
    runner = CliRunner()
    written = runner.invoke(main, ["audit", "checkpoint"])
    assert written.exit_code == 0 and "Checkpoint 1: 2 streams" in written.output, written.output
    assert "OK: 5 events in 2 streams verified against 1 checkpoints" in runner.invoke(main, ["verify-audit"]).output
    client.delete_item(TableName="events", Key={"stream_id": {"S": STREAMS[1]}, "version": {"N": "2"}})
    result = runner.invoke(main, ["verify-audit"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"FAILED: stream {STREAMS[1]} version 2 event ?: missing" in result.output
    refused = runner.invoke(main, ["audit", "checkpoint"])
    assert refused.exit_code == 1 and "no checkpoint written" in refused.output


dynamodb_values = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=20)),
    st.builds(lambda n: {"N": str(n)}, st.integers(-5, 10**6)),
    st.builds(lambda b: {"B": b}, st.binary(min_size=1, max_size=20)),
    st.just({"NULL": True}),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.builds(lambda items: {"L": [{"S": item} for item in items]}, st.lists(st.text(max_size=5), max_size=3)),
)


@pytest.fixture
def sealed(aws):
    """A log and its first checkpoint; each example alters a fresh copy of its items (tables are cheap in moto)."""
    client = boto3.client("dynamodb")
    store = build_log(client)
    secrets = InMemorySecrets()
    write_checkpoint(store, DynamoDbCheckpointLog("audit", client), secrets, "2026-03-02T10:00:00.000000Z")
    items = client.scan(TableName="events")["Items"]
    return client, items, secrets


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_item_alterations_are_detected_and_named(sealed, data):
    client, items, secrets = sealed
    table = f"events-{next(TABLE_NUMBERS)}"
    create_event_table(client, table)
    for item in items:
        client.put_item(TableName=table, Item=item)
    item = data.draw(st.sampled_from(items), label="item")
    key = {"stream_id": item["stream_id"], "version": item["version"]}
    stream_id = item["stream_id"]["S"]
    kind = data.draw(st.sampled_from(["set", "remove", "delete", "copy"]), label="kind")
    if kind == "set":
        attribute = data.draw(st.sampled_from(ATTRIBUTES), label="attribute")
        value = data.draw(dynamodb_values, label="value")
        assume(item.get(attribute) != value)
        client.put_item(TableName=table, Item={**item, attribute: value})
    elif kind == "remove":
        attribute = data.draw(st.sampled_from(ATTRIBUTES), label="attribute")
        client.put_item(TableName=table, Item={k: v for k, v in item.items() if k != attribute})
    elif kind == "delete":
        client.delete_item(TableName=table, Key=key)
    else:  # another event's content under this key (a reordering, as DynamoDB has no other order)
        other = data.draw(st.sampled_from([i for i in items if i is not item]), label="other")
        client.put_item(TableName=table, Item={**other, **key})
    store = DynamoDbEventStore(table, client=client)
    report = audit(store, DynamoDbCheckpointLog("audit", client), secrets)
    assert not report.ok
    assert any(bad.stream_id == stream_id for bad in report.problems), report.problems
