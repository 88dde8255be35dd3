"""`shared.aws.batch`: any number of keys or writes, in chunks of the service's limits, the unprocessed ones asked
again after growing waits (and given up on with an error), writes several chunks at once."""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared.aws.batch import MAX_ATTEMPTS, BatchUnprocessed, batch_get, batch_write
from shared.projections.dynamodb_store import PK, SK, create_read_model_table


class BusyDynamoDb:
    """Answers each BatchGetItem with its first key left unprocessed the first time it is asked for."""

    def __init__(self) -> None:
        self.requests: list[list[str]] = []
        self.deferred: set[str] = set()

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        [(table, request)] = RequestItems.items()
        assert request["ConsistentRead"] is True
        names = [key["pk"]["S"] for key in request["Keys"]]
        assert len(names) <= 100
        self.requests.append(names)
        first = names[0]
        if first not in self.deferred:
            self.deferred.add(first)
            unprocessed = {table: {**request, "Keys": [{"pk": {"S": first}}]}}
            return {"Responses": {table: [{"pk": {"S": n}} for n in names[1:]]}, "UnprocessedKeys": unprocessed}
        return {"Responses": {table: [{"pk": {"S": n}} for n in names]}, "UnprocessedKeys": {}}


def test_every_key_is_asked_in_chunks_of_100_and_the_unprocessed_ones_again():
    client = BusyDynamoDb()
    keys = [{"pk": {"S": f"k{i}"}} for i in range(150)]
    waits: list[float] = []
    items = batch_get(client, "table", keys, sleep=waits.append, ConsistentRead=True)
    assert sorted(item["pk"]["S"] for item in items) == sorted(f"k{i}" for i in range(150))
    assert [len(names) for names in client.requests] == [100, 1, 50, 1]
    assert waits == [0.05, 0.05]  # one wait before each chunk's second request


class AlwaysBusy:
    """Processes nothing, ever."""

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        return {"Responses": {}, "UnprocessedKeys": RequestItems}

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        return {"UnprocessedItems": RequestItems}


def test_a_batch_left_unprocessed_is_asked_again_after_growing_waits_then_given_up_with_an_error():
    waits: list[float] = []
    with pytest.raises(BatchUnprocessed, match="1 keys still unprocessed"):
        batch_get(AlwaysBusy(), "table", [{"pk": {"S": "k"}}], sleep=waits.append)
    assert len(waits) == MAX_ATTEMPTS - 1 and waits == sorted(waits) and waits[-1] > 1
    waits.clear()
    with pytest.raises(BatchUnprocessed, match="25 writes still unprocessed"):
        deletes = [{"DeleteRequest": {"Key": {"pk": {"S": f"k{i}"}}}} for i in range(30)]
        batch_write(AlwaysBusy(), "table", deletes, sleep=waits.append)
    assert len(waits) == 2 * (MAX_ATTEMPTS - 1)  # both chunks tried to the end


class SlowPartialWrites:
    """Answers each BatchWriteItem after a moment, leaving its first request unprocessed the first time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = 0
        self.written: list[str] = []
        self.deferred: set[str] = set()

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        [(table, requests)] = RequestItems.items()
        assert len(requests) <= 25
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(0.05)
        names = [request["PutRequest"]["Item"]["pk"]["S"] for request in requests]
        with self.lock:
            self.in_flight -= 1
            if names[0] not in self.deferred:
                self.deferred.add(names[0])
                self.written += names[1:]
                return {"UnprocessedItems": {table: requests[:1]}}
            self.written += names
        return {"UnprocessedItems": {}}


def test_writes_go_in_chunks_of_25_several_at_once_and_the_unprocessed_ones_again():
    client = SlowPartialWrites()
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(130)]
    batch_write(client, "table", puts, sleep=lambda seconds: None)
    assert sorted(client.written) == sorted(f"k{i}" for i in range(130))
    assert client.most_in_flight > 1


@mock_aws
def test_a_batch_of_puts_and_deletes_lands_on_dynamodb():
    client = boto3.client("dynamodb", region_name="eu-west-2")
    create_read_model_table(client, "t")

    def key(number: int) -> dict[str, Any]:
        return {PK: {"S": "doc#batch"}, SK: {"S": f"k{number:03d}"}}

    batch_write(client, "t", [{"PutRequest": {"Item": key(i)}} for i in range(130)])
    batch_write(client, "t", [{"DeleteRequest": {"Key": key(i)}} for i in range(0, 130, 2)])
    left = batch_get(client, "t", [key(i) for i in range(130)])
    assert sorted(item[SK]["S"] for item in left) == [f"k{i:03d}" for i in range(1, 130, 2)]
