"""The event log on AWS: one DynamoDB table, written and read with the boto3 low-level client.

Layout (see `dynamodb_table`): one item per event, partition key `stream_id`, sort key `version`, the canonical JSON
bytes stored byte-exact as a UTF-8 string in `data`, with `prev_hash`/`hash` (the chain), `event_type`, `council`
and `recorded_at` (the same ISO UTC text as in the JSON) beside them for filters. Appends are conditional on the
(stream, version) key not existing: a single event is one PutItem, a batch is one TransactWriteItems (all or none,
at most 100 events), and so is an `append_streams` across several streams (at most 100 events in all).
BatchWriteItem is never used: it has no conditions and would silently overwrite.

DynamoDB has no global order, so this store is not an EventFeed. On AWS consumers receive events from the table's
DynamoDB Stream (NEW_IMAGE) through an EventBridge Pipe to the bus (`recorded_event_from_image` reads those images);
the table is the outbox, so there is no dual write. Replays and audits go stream by stream: version-1 items also
carry `stream_start` (always the constant "streams") and `stream_key` (the stream id), so the sparse `streams` index
lists every stream id in order under one partition, and `stream_ids(prefix)` is a begins_with query on it, whatever
the prefix (a council's table is single-tenant, and only stream creations write to the index, so one partition is
far from its limits). The index is eventually consistent: a stream created a moment ago may be missing from it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from events import NewEvent, RecordedEvent, deserialize
from events.serialization import format_time
from shared.aws.errors import CONDITION_FAILED, error_code
from shared.clock import Clock, SystemClock
from shared.eventstore.dynamodb_table import (
    COUNCIL,
    DATA,
    EVENT_TYPE,
    HASH,
    PREV_HASH,
    RECORDED_AT,
    STREAM_ID,
    STREAM_KEY,
    STREAM_START,
    STREAMS_INDEX,
    STREAMS_PARTITION,
    VERSION,
)
from shared.eventstore.port import (
    GENESIS_HASH,
    ConcurrencyError,
    StreamAnchor,
    StreamAppend,
    StreamVerification,
    check_distinct_streams,
    check_stream_appends,
)
from shared.eventstore.records import record

if TYPE_CHECKING:  # the audit's row type: verification is imported when a stream is verified
    from shared.eventstore.verification import StoredRow

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit on actions in one TransactWriteItems
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024  # and on the total size of its items

Item = dict[str, dict[str, str]]

# Every attribute goes through a placeholder: DATA and HASH are DynamoDB reserved words.
_NAMES = {
    "#stream": STREAM_ID,
    "#version": VERSION,
    "#type": EVENT_TYPE,
    "#recorded": RECORDED_AT,
    "#data": DATA,
    "#prev": PREV_HASH,
    "#hash": HASH,
    "#council": COUNCIL,
    "#start": STREAM_START,
    "#key": STREAM_KEY,
}
_NEW_VERSION = "attribute_not_exists(#version)"
MAX_SEEN_STREAMS = 10_000  # streams whose newest seen event is remembered (forgotten all at once beyond)


class DynamoDbEventStore:
    """EventStore on a DynamoDB table laid out by `dynamodb_table.event_table_spec`."""

    def __init__(self, table_name: str, client: Any = None, clock: Clock | None = None) -> None:
        if client is None:
            from shared.aws.clients import aws_client

            client = aws_client("dynamodb")
        self.table_name = table_name
        self.client = client
        self.clock = clock or SystemClock()
        # The version and hash of the newest event this store has seen per stream. Events are immutable, so what it
        # says stays true for ever: an append at that version needs no read of the stream's last event first.
        self._seen: dict[str, tuple[int, str]] = {}

    def append(self, stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> list[RecordedEvent]:
        if not events:
            raise ValueError("nothing to append")
        return self._append_streams((StreamAppend(stream_id, expected_version, events),))[0]

    def append_streams(self, appends: Sequence[StreamAppend]) -> list[list[RecordedEvent]]:
        check_stream_appends(appends)
        return self._append_streams(appends)

    def _append_streams(self, appends: Sequence[StreamAppend]) -> list[list[RecordedEvent]]:
        """One PutItem for a single event, else one TransactWriteItems with every event of every stream."""
        total = sum(len(append.events) for append in appends)
        if total > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"{total} events in one append; DynamoDB takes at most {MAX_TRANSACTION_ITEMS}")
        links = [self._previous_hash(append) for append in appends]
        recorded_at = self.clock.now()  # once, after every head was read: the same moment for all the streams
        batches = [
            record(append.events, append.stream_id, append.expected_version, recorded_at, link)
            for append, link in zip(appends, links, strict=True)
        ]
        recorded_at_text = format_time(recorded_at)
        writes: list[tuple[StreamAppend, Item]] = []
        for append, link, recorded in zip(appends, links, batches, strict=True):
            for event, data in recorded:
                writes.append((append, _item(event, data, recorded_at_text, link)))
                link = event.hash
        if len(writes) == 1:
            [(append, item)] = writes
            self._put(append.stream_id, append.expected_version, item)
        else:
            self._transact(writes)
        for recorded in batches:
            last = recorded[-1][0]
            self._saw(last.stream_id, last.version, last.hash)
        return [[event for event, _ in recorded] for recorded in batches]

    def _previous_hash(self, append: StreamAppend) -> str:
        """The hash of the stream's event at the expected version (the genesis hash for a new stream).

        Why reading the last event and then writing the next version is safe without a lock: versions are contiguous
        and an item is never rewritten, so if version N+1 does not exist when the write lands (which its condition
        checks), N is still the stream's last event and the hash read from it under this strongly consistent read is
        still the right link. If another writer got in first, the condition fails. For the same reason the read is
        skipped when the hash of version N is already known (a new stream, or seen before).
        """
        stream_id, expected_version = append.stream_id, append.expected_version
        previous_hash = self._known_hash(stream_id, expected_version)
        if previous_hash is None:
            last = self._last(stream_id, "#version, #hash")
            version, previous_hash = (int(last[VERSION]["N"]), last[HASH]["S"]) if last else (0, GENESIS_HASH)
            if version != expected_version:
                raise ConcurrencyError(stream_id, expected_version, version)
        return previous_hash

    def read(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        as_of: datetime | None = None,
    ) -> list[RecordedEvent]:
        if to_version is not None and to_version < from_version:
            return []
        values = {":stream": {"S": stream_id}, ":from": {"N": str(from_version)}}
        if to_version is None:
            condition = "#stream = :stream AND #version >= :from"
        else:
            condition = "#stream = :stream AND #version BETWEEN :from AND :to"
            values[":to"] = {"N": str(to_version)}
        query: dict[str, Any] = {"KeyConditionExpression": condition, "ProjectionExpression": "#data, #hash"}
        if as_of is not None:
            query["FilterExpression"] = "#recorded <= :as_of"
            values[":as_of"] = {"S": format_time(as_of)}
        items = self._query(ExpressionAttributeValues=values, ConsistentRead=True, **query)
        events = [deserialize(item[DATA]["S"], hash=item[HASH]["S"]) for item in items]
        if events:
            self._saw(stream_id, events[-1].version, events[-1].hash)
        return events

    def read_types(
        self, stream_id: str, event_types: Collection[str], from_version: int = 1
    ) -> tuple[list[RecordedEvent], int]:
        """One strongly consistent query of the stream with each item's type: only the wanted items are deserialised
        (the others' bytes are skipped), and the last item gives the stream's version."""
        items = self._query(
            KeyConditionExpression="#stream = :stream AND #version >= :from",
            ExpressionAttributeValues={":stream": {"S": stream_id}, ":from": {"N": str(from_version)}},
            ProjectionExpression="#version, #type, #data, #hash",
            ConsistentRead=True,
        )
        events, version, last_hash = [], from_version - 1, ""
        for item in items:
            version, last_hash = int(item[VERSION]["N"]), item[HASH]["S"]
            if item[EVENT_TYPE]["S"] in event_types:
                events.append(deserialize(item[DATA]["S"], hash=last_hash))
        if last_hash:
            self._saw(stream_id, version, last_hash)
        return events, version

    def read_streams(self, from_versions: Sequence[tuple[str, int]]) -> list[list[RecordedEvent]]:
        """A strongly consistent query per stream (DynamoDB has no query across partition keys)."""
        check_distinct_streams(from_versions)
        return [self.read(stream_id, from_version) for stream_id, from_version in from_versions]

    def read_last(self, stream_id: str) -> RecordedEvent | None:
        last = self._last(stream_id, "#data, #hash")
        if last is None:
            return None
        event = deserialize(last[DATA]["S"], hash=last[HASH]["S"])
        self._saw(stream_id, event.version, event.hash)
        return event

    def stream_version(self, stream_id: str) -> int:
        last = self._last(stream_id, "#version")
        return int(last[VERSION]["N"]) if last else 0

    def stream_ids(self, prefix: str = "") -> Iterator[str]:
        values = {":start": {"S": STREAMS_PARTITION}}
        condition = "#start = :start"
        if prefix:
            condition += " AND begins_with(#key, :prefix)"
            values[":prefix"] = {"S": prefix}
        for item in self._query(
            IndexName=STREAMS_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ProjectionExpression="#key",
        ):
            yield item[STREAM_KEY]["S"]

    def verify(
        self, stream_id: str, anchor: StreamAnchor | None = None, earlier: Sequence[StreamAnchor] = ()
    ) -> StreamVerification:
        from shared.eventstore.verification import verify_rows  # audits only: not on a handler's cold start

        return verify_rows(stream_id, self._stored_rows(stream_id, 1), anchor, earlier)

    def verify_since(
        self, stream_id: str, anchor: StreamAnchor | None
    ) -> tuple[StreamVerification, tuple[int, str] | None]:
        """Check the stream from its sealed head (`anchor`) on, reading only the events from that version."""
        from shared.eventstore.verification import verify_rows_since

        rows = self._stored_rows(stream_id, anchor.version if anchor else 1)
        return verify_rows_since(stream_id, rows, anchor)

    def _stored_rows(self, stream_id: str, from_version: int) -> Iterator[StoredRow]:
        items = self._query(
            KeyConditionExpression="#stream = :stream AND #version >= :from",
            ExpressionAttributeValues={":stream": {"S": stream_id}, ":from": {"N": str(from_version)}},
            ProjectionExpression="#version, #type, #council, #recorded, #data, #prev, #hash",
            ConsistentRead=True,
        )
        return (_stored_row(item) for item in items)

    def stream_heads(self) -> dict[str, tuple[int, str]]:
        """One strongly consistent read of each listed stream's newest event (no global order to scan instead)."""
        heads = {}
        for stream_id in self.stream_ids():
            last = self._last(stream_id, "#version, #hash")
            version, hash_ = _attribute(last, VERSION), _attribute(last, HASH)
            if type(version) is int and isinstance(hash_, str):
                heads[stream_id] = (version, hash_)
        return heads

    def _known_hash(self, stream_id: str, version: int) -> str | None:
        if version == 0:
            return GENESIS_HASH
        seen = self._seen.get(stream_id)
        return seen[1] if seen is not None and seen[0] == version else None

    def _saw(self, stream_id: str, version: int, hash_: str) -> None:
        if len(self._seen) >= MAX_SEEN_STREAMS:
            self._seen.clear()
        seen = self._seen.get(stream_id)
        if seen is None or seen[0] < version:
            self._seen[stream_id] = (version, hash_)

    # DynamoDB calls

    def _last(self, stream_id: str, projection: str) -> Item | None:
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="#stream = :stream",
            ExpressionAttributeNames=_names(projection, "#stream"),
            ExpressionAttributeValues={":stream": {"S": stream_id}},
            ProjectionExpression=projection,
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return items[0] if items else None

    def _query(self, **query: Any) -> Iterator[Item]:
        """Every item of a query, page after page."""
        used = " ".join(str(query.get(part, "")) for part in ("KeyConditionExpression", "FilterExpression"))
        query["ExpressionAttributeNames"] = _names(used, query.get("ProjectionExpression", ""))
        while True:
            page = self.client.query(TableName=self.table_name, **query)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _put(self, stream_id: str, expected_version: int, item: Item) -> None:
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression=_NEW_VERSION,
                ExpressionAttributeNames={"#version": VERSION},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error_code(error) != CONDITION_FAILED:
                raise
            # botocore retries a PutItem whose response was lost; if the first attempt was written, the item
            # already there is this very event (same hash, which covers the event id) and the append succeeded.
            existing = error.response.get("Item") or {}
            if existing.get(HASH) == item[HASH]:
                return
            raise _conflict(stream_id, expected_version, int(item[VERSION]["N"]), "ConditionalCheckFailed") from error

    def _transact(self, writes: Sequence[tuple[StreamAppend, Item]]) -> None:
        """One TransactWriteItems of every item; if cancelled, ConcurrencyError for the stream of the failing item."""
        size = sum(_item_size(item) for _, item in writes)
        if size > MAX_TRANSACTION_BYTES:
            raise ValueError(f"a batch of {size} bytes; one DynamoDB transaction takes at most {MAX_TRANSACTION_BYTES}")
        puts = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": item,
                    "ConditionExpression": _NEW_VERSION,
                    "ExpressionAttributeNames": {"#version": VERSION},
                }
            }
            for _, item in writes
        ]
        # botocore gives the call a ClientRequestToken, so its own retries of a transaction that did commit succeed.
        try:
            self.client.transact_write_items(TransactItems=puts)
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            # The reasons are in the order of the items, one each ("None" for an item that was not the cause).
            reasons = error.response.get("CancellationReasons") or []
            for (append, item), reason in zip(writes, reasons, strict=False):
                # TransactionConflict: another transaction was writing the same (stream, version) at that moment.
                if reason.get("Code") in ("ConditionalCheckFailed", "TransactionConflict"):
                    raise _conflict(
                        append.stream_id, append.expected_version, int(item[VERSION]["N"]), reason["Code"]
                    ) from error
            raise


