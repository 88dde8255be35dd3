from __future__ import annotations

from uuid import uuid4

import boto3
import orjson
import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from events import Actor, NewEvent
from events.council import CouncilCreated
from shared.clock import FrozenClock
from shared.eventstore import ConcurrencyError, StreamAppend
from shared.eventstore.dynamodb import DynamoDbEventStore, recorded_event_from_image
from shared.eventstore.dynamodb_table import (
    DATA,
    STREAM_KEY,
    STREAM_START,
    STREAMS_INDEX,
    create_event_table,
    event_table_spec,
)
from tests.aws_support import lean_client
from tests.eventstore.contract import T0, EventStoreContract, created, renamed

TABLE = "events"


def new_store(clock: FrozenClock | None = None) -> DynamoDbEventStore:
    create_event_table(boto3.client("dynamodb"), TABLE)
    return DynamoDbEventStore(TABLE, client=lean_client("dynamodb"), clock=clock or FrozenClock(T0))


def stored_item(store: DynamoDbEventStore, stream_id: str, version: int) -> dict:
    key = {"stream_id": {"S": stream_id}, "version": {"N": str(version)}}
    return store.client.get_item(TableName=store.table_name, Key=key, ConsistentRead=True)["Item"]


class TestDynamoDbEventStore(EventStoreContract):
    @pytest.fixture(autouse=True)
    def _aws(self, aws):
        yield

    def make_store(self, clock):
        return new_store(clock)

    def other_store(self, store):
        return DynamoDbEventStore(store.table_name, client=lean_client("dynamodb"), clock=self.clock)

    def stored_bytes(self, store, stream_id, version):
        return stored_item(store, stream_id, version)[DATA]["S"].encode("utf-8")

    def delete_event(self, store, stream_id, version):
        boto3.client("dynamodb").delete_item(
            TableName=store.table_name, Key={"stream_id": {"S": stream_id}, "version": {"N": str(version)}}
        )

    def rewrite(self, store, stream_id, version, data, prev_hash, hash_):
        for column, value in (("data", data.decode()), ("prev_hash", prev_hash), ("hash", hash_)):
            self.store_raw(store, stream_id, version, column, {"S": value})

    def store_raw(self, store, stream_id, version, column, value):
        boto3.client("dynamodb").update_item(
            TableName=store.table_name,
            Key={"stream_id": {"S": stream_id}, "version": {"N": str(version)}},
            UpdateExpression="SET #column = :value",
            ExpressionAttributeNames={"#column": column},
            ExpressionAttributeValues={":value": value},
        )

    def foreign_values(self, data):
        # the same bytes as a binary attribute, a number, a list, a boolean, a string set
        return [{"B": data}, {"N": "42"}, {"L": [{"S": data.decode()}]}, {"BOOL": True}, {"SS": ["a", "b"]}]

    def tamper(self, store, stream_id, version, data):
        boto3.client("dynamodb").update_item(
            TableName=store.table_name,
            Key={"stream_id": {"S": stream_id}, "version": {"N": str(version)}},
            UpdateExpression="SET #data = :data",
            ExpressionAttributeNames={"#data": DATA},
            ExpressionAttributeValues={":data": {"S": data.decode("utf-8")}},
        )


@pytest.fixture
def store(aws) -> DynamoDbEventStore:
    return new_store()


@pytest.fixture
def stream() -> str:
    return f"council:T{uuid4().hex[:8]}"


def count_calls(client, *names: str) -> dict[str, int]:
    """Wrap some client methods to count their calls (the wrapped method still runs).

    A method the (lean) client lacks cannot be called by the adapter: it is left out and stays at none.
    """
    counts = dict.fromkeys(names, 0)
    for name in names:
        method = getattr(client, name, None)
        if method is None:
            continue

        def counted(*args, _name=name, _method=method, **kwargs):
            counts[_name] += 1
            return _method(*args, **kwargs)

        setattr(client, name, counted)
    return counts


def test_a_batch_is_one_transaction_and_never_a_batch_write(store, stream):
    counts = count_calls(store.client, "transact_write_items", "put_item", "batch_write_item")
    store.append(stream, 0, [created(), renamed("a"), renamed("b")])
    assert counts == {"transact_write_items": 1, "put_item": 0, "batch_write_item": 0}
    store.append(stream, 3, [renamed("c")])
    assert counts == {"transact_write_items": 1, "put_item": 1, "batch_write_item": 0}


