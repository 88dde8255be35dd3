"""Read models on AWS: one DynamoDB table holds every projection's documents and positions (the API-keys table the
authorizer reads is this table).

Layout (`read_model_table_spec`, mirrored by the CDK stack): partition key `pk`, sort key `sk`, both strings.
A document is `pk = doc#<projection>`, `sk = <key>`, with `document` (its JSON text) and `revision` (N). A position is
`pk = pos#<projection>`, `sk = <stream id>`, with `version` (N). Reads are strongly consistent. A commit is one
TransactWriteItems: the position conditioned on the version it was read at, and every document conditioned on the
revision it was read at, so a commit that lost a race changes nothing and returns False.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson
from botocore.exceptions import ClientError

from shared.aws.batch import batch_get
from shared.aws.errors import CONDITION_FAILED, error_code
from shared.projections.projection import Document

# Attribute names and key prefixes (the CDK stack and anything reading the table must use the same ones).
PK = "pk"
SK = "sk"
DOCUMENT = "document"
REVISION = "revision"
VERSION = "version"
DOCUMENT_PREFIX = "doc#"
POSITION_PREFIX = "pos#"

BILLING_MODE = "PAY_PER_REQUEST"

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit on actions in one TransactWriteItems
MAX_DOCUMENTS_PER_COMMIT = MAX_TRANSACTION_ITEMS - 1  # one action is the position

# Codes of a cancelled transaction meaning "something moved since it was read": nothing was written, re-read.
# TransactionConflict: another transaction was writing one of the same items at that moment.
_MOVED = frozenset({"ConditionalCheckFailed", "TransactionConflict"})

Item = dict[str, dict[str, str]]


def read_model_table_spec(table_name: str) -> dict[str, Any]:
    """Keyword arguments for `client.create_table` (a fresh dict each call, safe to change)."""
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": PK, "KeyType": "HASH"},
            {"AttributeName": SK, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": PK, "AttributeType": "S"},
            {"AttributeName": SK, "AttributeType": "S"},
        ],
        "BillingMode": BILLING_MODE,
    }


def create_read_model_table(client: Any, table_name: str) -> None:
    """Create the read-model table with a boto3 DynamoDB client and wait until it is active (tests, local tooling)."""
    client.create_table(**read_model_table_spec(table_name))
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})


class DynamoDbReadModelStore:
    """ReadModelStore on a DynamoDB table laid out by `read_model_table_spec`."""

    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self.client = client

    def position(self, projection: str, stream_id: str) -> int:
        item = self._get(_position_key(projection, stream_id), "#version", {"#version": VERSION})
        return int(item[VERSION]["N"]) if item else 0

    def get(self, projection: str, key: str) -> tuple[Document | None, int]:
        item = self._get(
            _document_key(projection, key), "#document, #revision", {"#document": DOCUMENT, "#revision": REVISION}
        )
        if item is None:
            return None, 0
        return orjson.loads(item[DOCUMENT]["S"]), int(item[REVISION]["N"])

    def position_and_get(
        self, projection: str, stream_id: str, keys: Sequence[str]
    ) -> tuple[int, dict[str, tuple[Document | None, int]]]:
        """One strongly consistent BatchGetItem of the position and the documents."""
        wanted = [_position_key(projection, stream_id)] + [
            _document_key(projection, key) for key in dict.fromkeys(keys)
        ]
        names = {"#pk": PK, "#sk": SK, "#version": VERSION, "#document": DOCUMENT, "#revision": REVISION}
        items = batch_get(
            self.client,
            self.table_name,
            wanted,
            ProjectionExpression="#pk, #sk, #version, #document, #revision",
            ExpressionAttributeNames=names,
            ConsistentRead=True,
        )
        found = {(item[PK]["S"], item[SK]["S"]): item for item in items}
        position = found.get((POSITION_PREFIX + projection, stream_id))
        documents: dict[str, tuple[Document | None, int]] = {}
        for key in keys:
            item = found.get((DOCUMENT_PREFIX + projection, key))
            documents[key] = (orjson.loads(item[DOCUMENT]["S"]), int(item[REVISION]["N"])) if item else (None, 0)
        return (int(position[VERSION]["N"]) if position else 0), documents

    def commit(
        self,
        projection: str,
        stream_id: str,
        expected_position: int,
        position: int,
        documents: Mapping[str, tuple[Document | None, int]],
    ) -> bool:
        if len(documents) > MAX_DOCUMENTS_PER_COMMIT:
            raise ValueError(
                f"{len(documents)} documents in one commit; one DynamoDB transaction takes at most"
                f" {MAX_DOCUMENTS_PER_COMMIT} besides the position"
            )
        actions = [self._position_put(projection, stream_id, expected_position, position)]
        actions += [
            self._document_action(projection, key, document, revision)
            for key, (document, revision) in documents.items()
        ]
        # botocore gives the call a ClientRequestToken, so its own retries of a transaction that did commit succeed.
        try:
            self.client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            codes = {reason.get("Code") for reason in error.response.get("CancellationReasons") or []}
            codes.discard("None")  # the actions that were not the cause
            if codes and codes <= _MOVED:
                return False
            raise
        return True

    def put_newer(self, projection: str, key: str, document: Document, revision: int) -> bool:
        item = {
            **_document_key(projection, key),
            DOCUMENT: {"S": orjson.dumps(document).decode("utf-8")},
            REVISION: {"N": str(revision)},
        }
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(#pk) OR #revision < :revision",
                ExpressionAttributeNames={"#pk": PK, "#revision": REVISION},
                ExpressionAttributeValues={":revision": {"N": str(revision)}},
            )
        except ClientError as error:
            if error_code(error) != CONDITION_FAILED:
                raise
            return False
        return True

    def documents(self, projection: str) -> Iterator[tuple[str, Document]]:
        query: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK, "#document": DOCUMENT},
            "ExpressionAttributeValues": {":pk": {"S": DOCUMENT_PREFIX + projection}},
            "ProjectionExpression": "#sk, #document",
            "ConsistentRead": True,
        }
        while True:
            page = self.client.query(**query)
            for item in page.get("Items", []):
                yield item[SK]["S"], orjson.loads(item[DOCUMENT]["S"])
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def discard(self, projection: str, key: str, document: Document) -> bool:
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=_document_key(projection, key),
                ConditionExpression="#document = :document",
                ExpressionAttributeNames={"#document": DOCUMENT},
                ExpressionAttributeValues={":document": {"S": orjson.dumps(document).decode("utf-8")}},
            )
        except ClientError as error:
            if error_code(error) != CONDITION_FAILED:
                raise
            return False
        return True

    # DynamoDB calls

    def _get(self, key: Item, projection: str, names: dict[str, str]) -> Item | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=key,
            ProjectionExpression=projection,
            ExpressionAttributeNames=names,
            ConsistentRead=True,
        )
        return response.get("Item")

    def _position_put(self, projection: str, stream_id: str, expected: int, position: int) -> dict[str, Any]:
        condition = "#version = :expected"
        names = {"#version": VERSION}
        if expected == 0:
            condition = "attribute_not_exists(#pk) OR " + condition
            names["#pk"] = PK
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": {**_position_key(projection, stream_id), VERSION: {"N": str(position)}},
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {":expected": {"N": str(expected)}},
            }
        }

    def _document_action(self, projection: str, key: str, document: Document | None, revision: int) -> dict[str, Any]:
        """A Put (or a Delete, for None) that only applies if the document is still at the revision it was read at."""
        guard: dict[str, Any]
        if revision == 0:
            guard = {"ConditionExpression": "attribute_not_exists(#pk)", "ExpressionAttributeNames": {"#pk": PK}}
        else:
            guard = {
                "ConditionExpression": "#revision = :revision",
                "ExpressionAttributeNames": {"#revision": REVISION},
                "ExpressionAttributeValues": {":revision": {"N": str(revision)}},
            }
        address = _document_key(projection, key)
        if document is None:
            return {"Delete": {"TableName": self.table_name, "Key": address, **guard}}
        item = {
            **address,
            DOCUMENT: {"S": orjson.dumps(document).decode("utf-8")},
            REVISION: {"N": str(revision + 1)},
        }
        return {"Put": {"TableName": self.table_name, "Item": item, **guard}}


def _document_key(projection: str, key: str) -> Item:
    return {PK: {"S": DOCUMENT_PREFIX + projection}, SK: {"S": key}}


def _position_key(projection: str, stream_id: str) -> Item:
    return {PK: {"S": POSITION_PREFIX + projection}, SK: {"S": stream_id}}
