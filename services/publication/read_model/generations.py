"""The public register on AWS is rebuilt into a fresh generation, then switched, then the old one deleted: readers
never see a half-built register.

A generation is named by its records' partition key, and its lists' partitions are named after it (`partition_key`
in `dynamodb.py`). A pointer item (`pk = doc#public`, `sk = ~generation`) names the live generation (`doc#public`
itself until the first rebuild, then `doc#public@<n>`), the one being built during a rebuild, and the next
generation's number.
`SwitchingRegister` is the register the functions use: the public's reads go to the live partition (the pointer
cached `CACHE_SECONDS`), the projection's writes to the live one and, during a rebuild, to the one being built too
(the pointer read afresh at every write), so an event delivered while the rebuild runs reaches the new register
whether the rebuild had read its application yet or not.

`rebuild` (`bops replay public` on AWS): mark a new partition as being built (refused while another rebuild runs),
project every application into it, switch the pointer to it, wait until every reader's cached pointer has expired,
then delete the old generation's items. A rebuild that fails leaves the live register as it was (its partial
generation deleted). All of them are in the register's own table (`cdk/stack.py`).

A generation taken out of use (the old one at a switch, a failed rebuild's) is listed in the pointer as `retired`
until its delete has finished, and every rebuild first finishes the deletes of those listed: a delete that stopped
midway (a timeout, a throttled batch) leaves no generation behind for good. The pointer's `revision` grows with
every change, and each change is conditioned on the revision read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from services.publication.read_model.dynamodb import PARTITION, DynamoDbPublicRegister, partition_key, written_keys
from shared.aws.batch import batch_write
from shared.aws.errors import CONDITION_FAILED, error_code
from shared.projections.dynamodb_store import PK, SK

if TYPE_CHECKING:
    from services.publication.read_model.port import (
        FeedEntry,
        FeedPage,
        FeedQuery,
        PublicCouncil,
        PublicSearch,
        SearchPage,
    )
    from services.publication.record import PublicApplication

POINTER = "~generation"
CACHE_SECONDS = 5.0
MAX_POINTER_ATTEMPTS = 10


class RebuildRunning(RuntimeError):
    """Another rebuild of the public register is running (or stopped without finishing: see `abandon`)."""


@dataclass(frozen=True, slots=True)
class Pointer:
    live: str = PARTITION
    building: str | None = None
    next: int = 1
    retired: tuple[str, ...] = ()  # generations out of use whose delete has not finished
    revision: int = 0  # grows with every change (0: no pointer item, or one written before revisions)


class Generations:
    """The pointer item: which partition is live and which is being built."""

    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self.client = client

    def read(self) -> Pointer:
        item = self.client.get_item(TableName=self.table_name, Key=self._key(), ConsistentRead=True).get("Item")
        if not item:
            return Pointer()
        return Pointer(
            live=item["live"]["S"],
            building=item["building"]["S"] if "building" in item else None,
            next=int(item["next"]["N"]),
            retired=tuple(sorted(item["retired"]["SS"])) if "retired" in item else (),
            revision=int(item["revision"]["N"]) if "revision" in item else 0,
        )

    def start(self) -> str:
        """Mark a fresh partition as being built; RebuildRunning if one already is."""
        pointer = self.read()
        if pointer.building is not None:
            raise RebuildRunning(f"the public register is already being rebuilt into {pointer.building}")
        partition = f"{PARTITION}@{pointer.next}"
        self._put(replace(pointer, building=partition, next=pointer.next + 1), pointer)
        return partition

    def switch(self, partition: str) -> str:
        """Make the partition being built live (the one that was live retired); returns the partition that was live."""
        pointer = self.read()
        if pointer.building != partition:
            raise RebuildRunning(f"{partition} is no longer the partition being built ({pointer.building})")
        self._put(replace(pointer, live=partition, building=None, retired=(*pointer.retired, pointer.live)), pointer)
        return pointer.live

    def abandon(self, partition: str) -> None:
        """Forget a rebuild into `partition` (it failed), retired: the live partition stays (unless the switch to
        `partition` happened after all)."""
        pointer = self.read()
        if pointer.live != partition:
            building = None if pointer.building == partition else pointer.building
            self._put(replace(pointer, building=building, retired=(*pointer.retired, partition)), pointer)

    def clear_retired(self) -> int:
        """Delete every retired generation, each then taken off the list; returns how many keys were deleted."""
        deleted = 0
        for partition in self.read().retired:
            deleted += self.delete(partition)
            for _ in range(MAX_POINTER_ATTEMPTS):  # a rebuild may change the pointer meanwhile: read it again
                pointer = self.read()
                try:
                    self._put(replace(pointer, retired=tuple(p for p in pointer.retired if p != partition)), pointer)
                    break
                except RebuildRunning:
                    continue
            else:
                raise RebuildRunning("the public register's pointer kept changing")
        return deleted

    def delete(self, partition: str) -> int:
        """Delete every item of a generation (but the pointer); returns how many keys were deleted.

        Its partition holds its records and counts, and each record names the list items it wrote (`indexed`), which
        live in partitions of their own (`partition_key`): one Query of the generation's partition finds them all.
        (Items a register of the one-partition layout kept there are deleted where they are.) Page by page, so that
        memory does not grow with the register (~130 keys a record), and each page's list items before its records:
        a delete that stops midway can be run again and still finds every item left."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK, "#indexed": "indexed", "#unsettled": "unsettled"},
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ProjectionExpression": "#sk, #indexed, #unsettled",
        }
        deleted = 0
        while True:
            page = self.client.query(**request)
            found = [item for item in page.get("Items", []) if item[SK]["S"] != POINTER]
            listed = {(partition_key(partition, key), key) for item in found for key in written_keys(item)}
            for keys in (sorted(listed), [(partition, item[SK]["S"]) for item in found]):
                deletes = [{"DeleteRequest": {"Key": {PK: {"S": pk}, SK: {"S": sk}}}} for pk, sk in keys]
                batch_write(self.client, self.table_name, deletes)
                deleted += len(keys)
            if "LastEvaluatedKey" not in page:
                return deleted
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _key(self) -> dict[str, dict[str, str]]:
        return {PK: {"S": PARTITION}, SK: {"S": POINTER}}

    def _put(self, pointer: Pointer, seen: Pointer) -> None:
        """Write the pointer (its revision the next one) if it is still `seen` (two rebuilds never both start or
        switch; a retired generation is never lost)."""
        item: dict[str, Any] = {
            **self._key(),
            "live": {"S": pointer.live},
            "next": {"N": str(pointer.next)},
            "revision": {"N": str(seen.revision + 1)},
        }
        if pointer.building is not None:
            item["building"] = {"S": pointer.building}
        if pointer.retired:
            item["retired"] = {"SS": sorted(set(pointer.retired))}
        names = {"#revision": "revision"}
        if seen.revision:
            condition, values = "#revision = :seen", {":seen": {"N": str(seen.revision)}}
        else:  # no pointer yet, or one written before revisions (its `next` tells it apart)
            condition = "attribute_not_exists(#pk) OR (attribute_not_exists(#revision) AND #next = :next)"
            names |= {"#pk": PK, "#next": "next"}
            values = {":next": {"N": str(seen.next)}}
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error_code(error) == CONDITION_FAILED:
                raise RebuildRunning("another rebuild changed the public register's pointer meanwhile") from None
            raise


