"""The attempt-counters contract, run against SQLite (embedded) and DynamoDB (the read-model table, moto): counts per
name, key and window, atomic across threads, shared by every store object over the same data."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import boto3
import pytest

from shared.attempts import AttemptCounters
from shared.attempts.dynamodb import DynamoDbAttemptCounters
from shared.attempts.sqlite import SqliteAttemptCounters
from shared.projections.dynamodb_store import create_read_model_table
from tests.aws_support import lean_client

TABLE = "read-models"


@pytest.fixture(params=["sqlite", "dynamodb"])
def make(request, tmp_path) -> Iterator[Callable[[], AttemptCounters]]:
    """Makes store objects over one shared store (as two processes would see it)."""
    if request.param == "sqlite":
        yield lambda: SqliteAttemptCounters(tmp_path / "readmodels.sqlite")
        return
    request.getfixturevalue("aws")  # moto, for this test
    create_read_model_table(boto3.client("dynamodb"), TABLE)
    yield lambda: DynamoDbAttemptCounters(TABLE, lean_client("dynamodb"))


def test_counts_start_at_zero_and_grow_by_one(make):
    counters = make()
    assert counters.count("sign-in", "email:a", 7) == 0
    assert [counters.add("sign-in", "email:a", 7, 9000) for _ in range(3)] == [1, 2, 3]
    assert counters.count("sign-in", "email:a", 7) == 3


def test_names_keys_and_windows_are_counted_apart(make):
    counters = make()
    counters.add("sign-in", "email:a", 7, 9000)
    assert counters.count("sign-in", "email:b", 7) == 0
    assert counters.count("sign-in", "email:a", 8) == 0
    assert counters.count("other", "email:a", 7) == 0
    assert counters.add("sign-in", "email:a", 8, 9900) == 1


def test_another_store_object_sees_the_same_counts(make):
    make().add("sign-in", "address:x", 1, 1800)
    assert make().count("sign-in", "address:x", 1) == 1
    assert make().add("sign-in", "address:x", 1, 1800) == 2


def test_concurrent_attempts_are_all_counted(make, request):
    if "dynamodb" in request.node.callspec.id:
        pytest.skip("moto applies UpdateItem without DynamoDB's per-item atomicity; ADD is atomic on DynamoDB itself")
    counters = [make() for _ in range(4)]
    barrier = threading.Barrier(len(counters))

    def attempt(store: AttemptCounters) -> None:
        barrier.wait()
        for _ in range(5):
            store.add("sign-in", "email:c", 3, 3600)

    threads = [threading.Thread(target=attempt, args=(store,)) for store in counters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert make().count("sign-in", "email:c", 3) == 20


def test_counts_reads_several_keys_and_windows_at_once(make):
    counters = make()
    counters.add("sign-in", "email:a", 7, 9000)
    counters.add("sign-in", "address:x", 7, 9000)
    counters.add("sign-in", "address:x", 7, 9000)
    assert counters.counts("sign-in", [("email:a", 7), ("address:x", 7), ("email:a", 8), ("email:b", 7)]) == [
        1,
        2,
        0,
        0,
    ]
    assert counters.counts("sign-in", [("email:a", 7), ("email:a", 7)]) == [1, 1]
    assert counters.counts("other", [("email:a", 7)]) == [0]
