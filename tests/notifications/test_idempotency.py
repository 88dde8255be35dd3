"""One contract for the idempotency records, run against every layer the sender uses: SQLite (embedded), Powertools'
DynamoDB layer on the stack's idempotency table (moto)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

from services.notifications.idempotency import (
    SqlitePersistenceLayer,
    dynamodb_layer,
    once_per_message,
)


@pytest.fixture(params=["sqlite", "dynamodb"])
def layer(request, tmp_path) -> Iterator[Any]:
    if request.param == "sqlite":
        yield SqlitePersistenceLayer(tmp_path / "idempotency.sqlite")
        return
    request.getfixturevalue("aws")
    import boto3

    client = boto3.client("dynamodb", region_name="eu-west-2")
    client.create_table(
        TableName="idempotency",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield dynamodb_layer("idempotency", client)


def test_a_message_runs_once_and_then_gives_its_saved_result(layer):
    calls: list[str] = []

    def send(*, message: dict) -> str:
        calls.append(message["notification_id"])
        return f"provider-{len(calls)}"

    guarded = once_per_message(layer)(send)
    assert guarded(message={"notification_id": "e1:applicant"}) == "provider-1"
    assert guarded(message={"notification_id": "e1:applicant"}) == "provider-1"
    assert guarded(message={"notification_id": "e1:agent"}) == "provider-2"
    assert calls == ["e1:applicant", "e1:agent"]


def test_a_call_that_raised_leaves_no_record_so_it_runs_again(layer):
    attempts: list[int] = []

    def send(*, message: dict) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise TimeoutError("the provider did not answer")
        return "provider-id"

    guarded = once_per_message(layer)(send)
    for _ in range(2):
        with pytest.raises(TimeoutError):
            guarded(message={"notification_id": "e2:applicant"})
    assert guarded(message={"notification_id": "e2:applicant"}) == "provider-id"
    assert guarded(message={"notification_id": "e2:applicant"}) == "provider-id"
    assert len(attempts) == 3


def test_a_message_in_progress_elsewhere_is_refused_until_it_finishes(layer):
    started, release = threading.Event(), threading.Event()

    def slow(*, message: dict) -> str:
        started.set()
        release.wait(10)
        return "first"

    results: list[str] = []
    worker = threading.Thread(
        target=lambda: results.append(once_per_message(layer)(slow)(message={"notification_id": "e3"}))
    )
    worker.start()
    assert started.wait(10)
    with pytest.raises(IdempotencyAlreadyInProgressError):
        once_per_message(layer)(lambda *, message: "second")(message={"notification_id": "e3"})
    release.set()
    worker.join()
    assert results == ["first"]
    assert once_per_message(layer)(lambda *, message: "second")(message={"notification_id": "e3"}) == "first"
