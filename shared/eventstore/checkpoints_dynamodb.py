"""Audit checkpoints on AWS: a DynamoDB table of their own (not the event table, whose stream feeds the bus).

One partition (`chain` = "checkpoints"), sort key `sequence`; a record is written only if its sequence is new. Beside
it, the sealed head index: one item per stream (`chain` = "head:" + stream id), its newest checkpointed head, sealed
with the same key, which lets the job start a moved stream's check from there without reading the whole trail.
Deployments give the audit role write access to this table and none to the event table, and the log's writers none
to this one, so neither can rewrite the other; the seal key lives in Secrets Manager.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from shared.aws.errors import CONDITION_FAILED, error_code
from shared.eventstore.checkpoints import CheckpointConflict, StoredCheckpoint, StoredHead

CHAIN = "chain"
SEQUENCE = "sequence"
BODY = "body"
SEAL = "seal"
PARTITION = "checkpoints"
HEAD_PARTITION = "head:"  # + stream id: the sealed head index, one item per stream (sequence 0)


def checkpoint_table_spec(table_name: str) -> dict[str, Any]:
    """Keyword arguments for `client.create_table` (tests, local tooling and the stack build the same table)."""
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": CHAIN, "KeyType": "HASH"},
            {"AttributeName": SEQUENCE, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": CHAIN, "AttributeType": "S"},
            {"AttributeName": SEQUENCE, "AttributeType": "N"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


class DynamoDbCheckpointLog:
    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self.client = client

    def append(self, sequence: int, body: str, seal: str) -> None:
        item = {CHAIN: {"S": PARTITION}, SEQUENCE: {"N": str(sequence)}, BODY: {"S": body}, SEAL: {"S": seal}}
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(#sequence)",
                ExpressionAttributeNames={"#sequence": SEQUENCE},
            )
        except ClientError as error:
            if error_code(error) != CONDITION_FAILED:
                raise
            raise CheckpointConflict(f"checkpoint {sequence} was written by someone else first") from error

    def newest(self) -> StoredCheckpoint | None:
        page = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="#chain = :chain",
            ExpressionAttributeNames={"#chain": CHAIN},
            ExpressionAttributeValues={":chain": {"S": PARTITION}},
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = page.get("Items", [])
        return _stored(items[0]) if items else None

    def heads(self, stream_ids: Iterable[str]) -> dict[str, StoredHead]:
        """One strongly consistent read per stream asked about (the streams that moved since the last checkpoint)."""
        found = {}
        for stream_id in stream_ids:
            item = self.client.get_item(TableName=self.table_name, Key=_head_key(stream_id), ConsistentRead=True).get(
                "Item"
            )
            if item is not None:
                found[stream_id] = StoredHead(stream_id, item.get(BODY, {}).get("S"), item.get(SEAL, {}).get("S"))
        return found

    def put_head(self, stream_id: str, body: str, seal: str) -> None:
        self.client.put_item(
            TableName=self.table_name, Item={**_head_key(stream_id), BODY: {"S": body}, SEAL: {"S": seal}}
        )

    def records(self) -> list[StoredCheckpoint]:
        query: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#chain = :chain",
            "ExpressionAttributeNames": {"#chain": CHAIN},
            "ExpressionAttributeValues": {":chain": {"S": PARTITION}},
            "ConsistentRead": True,
        }
        records: list[StoredCheckpoint] = []
        while True:
            page = self.client.query(**query)
            records.extend(_stored(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return records
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _head_key(stream_id: str) -> dict[str, Any]:
    return {CHAIN: {"S": HEAD_PARTITION + stream_id}, SEQUENCE: {"N": "0"}}


def _stored(item: dict[str, Any]) -> StoredCheckpoint:
    number = item.get(SEQUENCE, {}).get("N", "")
    return StoredCheckpoint(
        int(number) if number.isdigit() else number, item.get(BODY, {}).get("S"), item.get(SEAL, {}).get("S")
    )
