from __future__ import annotations

import boto3
import orjson
import pytest
from botocore.exceptions import ClientError

from shared.projections.dynamodb_store import (
    BILLING_MODE,
    DOCUMENT,
    PK,
    REVISION,
    SK,
    VERSION,
    DynamoDbReadModelStore,
    create_read_model_table,
    read_model_table_spec,
)
from tests.aws_support import lean_client
from tests.projections.contract import STREAM, ReadModelStoreContract

TABLE = "read-models"


def new_store() -> DynamoDbReadModelStore:
    create_read_model_table(boto3.client("dynamodb"), TABLE)
    return DynamoDbReadModelStore(TABLE, lean_client("dynamodb"))


class TestDynamoDbReadModelStore(ReadModelStoreContract):
    @pytest.fixture(autouse=True)
    def _aws(self, aws):
        yield

    def make_store(self):
        return new_store()


@pytest.fixture
def store(aws) -> DynamoDbReadModelStore:
    return new_store()


def recorded_calls(client, *names: str) -> dict[str, list[dict]]:
    """Wrap some client methods to record their keyword arguments (the wrapped method still runs).

    A method the (lean) client lacks cannot be called by the adapter: it is left out and stays at none.
    """
    calls: dict[str, list[dict]] = {name: [] for name in names}
    for name in names:
        method = getattr(client, name, None)
        if method is None:
            continue

        def recorded(*args, _name=name, _method=method, **kwargs):
            calls[_name].append(kwargs)
            return _method(*args, **kwargs)

        setattr(client, name, recorded)
    return calls


def item(store: DynamoDbReadModelStore, pk: str, sk: str) -> dict | None:
    key = {PK: {"S": pk}, SK: {"S": sk}}
    return store.client.get_item(TableName=TABLE, Key=key, ConsistentRead=True).get("Item")


def test_the_table_spec_is_one_string_key_pair_on_demand():
    spec = read_model_table_spec("t")
    assert spec["TableName"] == "t"
    assert spec["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in spec["AttributeDefinitions"]} == {"pk": "S", "sk": "S"}
    assert spec["BillingMode"] == BILLING_MODE == "PAY_PER_REQUEST"
    assert read_model_table_spec("t") is not spec


def test_items_are_laid_out_as_documented(store):
    assert store.commit("api-keys", STREAM, 0, 7, {"hash-1": ({"name": "Ünïcode", "n": 1}, 0)})
    document = item(store, "doc#api-keys", "hash-1")
    assert orjson.loads(document[DOCUMENT]["S"]) == {"name": "Ünïcode", "n": 1}
    assert document[REVISION] == {"N": "1"}
    assert item(store, "pos#api-keys", STREAM)[VERSION] == {"N": "7"}


def test_reads_are_strongly_consistent(store):
    calls = recorded_calls(store.client, "get_item", "query")
    store.position("p", STREAM)
    store.get("p", "k")
    list(store.documents("p"))
    assert len(calls["get_item"]) == 2 and len(calls["query"]) == 1
    assert all(call["ConsistentRead"] for call in calls["get_item"] + calls["query"])


def test_a_commit_is_one_transaction(store):
    calls = recorded_calls(store.client, "transact_write_items", "put_item", "delete_item", "batch_write_item")
    assert store.commit("p", STREAM, 0, 1, {"a": ({"v": 1}, 0), "b": ({"v": 1}, 0)})
    assert store.commit("p", STREAM, 1, 2, {"a": (None, 1)})
    assert [len(call["TransactItems"]) for call in calls["transact_write_items"]] == [3, 2]
    assert not calls["put_item"] and not calls["delete_item"] and not calls["batch_write_item"]


def test_more_documents_than_a_transaction_holds_are_refused_before_writing(store):
    with pytest.raises(ValueError, match="at most 99"):
        store.commit("p", STREAM, 0, 1, {str(i): ({"i": i}, 0) for i in range(100)})
    assert store.position("p", STREAM) == 0
    assert list(store.documents("p")) == []
    assert store.commit("p", STREAM, 0, 1, {f"{i:02}": ({"i": i}, 0) for i in range(99)})
    assert len(list(store.documents("p"))) == 99


def test_documents_reads_every_page(store):
    assert store.commit("p", STREAM, 0, 1, {f"{i:02}": ({"i": i}, 0) for i in range(7)})
    query = store.client.query
    pages = []

    def small_pages(**kwargs):
        pages.append(kwargs.get("ExclusiveStartKey"))
        return query(**kwargs, Limit=2)

    store.client.query = small_pages
    assert list(store.documents("p")) == [(f"{i:02}", {"i": i}) for i in range(7)]
    assert len(pages) >= 4 and pages[0] is None


def cancelled(*codes: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": [{"Code": code} for code in codes],
        },
        "TransactWriteItems",
    )


@pytest.mark.parametrize(
    "codes", [("ConditionalCheckFailed", "None"), ("None", "TransactionConflict")], ids=["condition", "conflict"]
)
def test_a_transaction_cancelled_because_something_moved_returns_false(store, codes):
    def cancel(**kwargs):
        raise cancelled(*codes)

    store.client.transact_write_items = cancel
    assert store.commit("p", STREAM, 0, 1, {"k": ({"v": 1}, 0)}) is False


@pytest.mark.parametrize(
    "error",
    [
        cancelled("None", "ThrottlingError"),
        cancelled("ConditionalCheckFailed", "ValidationError"),
        cancelled(),
        ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "TransactWriteItems"),
    ],
    ids=["throttled", "mixed", "no-reasons", "other"],
)
def test_other_failures_are_raised(store, error):
    def fail(**kwargs):
        raise error

    store.client.transact_write_items = fail
    with pytest.raises(ClientError) as raised:
        store.commit("p", STREAM, 0, 1, {"k": ({"v": 1}, 0)})
    assert raised.value is error


def test_a_missing_table_is_raised(aws):
    store = DynamoDbReadModelStore("absent", boto3.client("dynamodb"))
    with pytest.raises(ClientError, match="ResourceNotFound"):
        store.commit("p", STREAM, 0, 1, {})
