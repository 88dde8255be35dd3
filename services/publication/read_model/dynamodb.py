"""The public register on DynamoDB (AWS): items in the read-model table under the register's granted partition
(`pk = doc#public`, so the stack's `dynamodb:LeadingKeys` grant of the `public` read model covers every item), told
apart by their sort keys:

- `a#<council>#<reference>`: the record (`record`, its JSON), its `version` (N: writes are conditioned on a lower
  one), its compact `row` (what filters and sorts read), its `heads` (for the feed), and what it indexed (`indexed`:
  the sort keys of its index items and feed entries, so a new version takes away what the old one wrote);
- `c#<council>`: a council with records (a search without councils reads each);
- `l#<council>#<published_at>#<reference>`: the listing by publication date, with the compact `row`;
- `r#<reference>#<council>`: lookup by reference across councils;
- `p#<council>#<postcode>#<reference>`: lookup by postcode;
- `t#<council>#<a|d>#<word>#<reference>`: the inverted index of address (`a`) and description (`d`) words: a word is
  a Query on its prefix, and a word typed in part (the last of a query) is a Query on the part, so prefixes cost
  nothing more;
- `f#<key>` and `g#<council>#<key>`: the feed's entries (every council's, and one council's), in key order.

A search finds its candidates through the reference, postcode or word items (intersecting each word's), reads their
compact rows (BatchGetItem), filters and sorts them here, and reads only the page's records. A search without text
reads the council's listing rows. DynamoDB needs no always-on capacity for this (on-demand: a few read units per
search); the README says what it costs at 200,000 applications.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import orjson
from botocore.exceptions import ClientError

from services.publication import PUBLIC_READ_MODEL
from services.publication.read_model.port import (
    TEXT_STAGES,
    FeedEntry,
    FeedItem,
    FeedPage,
    FeedQuery,
    PublicSearch,
    SearchPage,
    TextStage,
    address_text,
    matches_filters,
    normalise_postcode,
    normalise_reference,
    sort_value,
    words,
)
from services.publication.record import PublicApplication, StreamHead
from shared.projections.dynamodb_store import DOCUMENT_PREFIX, PK, SK

PARTITION = DOCUMENT_PREFIX + PUBLIC_READ_MODEL
MAX_WORDS = 300  # distinct description words indexed per application (a description is at most 5,000 characters)
_BATCH_GET = 100
_BATCH_WRITE = 25


@dataclass(frozen=True, slots=True)
class Row:
    """What a search filters and sorts on (the same names and types as PublicApplication's)."""

    council: str
    reference: str
    application_type: str
    status: str
    decision: str | None
    received_at: datetime
    validated_at: date
    published_at: datetime
    decision_date: date | None
    consultation_end_date: date | None

    @classmethod
    def of(cls, application: PublicApplication) -> Row:
        return cls(**{name: getattr(application, name) for name in cls.__dataclass_fields__})

    def to_json(self) -> str:
        return orjson.dumps({name: getattr(self, name) for name in self.__dataclass_fields__}).decode("utf-8")

    @classmethod
    def from_json(cls, text: str) -> Row:
        data = orjson.loads(text)
        for name in ("received_at", "published_at"):
            data[name] = datetime.fromisoformat(data[name])
        for name in ("validated_at", "decision_date", "consultation_end_date"):
            data[name] = date.fromisoformat(data[name]) if data[name] else None
        return cls(**data)


def _sk(key: dict[str, Any]) -> str:
    return key[SK]["S"]


def _key(sort_key: str, partition: str = PARTITION) -> dict[str, dict[str, str]]:
    return {PK: {"S": partition}, SK: {"S": sort_key}}


def index_keys(application: PublicApplication) -> dict[str, dict[str, Any]]:
    """Every index item of a record (sort key → attributes), without its feed entries."""
    council, reference = application.council, application.reference
    row = Row.of(application).to_json()
    items: dict[str, dict[str, Any]] = {
        f"c#{council}": {},
        f"l#{council}#{application.published_at.isoformat()}#{reference}": {"row": {"S": row}},
        f"r#{reference}#{council}": {},
    }
    postcode = normalise_postcode(application.postcode)
    if postcode:
        items[f"p#{council}#{postcode}#{reference}"] = {}
    for stage, text in (("a", address_text(application)), ("d", application.description)):
        for word in list(dict.fromkeys(words(text)))[:MAX_WORDS]:
            items[f"t#{council}#{stage}#{word}#{reference}"] = {}
    return items


class DynamoDbPublicRegister:
    """`partition`: the register's partition key (a rebuild writes a fresh one: `generations.py`)."""

    def __init__(self, table_name: str, client: Any, partition: str = PARTITION) -> None:
        self.table_name = table_name
        self.client = client
        self.partition = partition

    # The projection's side.

    def version(self, council: str, reference: str) -> int:
        item = self._get(f"a#{council}#{reference}", "version", consistent=True)
        return int(item["version"]["N"]) if item else 0

    def put(self, application: PublicApplication, entries: Sequence[FeedEntry]) -> bool:
        council, reference = application.council, application.reference
        old = self._get(f"a#{council}#{reference}", "indexed", consistent=True)
        items = index_keys(application)
        for entry in entries:
            body = {"entry": {"S": orjson.dumps(_entry_dict(entry)).decode("utf-8")}}
            items[f"f#{entry.key}"] = body
            items[f"g#{council}#{entry.key}"] = body
        record = application.to_dict()
        item = {
            **_key(f"a#{council}#{reference}", self.partition),
            "version": {"N": str(application.version)},
            "record": {"S": orjson.dumps(record).decode("utf-8")},
            "row": {"S": Row.of(application).to_json()},
            "heads": {"S": orjson.dumps(record["audit_heads"]).decode("utf-8")},
            "indexed": {"S": orjson.dumps(sorted(items)).decode("utf-8")},
        }
        if not self._conditional_put(item, application.version):
            return False
        stale = set(orjson.loads(old["indexed"]["S"])) - set(items) if old else set()
        stale.discard(f"c#{council}")
        self._write([(key, attributes) for key, attributes in items.items()], sorted(stale))
        return True

    def remove(self, council: str, reference: str, version: int) -> bool:
        old = self._get(f"a#{council}#{reference}", "version, indexed", consistent=True)
        if old is None or int(old["version"]["N"]) >= version:
            return False
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=_key(f"a#{council}#{reference}", self.partition),
                ConditionExpression="#version < :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(version)}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        stale = set(orjson.loads(old["indexed"]["S"]))
        stale.discard(f"c#{council}")
        self._write([], sorted(stale))
        return True

    # The public's side.

    def get(self, council: str, reference: str) -> PublicApplication | None:
        item = self._get(f"a#{council}#{reference}", "record")
        return PublicApplication.from_dict(orjson.loads(item["record"]["S"])) if item else None

    def find(self, reference: str, councils: frozenset[str] = frozenset()) -> list[PublicApplication]:
        reference = normalise_reference(reference)
        found = [_sk(item).rsplit("#", 1)[1] for item in self._query(f"r#{reference}#")]
        wanted = [f"a#{council}#{reference}" for council in sorted(found) if not councils or council in councils]
        return [PublicApplication.from_dict(orjson.loads(i["record"]["S"])) for i in self._batch_get(wanted, "record")]

    def search(self, query: PublicSearch) -> SearchPage:
        councils = sorted(query.councils) if query.councils else self.councils()
        if not query.text.strip():
            rows = [Row.from_json(i["row"]["S"]) for c in councils for i in self._query(f"l#{c}#", "row")]
            return self._page(rows, query, None)
        for stage in TEXT_STAGES:
            candidates = [key for council in councils for key in self._candidates(council, stage, query.text)]
            if not candidates:
                continue
            rows = [Row.from_json(i["row"]["S"]) for i in self._batch_get(candidates, "row")]
            page = self._page(rows, query, stage)
            if page.total:
                return page
        return SearchPage([], 0, None)

    def councils(self) -> list[str]:
        return [_sk(item)[2:] for item in self._query("c#")]

    def _candidates(self, council: str, stage: TextStage, text: str) -> list[str]:
        """Sort keys of the records that may match at this stage (the rows' filters decide the rest)."""
        if stage == "reference":
            reference = normalise_reference(text)
            return [f"a#{council}#{reference}"] if "#" not in reference else []
        if stage == "postcode":
            postcode = normalise_postcode(text)
            items = self._query(f"p#{council}#{postcode}#") if postcode else []
            return [f"a#{council}#{_sk(item).rsplit('#', 1)[1]}" for item in items]
        wanted = words(text)
        if not wanted:
            return []
        part = "a" if stage == "address" else "d"
        *whole, last = wanted
        found: set[str] | None = None
        for word, prefix in [*((w, False) for w in dict.fromkeys(whole)), (last, True)]:
            start = f"t#{council}#{part}#{word}" + ("" if prefix else "#")
            references = {_sk(item).rsplit("#", 1)[1] for item in self._query(start)}
            found = references if found is None else found & references
            if not found:
                return []
        return [f"a#{council}#{reference}" for reference in sorted(found or ())]

    def _page(self, rows: list[Row], query: PublicSearch, stage: TextStage | None) -> SearchPage:
        kept = [row for row in rows if matches_filters(cast(PublicApplication, row), query)]
        descending = query.order == "desc"
        kept.sort(key=lambda r: (r.council, r.reference), reverse=descending)
        kept.sort(key=lambda r: sort_value(cast(PublicApplication, r), query.sort_by), reverse=descending)
        page = kept[query.offset : query.offset + query.limit]
        records = {
            _sk(item): PublicApplication.from_dict(orjson.loads(item["record"]["S"]))
            for item in self._batch_get([f"a#{r.council}#{r.reference}" for r in page], "record", with_key=True)
        }
        applications = [
            records[f"a#{r.council}#{r.reference}"] for r in page if f"a#{r.council}#{r.reference}" in records
        ]
        return SearchPage(applications, len(kept), stage if kept else None)

    def feed(self, query: FeedQuery) -> FeedPage:
        prefixes = [f"g#{council}#" for council in sorted(query.councils)] if query.councils else ["f#"]
        if len(prefixes) > 1:  # several councils named: merge their feeds (rare: one council per stack on AWS)
            prefixes = ["f#"]
        prefix = prefixes[0]
        entries = [
            _entry(item["entry"]["S"])
            for item in self._query(prefix, "entry", until=None if query.until is None else prefix + query.until)
        ]
        if query.councils:
            entries = [e for e in entries if e.council in query.councils]
        total = len(entries)
        if query.before is not None:
            earlier = [e for e in entries if e.key < query.before]
            page = earlier[-query.limit :]
            return FeedPage(self._with_heads(page), total, has_more=True, has_earlier=len(earlier) > len(page))
        later = [e for e in entries if query.after is None or e.key > query.after]
        page = later[: query.limit]
        return FeedPage(self._with_heads(page), total, has_more=len(later) > len(page), has_earlier=len(later) < total)

    def _with_heads(self, entries: list[FeedEntry]) -> list[FeedItem]:
        keys = sorted({f"a#{e.council}#{e.reference}" for e in entries})
        heads = {
            _sk(item): tuple(StreamHead(**head) for head in orjson.loads(item["heads"]["S"]))
            for item in self._batch_get(keys, "heads", with_key=True)
        }
        return [
            FeedItem(e, heads[f"a#{e.council}#{e.reference}"])
            for e in entries
            if f"a#{e.council}#{e.reference}" in heads
        ]

    # DynamoDB.

    def _get(self, sort_key: str, attributes: str, *, consistent: bool = False) -> dict[str, Any] | None:
        names = {f"#{name.strip()}": name.strip() for name in attributes.split(",")}
        return self.client.get_item(
            TableName=self.table_name,
            Key=_key(sort_key, self.partition),
            ProjectionExpression=", ".join(names),
            ExpressionAttributeNames=names,
            ConsistentRead=consistent,
        ).get("Item")

    def _conditional_put(self, item: dict[str, Any], version: int) -> bool:
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(#pk) OR #version < :version",
                ExpressionAttributeNames={"#pk": PK, "#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(version)}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _query(self, prefix: str, attribute: str | None = None, until: str | None = None) -> Iterator[dict[str, Any]]:
        if until is not None:
            condition = "#pk = :pk AND #sk BETWEEN :prefix AND :until"
            values = {":pk": {"S": self.partition}, ":prefix": {"S": prefix}, ":until": {"S": until}}
        else:
            condition = "#pk = :pk AND begins_with(#sk, :prefix)"
            values = {":pk": {"S": self.partition}, ":prefix": {"S": prefix}}
        names = {"#pk": PK, "#sk": SK}
        if attribute:
            names["#a"] = attribute
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ProjectionExpression": "#sk" + (", #a" if attribute else ""),
        }
        while True:
            page = self.client.query(**request)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _batch_get(self, sort_keys: Sequence[str], attribute: str, *, with_key: bool = False) -> list[dict[str, Any]]:
        """Items by sort key, in the order given (missing ones left out)."""
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(sort_keys))
        for start in range(0, len(unique), _BATCH_GET):
            pending: dict[str, Any] = {
                self.table_name: {
                    "Keys": [_key(key, self.partition) for key in unique[start : start + _BATCH_GET]],
                    "ProjectionExpression": "#sk, #a",
                    "ExpressionAttributeNames": {"#sk": SK, "#a": attribute},
                }
            }
            while pending:
                answer = self.client.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    found[_sk(item)] = item
                pending = answer.get("UnprocessedKeys") or {}
        return [found[key] for key in unique if key in found]

    def _write(self, puts: Iterable[tuple[str, dict[str, Any]]], deletes: Iterable[str]) -> None:
        requests = [{"PutRequest": {"Item": {**_key(key, self.partition), **attributes}}} for key, attributes in puts]
        requests += [{"DeleteRequest": {"Key": _key(key, self.partition)}} for key in deletes]
        for start in range(0, len(requests), _BATCH_WRITE):
            pending: dict[str, Any] = {self.table_name: requests[start : start + _BATCH_WRITE]}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _entry_dict(entry: FeedEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in entry.__dataclass_fields__}


def _entry(text: str) -> FeedEntry:
    data = orjson.loads(text)
    data["occurred_at"] = datetime.fromisoformat(data["occurred_at"])
    return FeedEntry(**data)
