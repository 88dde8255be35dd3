from __future__ import annotations

import boto3
import pytest

from services.publication.read_model.dynamodb import PARTITION, DynamoDbPublicRegister
from shared.projections.dynamodb_store import create_read_model_table
from tests.aws_support import lean_client
from tests.publication.register_contract import PublicRegisterContract, application, entry

TABLE = "read-models"


def new_register() -> DynamoDbPublicRegister:
    create_read_model_table(boto3.client("dynamodb"), TABLE)
    return DynamoDbPublicRegister(TABLE, lean_client("dynamodb"))


class TestDynamoDbPublicRegister(PublicRegisterContract):
    @pytest.fixture(autouse=True)
    def _aws(self, aws):
        yield

    def make_register(self):
        return new_register()


def test_every_item_lives_under_the_registers_granted_partition(aws):
    register = new_register()
    app = application(1)
    register.put(app, [entry(app)])
    items = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert {item["pk"]["S"] for item in items} == {PARTITION} == {"doc#public"}
    keys = {item["sk"]["S"] for item in items}
    assert f"a#DEMO#{app.reference}" in keys and f"t#DEMO#a#mill#{app.reference}" in keys


def test_a_new_version_takes_away_the_index_items_it_no_longer_has(aws):
    register = new_register()
    app = application(1)
    register.put(app, [entry(app)])
    from dataclasses import replace

    register.put(replace(app, version=9, description="Garden room"), [])
    keys = {item["sk"]["S"] for item in boto3.client("dynamodb").scan(TableName=TABLE)["Items"]}
    assert f"t#DEMO#d#extension#{app.reference}" not in keys
    assert f"t#DEMO#d#garden#{app.reference}" in keys
    assert not any(key.startswith(("f#", "g#")) for key in keys)
