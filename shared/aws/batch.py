"""DynamoDB's batch calls for any number of keys or writes: chunks of the service's limits, each repeated for what the
service left unprocessed (it answers part of a batch when a partition is busy), after a growing wait, as AWS asks
("exponential backoff"; botocore retries throttled calls, not a batch answered in part). A chunk still unprocessed
after MAX_ATTEMPTS raises `BatchUnprocessed`: the caller's work is redone by its own retry (a bus delivery).

Writes send up to WRITE_CONCURRENCY chunks at once (a record of the public register is ~130 items: six chunks one
after another are six round trips). boto3 clients are thread-safe; botocore's pool keeps 10 connections.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
WRITE_CONCURRENCY = 4
MAX_ATTEMPTS = 8  # waits of 0.05, 0.1, ... 3.2 s: about 6 s in all
FIRST_WAIT = 0.05


class BatchUnprocessed(RuntimeError):
    """DynamoDB left part of a batch unprocessed however often it was asked again."""


def batch_get(
    client: Any,
    table: str,
    keys: Sequence[dict[str, Any]],
    *,
    sleep: Callable[[float], None] = time.sleep,
    **options: Any,
) -> list[dict[str, Any]]:
    """The items found for `keys` (in no particular order; missing ones left out). `options` join each request's
    table entry: ProjectionExpression, ExpressionAttributeNames, ConsistentRead."""
    items: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        pending: dict[str, Any] = {table: {"Keys": list(keys[start : start + BATCH_GET_LIMIT]), **options}}
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                sleep(FIRST_WAIT * 2 ** (attempt - 1))
            answer = client.batch_get_item(RequestItems=pending)
            items += answer.get("Responses", {}).get(table, [])
            pending = answer.get("UnprocessedKeys") or {}
            if not pending:
                break
        else:
            raise BatchUnprocessed(f"{table}: {len(pending[table]['Keys'])} keys still unprocessed")
    return items


def batch_write(
    client: Any, table: str, requests: Sequence[dict[str, Any]], *, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Send PutRequest/DeleteRequest entries (no two for one key), in chunks of 25, several at once."""
    chunks = [list(requests[start : start + BATCH_WRITE_LIMIT]) for start in range(0, len(requests), BATCH_WRITE_LIMIT)]

    def write(chunk: list[dict[str, Any]]) -> None:
        pending: dict[str, Any] = {table: chunk}
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                sleep(FIRST_WAIT * 2 ** (attempt - 1))
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                return
        raise BatchUnprocessed(f"{table}: {len(pending[table])} writes still unprocessed")

    if len(chunks) <= 1:
        for chunk in chunks:
            write(chunk)
        return
    with ThreadPoolExecutor(min(WRITE_CONCURRENCY, len(chunks)), thread_name_prefix="batch-write") as pool:
        for done in [pool.submit(write, chunk) for chunk in chunks]:
            done.result()  # the first failure raises (after every chunk was tried)
