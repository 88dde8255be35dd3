from __future__ import annotations

import boto3
import pytest

from services.assessment.case_list.dynamodb import PARTITION, DynamoDbCaseList
from shared.projections.dynamodb_store import create_read_model_table
from tests.assessment.case_list_contract import CaseListContract, row
from tests.aws_support import lean_client

TABLE = "read-models"


def new_case_list() -> DynamoDbCaseList:
    create_read_model_table(boto3.client("dynamodb"), TABLE)
    return DynamoDbCaseList(TABLE, lean_client("dynamodb"))


class TestDynamoDbCaseList(CaseListContract):
    @pytest.fixture(autouse=True)
    def _aws(self, aws):
        yield

    def make_case_list(self):
        return new_case_list()


def test_items_live_under_the_read_models_granted_partition_and_the_council(aws):
    cases = new_case_list()
    cases.put(row("26-00001-HH", version=4))
    items = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert [(i["pk"]["S"], i["sk"]["S"], i["version"]["N"]) for i in items] == [
        ("doc#case-list", "DEMO#26-00001-HH", "4")
    ]
    assert PARTITION == "doc#case-list"


def test_a_query_reads_only_the_councils_items_in_pages(aws):
    cases = new_case_list()
    for i in range(7):
        cases.put(row(f"26-{i:05d}-HH"))
        cases.put(row(f"26-{i:05d}-HH", council="DEM"))  # a council whose code is a prefix of another's
    query = cases.client.query
    calls = []

    def small_pages(**kwargs):
        calls.append(kwargs)
        return query(**kwargs, Limit=3)

    cases.client.query = small_pages
    assert len(cases.rows("DEM")) == 7
    assert len(calls) >= 3
    assert all(call["ExpressionAttributeValues"][":council"] == {"S": "DEM#"} for call in calls)