def recorded_event_from_image(new_image: dict[str, Any]) -> RecordedEvent:
    """The event in a DynamoDB Streams NEW_IMAGE (DynamoDB JSON, as in a stream record or an EventBridge Pipe event)."""
    return deserialize(new_image[DATA]["S"], hash=new_image[HASH]["S"])


def _item(event: RecordedEvent, data: bytes, recorded_at: str, prev_hash: str) -> Item:
    item = {
        STREAM_ID: {"S": event.stream_id},
        VERSION: {"N": str(event.version)},
        EVENT_TYPE: {"S": event.event_type},
        RECORDED_AT: {"S": recorded_at},
        DATA: {"S": data.decode("utf-8")},
        PREV_HASH: {"S": prev_hash},
        HASH: {"S": event.hash},
        COUNCIL: {"S": event.council},
    }
    if event.version == 1:
        item[STREAM_START] = {"S": STREAMS_PARTITION}
        item[STREAM_KEY] = {"S": event.stream_id}
    return item


def _item_size(item: Item) -> int:
    """An upper bound of DynamoDB's size of an item: names plus values in UTF-8 (numbers count as their digits)."""
    return sum(len(name.encode()) + len(next(iter(value.values())).encode()) for name, value in item.items())


def _names(*expressions: str) -> dict[str, str]:
    """The placeholders an expression uses (DynamoDB refuses unused ones)."""
    text = " ".join(expressions)
    return {placeholder: name for placeholder, name in _NAMES.items() if placeholder in text}