def test_more_than_a_transaction_holds_is_refused_before_writing(store, stream):
    with pytest.raises(ValueError, match="at most 100"):
        store.append(stream, 0, [created()] + [renamed(str(i)) for i in range(100)])
    assert store.stream_version(stream) == 0
    store.append(stream, 0, [created()] + [renamed(str(i)) for i in range(99)])
    assert store.stream_version(stream) == 100
    assert store.verify(stream).events_checked == 100


def rival_gets_in_first(store: DynamoDbEventStore, rival: DynamoDbEventStore, stream: str, events: list[NewEvent]):
    """After the store reads the stream's head (and before it writes), the rival appends `events` at that head."""
    query = store.client.query

    def query_then_rival_appends(**kwargs):
        response = query(**kwargs)
        store.client.query = query
        rival.append(stream, rival.stream_version(stream), events)
        return response

    store.client.query = query_then_rival_appends


@pytest.mark.parametrize("head_seen", [False, True], ids=["head-read", "head-seen"])
@pytest.mark.parametrize("batch", [1, 3], ids=["put", "transaction"])
def test_an_append_that_loses_the_race_raises_concurrency_error(store, stream, batch, head_seen):
    rival = DynamoDbEventStore(TABLE, client=boto3.client("dynamodb"), clock=FrozenClock(T0))
    if head_seen:  # the store wrote version 1 itself, so it appends without reading the head: the write must fail
        store.append(stream, 0, [created()])
        rival.append(stream, 1, [renamed("rival")])
    else:  # a store that has not seen the stream reads its head; the rival appends between that read and the write
        rival.append(stream, 0, [created()])
        rival_gets_in_first(store, rival, stream, [renamed("rival")])
    with pytest.raises(ConcurrencyError) as raised:
        store.append(stream, 1, [renamed(f"mine {i}") for i in range(batch)])
    assert raised.value.stream_id == stream
    assert raised.value.expected_version == 1
    assert any("version 2" in note for note in raised.value.__notes__)
    assert [e.payload.changes.name for e in store.read(stream, from_version=2)] == ["rival"]
    assert store.verify(stream).ok


def test_a_retried_put_that_was_already_written_succeeds(store, stream):
    """botocore retries a PutItem whose response was lost: the second attempt finds the event itself."""
    put = store.client.put_item

    def written_but_response_lost(**kwargs):
        put(**kwargs)
        return put(**kwargs)

    store.client.put_item = written_but_response_lost
    [event] = store.append(stream, 0, [created()])
    assert store.read(stream)[0].hash == event.hash
    assert store.stream_version(stream) == 1


def test_only_first_events_are_in_the_streams_index(store, stream):
    store.append(stream, 0, [created(), renamed("a")])
    store.append(stream + ":documents", 0, [renamed("d")])
    store.append(stream, 2, [renamed("b")])
    index = boto3.client("dynamodb").scan(TableName=TABLE, IndexName=STREAMS_INDEX)["Items"]
    assert sorted((item["stream_id"]["S"], item["version"]["N"]) for item in index) == [
        (stream, "1"),
        (stream + ":documents", "1"),
    ]
    assert {item[STREAM_START]["S"] for item in index} == {"streams"}
    assert [item[STREAM_KEY]["S"] for item in index] == sorted(item["stream_id"]["S"] for item in index)
    assert STREAM_START not in stored_item(store, stream, 2)
    assert list(store.stream_ids("council:")) == [stream, stream + ":documents"]
    assert list(store.stream_ids("application:")) == []


def test_stored_data_is_the_canonical_bytes_byte_for_byte(store, stream):
    name = "Cyngor Sir Ynys M\u00f4n \u2013 \u201cAnglesey\u201d"  # multi-byte UTF-8 must survive as it is
    welsh = NewEvent(CouncilCreated(code="DEMO", name=name, slug="demo"), "DEMO", Actor.system(), T0)
    [event] = store.append(stream, 0, [welsh])
    item = stored_item(store, stream, 1)
    data = item[DATA]["S"].encode("utf-8")
    assert orjson.loads(data)["payload"]["name"] == name
    assert store.verify(stream).ok
    assert item["hash"]["S"] == event.hash
    assert item["recorded_at"]["S"] == orjson.loads(data)["recorded_at"] == "2026-03-02T09:30:00.000000Z"
    assert item["council"]["S"] == "DEMO" and item["event_type"]["S"] == "CouncilCreated"


