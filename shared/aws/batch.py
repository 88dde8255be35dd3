"""DynamoDB's BatchGetItem for any number of keys: chunks of its limit of 100, each repeated for what it left
unprocessed (the service may answer part of a batch when it is busy)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BATCH_GET_LIMIT = 100


def batch_get(client: Any, table: str, keys: Sequence[dict[str, Any]], **options: Any) -> list[dict[str, Any]]:
    """The items found for `keys` (in no particular order; missing ones left out). `options` join each request's
    table entry: ProjectionExpression, ExpressionAttributeNames, ConsistentRead."""
    items: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        pending: dict[str, Any] = {table: {"Keys": list(keys[start : start + BATCH_GET_LIMIT]), **options}}
        while pending:
            answer = client.batch_get_item(RequestItems=pending)
            items += answer.get("Responses", {}).get(table, [])
            pending = answer.get("UnprocessedKeys") or {}
    return items
