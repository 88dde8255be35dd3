"""Attempt counters on AWS: items of the read-model table under `pk = count#<name>`, `sk = <key>#<window>`, each
incremented atomically (UpdateItem ADD) and dropped by the table's time to live (`expires_at`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.aws.batch import batch_get

COUNTER_PREFIX = "count#"
ATTEMPTS = "attempts"
EXPIRES_AT = "expires_at"  # the read-model table's time-to-live attribute


class DynamoDbAttemptCounters:
    """`client` is a botocore DynamoDB client; `table` the read-model table."""

    def __init__(self, table: str, client: Any) -> None:
        self.table = table
        self.client = client

    @staticmethod
    def _key(name: str, key: str, window: int) -> dict[str, dict[str, str]]:
        return {"pk": {"S": COUNTER_PREFIX + name}, "sk": {"S": f"{key}#{window}"}}

    def count(self, name: str, key: str, window: int) -> int:
        item = self.client.get_item(TableName=self.table, Key=self._key(name, key, window), ConsistentRead=True)
        return int(item.get("Item", {}).get(ATTEMPTS, {}).get("N", "0"))

    def counts(self, name: str, keys: Sequence[tuple[str, int]]) -> list[int]:
        """One strongly consistent BatchGetItem."""
        wanted = list(dict.fromkeys(f"{key}#{window}" for key, window in keys))
        keys_wanted = [{"pk": {"S": COUNTER_PREFIX + name}, "sk": {"S": sk}} for sk in wanted]
        items = batch_get(self.client, self.table, keys_wanted, ConsistentRead=True)
        found = {item["sk"]["S"]: int(item.get(ATTEMPTS, {}).get("N", "0")) for item in items}
        return [found.get(f"{key}#{window}", 0) for key, window in keys]

    def add(self, name: str, key: str, window: int, expires_at: int) -> int:
        answer = self.client.update_item(
            TableName=self.table,
            Key=self._key(name, key, window),
            UpdateExpression=f"ADD {ATTEMPTS} :one SET {EXPIRES_AT} = :expires",
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"][ATTEMPTS]["N"])
