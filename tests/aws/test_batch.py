"""`shared.aws.batch.batch_get`: any number of keys, in chunks of 100, the unprocessed ones asked again."""

from __future__ import annotations

from typing import Any

from shared.aws.batch import batch_get


class BusyDynamoDb:
    """Answers each BatchGetItem with its first key left unprocessed the first time it is asked for."""

    def __init__(self) -> None:
        self.requests: list[list[str]] = []
        self.deferred: set[str] = set()

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        [(table, request)] = RequestItems.items()
        assert request["ConsistentRead"] is True
        names = [key["pk"]["S"] for key in request["Keys"]]
        assert len(names) <= 100
        self.requests.append(names)
        first = names[0]
        if first not in self.deferred:
            self.deferred.add(first)
            unprocessed = {table: {**request, "Keys": [{"pk": {"S": first}}]}}
            return {"Responses": {table: [{"pk": {"S": n}} for n in names[1:]]}, "UnprocessedKeys": unprocessed}
        return {"Responses": {table: [{"pk": {"S": n}} for n in names]}, "UnprocessedKeys": {}}


def test_every_key_is_asked_in_chunks_of_100_and_the_unprocessed_ones_again():
    client = BusyDynamoDb()
    keys = [{"pk": {"S": f"k{i}"}} for i in range(150)]
    items = batch_get(client, "table", keys, ConsistentRead=True)
    assert sorted(item["pk"]["S"] for item in items) == sorted(f"k{i}" for i in range(150))
    assert [len(names) for names in client.requests] == [100, 1, 50, 1]