def test_verify_notices_a_changed_attribute_beside_the_bytes(store, stream):
    store.append(stream, 0, [created(), renamed("a")])
    boto3.client("dynamodb").update_item(
        TableName=TABLE,
        Key={"stream_id": {"S": stream}, "version": {"N": "2"}},
        UpdateExpression="SET council = :other",
        ExpressionAttributeValues={":other": {"S": "OTHER"}},
    )
    result = store.verify(stream)
    assert not result.ok and result.first_bad.version == 2 and "council" in result.first_bad.reason


def test_reads_page_through_long_streams(store, stream):
    big = "x" * 200_000  # about 200 KB an event: a 1 MB query page holds only a few
    store.append(stream, 0, [created()] + [renamed(f"{i}{big}") for i in range(9)])
    counts = count_calls(store.client, "query")
    assert [e.version for e in store.read(stream)] == list(range(1, 11))
    assert counts["query"] > 1
    assert store.verify(stream).events_checked == 10


def test_recorded_event_from_a_stream_image_round_trips(store, stream):
    [_, second] = store.append(stream, 0, [created(), renamed("piped")])
    item = stored_item(store, stream, 2)
    plain = {name: TypeDeserializer().deserialize(value) for name, value in item.items()}
    new_image = {name: TypeSerializer().serialize(value) for name, value in plain.items()}
    record = {"eventName": "INSERT", "eventSource": "aws:dynamodb", "dynamodb": {"NewImage": new_image}}
    event = recorded_event_from_image(record["dynamodb"]["NewImage"])
    assert event == store.read(stream, from_version=2)[0]
    assert event.event_id == second.event_id and event.hash == second.hash and event.position is None
    assert event.payload.changes.name == "piped"