class SwitchingRegister:
    """The public register of the live partition (and, for writes, of the one being built)."""

    def __init__(
        self,
        table_name: str,
        client: Any,
        *,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table_name = table_name
        self.client = client
        self.generations = Generations(table_name, client)
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, Pointer] | None = None
        self._registers: dict[str, DynamoDbPublicRegister] = {}

    def register(self, partition: str) -> DynamoDbPublicRegister:
        with self._lock:
            found = self._registers.get(partition)
            if found is None:
                found = self._registers[partition] = DynamoDbPublicRegister(self.table_name, self.client, partition)
            return found

    def pointer(self, *, fresh: bool = False) -> Pointer:
        now = self.clock()
        with self._lock:
            cached = self._cached
        if not fresh and cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]
        pointer = self.generations.read()
        with self._lock:
            self._cached = (now, pointer)
        return pointer

    def _live(self) -> DynamoDbPublicRegister:
        return self.register(self.pointer().live)

    def _writers(self) -> list[DynamoDbPublicRegister]:
        pointer = self.pointer(fresh=True)
        return [self.register(p) for p in (pointer.live, pointer.building) if p is not None]

    # The projection's side: the live partition and the one being built.

    def version(self, council: str, reference: str) -> int:
        return max(writer.version(council, reference) for writer in self._writers())

    def put(
        self, application: PublicApplication, entries: Sequence[FeedEntry], *, replace_same_version: bool = False
    ) -> bool:
        return any(
            [writer.put(application, entries, replace_same_version=replace_same_version) for writer in self._writers()]
        )

    def remove(self, council: str, reference: str, version: int) -> bool:
        return any([writer.remove(council, reference, version) for writer in self._writers()])

    def put_council(self, council: PublicCouncil) -> None:
        for writer in self._writers():
            writer.put_council(council)

    # The public's side: the live partition.

    def get(self, council: str, reference: str) -> PublicApplication | None:
        return self._live().get(council, reference)

    def find(self, reference: str, councils: frozenset[str] = frozenset()) -> list[PublicApplication]:
        return self._live().find(reference, councils)

    def search(self, query: PublicSearch) -> SearchPage:
        return self._live().search(query)

    def feed(self, query: FeedQuery) -> FeedPage:
        return self._live().feed(query)

    def councils(self) -> list[str]:
        return self._live().councils()

    def council(self, code: str) -> PublicCouncil | None:
        return self._live().council(code)


def rebuild(
    switching: SwitchingRegister,
    project_all: Callable[[DynamoDbPublicRegister], int],
    *,
    grace_seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, str, str]:
    """Project everything (`project_all`) into a fresh partition, switch to it, wait out the readers' cached
    pointers, delete the old partition. Returns (records written, old partition, new partition)."""
    generations = switching.generations
    partition = generations.start()
    try:
        generations.clear_retired()  # what an earlier rebuild's delete left unfinished
        written = project_all(switching.register(partition))
        old = generations.switch(partition)
    except BaseException:
        generations.abandon(partition)
        generations.clear_retired()
        raise
    sleep(switching.cache_seconds + 1.0 if grace_seconds is None else grace_seconds)
    generations.clear_retired()  # the old generation
    return written, old, partition