def _attribute(item: Item | None, name: str) -> object:
    """An attribute's value as stored: a string (S), an integer (an integral N), or the attribute itself when it has
    another type (a tampered item: the audit names it rather than failing on it)."""
    value = (item or {}).get(name)
    if not isinstance(value, dict) or len(value) != 1:
        return value
    [(kind, content)] = value.items()
    if kind == "S" and isinstance(content, str):
        return content
    if kind == "N" and isinstance(content, str) and content.lstrip("-").isdigit():
        return int(content)
    return value


def _stored_row(item: Item) -> StoredRow:
    from shared.eventstore.verification import StoredRow

    data = _attribute(item, DATA)
    return StoredRow(
        _attribute(item, VERSION),
        data.encode("utf-8") if isinstance(data, str) else data,
        _attribute(item, PREV_HASH),
        _attribute(item, HASH),
        # every attribute a reader may filter on must agree with the hashed bytes, not just the content
        {name: _attribute(item, name) for name in (EVENT_TYPE, COUNCIL, RECORDED_AT)},
    )


def _conflict(stream_id: str, expected_version: int, version: int, reason: str) -> ConcurrencyError:
    conflict = ConcurrencyError(stream_id, expected_version)
    conflict.add_note(f"version {version} could not be written: {reason}")
    return conflict