def test_table_spec_is_the_documented_layout():
    spec = event_table_spec("t")
    assert spec["TableName"] == "t" and spec["BillingMode"] == "PAY_PER_REQUEST"
    assert spec["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert [k["AttributeName"] for k in spec["KeySchema"]] == ["stream_id", "version"]
    [index] = spec["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "streams" and index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert event_table_spec("t") is not event_table_spec("t")


def test_an_append_reads_the_head_only_when_it_has_not_seen_it(store, stream):
    """Events never change, so the hash of a version this store has read or written links the next append."""
    counts = count_calls(store.client, "query")
    store.append(stream, 0, [created()])  # a new stream starts from the genesis hash
    store.append(stream, 1, [renamed("a")])  # version 1 was written by this store
    assert counts["query"] == 0
    other = DynamoDbEventStore(TABLE, client=store.client, clock=FrozenClock(T0))
    other.append(stream, 2, [renamed("b")])  # never seen: one read of the head
    assert counts["query"] == 1
    other.read(stream)
    store.read(stream, from_version=3)  # the store now knows version 3
    counts["query"] = 0
    store.append(stream, 3, [renamed("c")])
    assert counts["query"] == 0
    with pytest.raises(ConcurrencyError):
        other.append(stream, 3, [renamed("late")])  # it saw version 3, so it writes 4 blind: the condition refuses
    assert [e.payload.changes.name for e in store.read(stream, from_version=3)] == ["b", "c"]
    assert store.verify(stream).ok


def test_append_streams_is_one_transaction_or_one_put(store, stream):
    counts = count_calls(store.client, "transact_write_items", "put_item", "batch_write_item", "query")
    store.append_streams([StreamAppend(stream, 0, [created()]), StreamAppend(stream + ":documents", 0, [renamed("d")])])
    assert counts == {"transact_write_items": 1, "put_item": 0, "batch_write_item": 0, "query": 0}
    store.append_streams([StreamAppend(stream, 1, [renamed("a")])])
    assert counts == {"transact_write_items": 1, "put_item": 1, "batch_write_item": 0, "query": 0}


def test_append_streams_reads_only_the_heads_it_has_not_seen(store, stream):
    other, third = stream + ":documents", stream + ":notes"
    rival = DynamoDbEventStore(TABLE, client=boto3.client("dynamodb"), clock=FrozenClock(T0))
    store.append(stream, 0, [created()])
    rival.append(other, 0, [renamed("d")])
    counts = count_calls(store.client, "query")
    store.append_streams(
        [
            StreamAppend(stream, 1, [renamed("a")]),
            StreamAppend(other, 1, [renamed("e")]),
            StreamAppend(third, 0, [renamed("n")]),
        ]
    )
    assert counts["query"] == 1  # the head of `other`; `stream` was written by this store and `third` is new
    store.append_streams([StreamAppend(other, 2, [renamed("f")]), StreamAppend(third, 1, [renamed("o")])])
    assert counts["query"] == 1  # both were written by the last append
    assert all(store.verify(name).ok for name in (stream, other, third))


def test_more_than_a_transaction_holds_across_streams_is_refused_before_writing(store, stream):
    other = stream + ":documents"
    counts = count_calls(store.client, "transact_write_items", "put_item", "query")
    too_many = [
        StreamAppend(stream, 0, [created()] + [renamed(str(i)) for i in range(59)]),
        StreamAppend(other, 0, [renamed(str(i)) for i in range(41)]),
    ]
    with pytest.raises(ValueError, match="at most 100"):
        store.append_streams(too_many)
    assert counts == {"transact_write_items": 0, "put_item": 0, "query": 0}
    assert store.stream_version(stream) == 0 and store.stream_version(other) == 0
    store.append_streams([too_many[0], StreamAppend(other, 0, [renamed(str(i)) for i in range(40)])])
    assert (store.stream_version(stream), store.stream_version(other)) == (60, 40)


def test_more_bytes_than_a_transaction_holds_across_streams_is_refused_before_writing(store, stream):
    other = stream + ":documents"
    big = "x" * 200_000  # 21 events of about 200 KB: more than the 4 MB a transaction takes
    counts = count_calls(store.client, "transact_write_items")
    with pytest.raises(ValueError, match="bytes"):
        store.append_streams(
            [
                StreamAppend(stream, 0, [renamed(f"{i}{big}") for i in range(11)]),
                StreamAppend(other, 0, [renamed(f"{i}{big}") for i in range(10)]),
            ]
        )
    assert counts["transact_write_items"] == 0
    assert store.stream_version(stream) == 0 and store.stream_version(other) == 0


def test_append_streams_losing_the_race_after_reading_the_heads(store, stream):
    """The rival appends between this store's read of the head and its transaction: the failing stream is named."""
    other = stream + ":documents"
    rival = DynamoDbEventStore(TABLE, client=boto3.client("dynamodb"), clock=FrozenClock(T0))
    rival.append(stream, 0, [created()])
    rival_gets_in_first(store, rival, stream, [renamed("rival")])
    with pytest.raises(ConcurrencyError) as raised:
        store.append_streams([StreamAppend(other, 0, [renamed("d")]), StreamAppend(stream, 1, [renamed("mine")])])
    assert raised.value.stream_id == stream and raised.value.expected_version == 1
    assert any("version 2" in note for note in raised.value.__notes__)
    assert store.read(other) == [] and [e.payload.changes.name for e in store.read(stream, from_version=2)] == ["rival"]


def test_read_last_is_one_strongly_consistent_query(store, stream):
    store.append(stream, 0, [created()] + [renamed(str(i)) for i in range(20)])
    calls: list[dict] = []
    query = store.client.query

    def recorded_query(**kwargs):
        calls.append(kwargs)
        return query(**kwargs)

    store.client.query = recorded_query
    last = store.read_last(stream)
    [call] = calls
    assert call["ConsistentRead"] is True and call["ScanIndexForward"] is False and call["Limit"] == 1
    assert last.version == 21 and last.hash == stored_item(store, stream, 21)["hash"]["S"]
    assert store.read_last(stream + ":none") is None


def test_read_last_lets_the_store_append_without_reading_the_head(store, stream):
    DynamoDbEventStore(TABLE, client=boto3.client("dynamodb"), clock=FrozenClock(T0)).append(stream, 0, [created()])
    last = store.read_last(stream)
    counts = count_calls(store.client, "query")
    store.append(stream, last.version, [renamed("a")])
    assert counts["query"] == 0
    assert store.verify(stream).ok
