"""The case list on DynamoDB (AWS): one item per application in the read-model table, under the council.

Item: `pk = doc#case-list`, `sk = <council>#<reference>`, `version` (N: the main-stream version it was built at) and
`row` (the row's JSON). The keys fall under the read model's grant (`dynamodb:LeadingKeys` = `doc#case-list`), so the
stack needs nothing of its own for it. A write is conditioned on a lower version (exactly once per stream version,
whatever the order deliveries arrive in). A query reads the council's items only (`begins_with(sk, council#)`) and
filters, counts and sorts them here: a council's list is thousands of short items, a few pages.
"""

from __future__ import annotations

from typing import Any

import orjson
from botocore.exceptions import ClientError

from services.assessment.case_list import CASE_LIST_READ_MODEL
from services.assessment.case_list.port import CasePage, CaseQuery, CaseRow, select
from shared.aws.errors import CONDITION_FAILED, error_code
from shared.projections.dynamodb_store import DOCUMENT_PREFIX, PK, SK

PARTITION = DOCUMENT_PREFIX + CASE_LIST_READ_MODEL
ROW = "row"
VERSION = "version"


class DynamoDbCaseList:
    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self.client = client

    def version(self, council: str, reference: str) -> int:
        item = self.client.get_item(
            TableName=self.table_name,
            Key=_key(council, reference),
            ProjectionExpression="#version",
            ExpressionAttributeNames={"#version": VERSION},
            ConsistentRead=True,
        ).get("Item")
        return int(item[VERSION]["N"]) if item else 0

    def put(self, row: CaseRow) -> bool:
        item = {
            **_key(row.council, row.reference),
            VERSION: {"N": str(row.version)},
            ROW: {"S": orjson.dumps(row.to_record()).decode("utf-8")},
        }
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(#pk) OR #version < :version",
                ExpressionAttributeNames={"#pk": PK, "#version": VERSION},
                ExpressionAttributeValues={":version": {"N": str(row.version)}},
            )
        except ClientError as error:
            if error_code(error) == CONDITION_FAILED:
                return False
            raise
        return True

    def query(self, query: CaseQuery) -> CasePage:
        return select(self.rows(query.council), query)

    def rows(self, council: str) -> list[CaseRow]:
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :council)",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK, "#row": ROW},
            "ExpressionAttributeValues": {":pk": {"S": PARTITION}, ":council": {"S": council + "#"}},
            "ProjectionExpression": "#row",
        }
        rows: list[CaseRow] = []
        while True:
            page = self.client.query(**request)
            rows.extend(CaseRow.from_record(orjson.loads(item[ROW]["S"])) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return rows
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _key(council: str, reference: str) -> dict[str, dict[str, str]]:
    return {PK: {"S": PARTITION}, SK: {"S": f"{council}#{reference}"}}
