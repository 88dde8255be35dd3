"""The public register on DynamoDB (AWS): items in a table of its own, laid out as the read models' table
(`read_model_table_spec`), told apart by their sort keys. Its own table because it is a search index of tens of items
per published application, read by the public API: the officers' read models stay a small table, and the stack grants
the public functions this table only (`cdk/stack.py`, `OWN_TABLE_READ_MODELS`).

A register is one generation (`doc#public`; a rebuild writes `doc#public@<n>`: `generations.py`). Its records and counts
live in the generation's partition; every list a search or the feed reads in key order lives in a partition of its own,
named by the generation and the list (`partition_key`): `doc#public|t#<council>#<term>` holds one term's postings,
`doc#public|f` the feed, `doc#public|g#<council>` a council's feed, `doc#public|r#<reference>` a reference's councils,
`doc#public|l#<year-number>` the references of a year and number. So a Query reads one list's partition, never the whole
register's, and the writes of a projection spread over many partitions instead of all landing on one (DynamoDB serves
each partition key at most 1,000 writes and 3,000 reads a second). The items:

- `a#<council>#<reference>`: the record (`record`, its JSON), its `version` (N: a record replaces only one of a
  lower version), its compact `row` (what filters and sorts read), its `heads` (for the feed), what it indexed
  (`indexed`: the sort keys of its index items and feed entries, so a new version takes away what the old one wrote)
  and, until its writes are all done, what they are to take away (`unsettled`). A put reads the stored record
  (version and keys), stores the new one conditioned on the version it read, with `unsettled` = the keys the stored
  one's writes may have left that the new one does not have, writes its items, deletes those, then removes
  `unsettled`. So a delivery that fails midway (a throttled batch, a timeout) is retried by putting the same version
  again (allowed while `unsettled` is there) and nothing it wrote or was to delete is forgotten; and a put that a
  newer version overtook takes away what it wrote that the newer one does not have. A removal marks the record
  `removing`, deletes what it wrote, then the record, so its retry completes it too. (A record's creation and its
  removal's mark are each one TransactWriteItems with the change of the council's count below, so a delivery that
  stops anywhere leaves the count exact; a put over an unsettled record notes all its address terms again.)
- `counts`: how many records each council has (`n#<council>`, N): the councils a search without councils reads,
  and the total of a search that filters on councils only (no Query for either); and each council's address
  vocabulary (`a#<council>`, SS: the `x:a:` terms its records have, the first 1-3 letters of their address words),
  so a free-text search whose last word begins no address word skips the address stage without a Query. A record's
  creation adds 1 and the terms in the same transaction; a later version adds the terms the record it read did not
  have (all of them if that one was unsettled); a removal's mark subtracts 1 in the same transaction. The
  vocabulary only grows (a stale term costs a Query that finds nothing);
- `x#<council>#<reference>`: the version the application was last taken out at (`version`, N). A removal writes it
  before marking the record, and a put of that version or an earlier one changes nothing: deliveries of one
  application run concurrently, and one that read it while it was public must not bring it back once another took it
  out (its put either lands before the removal's mark, which then takes away what it wrote, or fails on the mark and
  reads this). A put that creates the record checks this in its transaction, so one racing a removal that found no
  record is refused; a put whose items land after a removal marked its record takes them away itself (`_settle`);
- `c#<council>`: the council's facts for the public faces (`council`, JSON of `PublicCouncil`) and the council stream
  `version` they were made at (a put over a later version's is refused);
- `r#<reference>#<council>`: lookup by reference across councils;
- `l#<year-number>#<reference>#<council>`: the references of one year and number (`26-00042`), in a partition of its
  own (`doc#public|l#26-00042`), each carrying the row: the reference stage of a free-text search finds a leading part
  (`26-00042-HA`, `port.reference_text`) with one Query of `begins_with` it;
- `t#<council>#<term>#<p|r>#<moment>#<reference>`: the postings, in publication (`p`) and received (`r`) order:
  one per term of the record: `w:a:`/`w:d:` + a word of its address / description, `x:a:`/`x:d:` + the first one
  to three letters of one (a last word typed in part), `f:*` (every record), `f:s:`/`f:t:`/`f:k:`/`f:p:` + its
  status, type, decision, postcode. Each posting carries the row, and a word posting its field's words, so a
  posting is checked against the whole query without reading anything else;
- `f#<key>` and `g#<council>#<key>`: the feed's entries (every council's, and one council's), in key order.

A search reads the counts (one GetItem) unless it names its councils, then one Query page of the newest (or
oldest) postings of each of its terms, takes the sparsest of them (the one whose page reaches furthest: the rarest)
and walks it in the page's order, a Query page at a time, checking each posting against the whole query, until the
page and the count (to `COUNT_CAP_DYNAMODB`) are full; a date range on the sort field bounds the walk's keys. So
a search is a few Query calls and one BatchGetItem of the page's records whatever the number of applications
(`tests/publication/test_register_dynamodb.py` counts them); only a query whose filters keep very few of its rarest
term's postings walks further (its page is still exact, its total counted as far as `max_pages` Query pages went).
A search that filters on councils only walks `f:*` just to its page (none for `limit` 0) and takes its total from
the counts. (A register written before the counts existed needs `bops replay public` once.)
DynamoDB needs no always-on capacity for this (on-demand: a few read units per search); the README says what it
costs at 200,000 applications.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
    PublicCouncil,
    PublicSearch,
    SearchPage,
    SortField,
    TextStage,
    address_text,
    contains_words,
    councils_only,
    matches_filters,
    normalise_postcode,
    normalise_reference,
    reference_matches,
    reference_text,
    select,
    sort_value,
    text_matches,
    words,
    year_and_number,
)
from services.publication.record import PublicApplication, StreamHead
from shared.aws.batch import batch_get, batch_write
from shared.aws.errors import CONDITION_FAILED, error_code
from shared.projections.dynamodb_store import DOCUMENT_PREFIX, PK, SK

PARTITION = DOCUMENT_PREFIX + PUBLIC_READ_MODEL
MAX_WORDS = 300  # distinct description words indexed per application (a description is at most 5,000 characters)
CARRIED_WORDS = 64  # words a posting carries (more: `m`, and a candidate's record is read to check it)
PREFIX_LENGTHS = (1, 2, 3)
PAGE_ITEMS = 300  # postings per Query page of the walk (about 150 kB)
PROBE_ITEMS = 100  # postings per term read to find the rarest
COUNT_CAP_DYNAMODB = 250  # totals counted to this (lower than SQLite's: every posting read costs read units)
MAX_PAGES = 4  # Query pages a search walks for its count once its page is full
ORDER_LETTERS: dict[SortField, str] = {"published_at": "p", "received_at": "r"}
FACETS = {"status": "f:s:", "application_type": "f:t:", "decision": "f:k:"}
COUNTS = "counts"  # the sort key of the per-council record counts
MAX_PUT_ATTEMPTS = 10  # reads and conditional puts of one record while other deliveries keep replacing it
# A plain write to an item that a transaction holds at that moment (botocore does not retry it).
TRANSACTION_CONFLICT = "TransactionConflictException"


class RegisterContention(RuntimeError):
    """Other deliveries kept replacing an application's record while this one tried to store it: retry the delivery."""


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
        return cls.from_dict(orjson.loads(text))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        data = dict(data)
        for name in ("received_at", "published_at"):
            data[name] = datetime.fromisoformat(data[name])
        for name in ("validated_at", "decision_date", "consultation_end_date"):
            data[name] = date.fromisoformat(data[name]) if data[name] else None
        return cls(**data)


def _sk(key: dict[str, Any]) -> str:
    return key[SK]["S"]


# How many `#`-separated parts of a sort key name the list (and so the partition) it belongs to, by its kind.
LIST_PARTS = {"t": 3, "g": 2, "r": 2, "l": 2, "f": 1}
LIST_SEPARATOR = "|"


def partition_key(generation: str, sort_key: str) -> str:
    """The partition of an item (or of a key prefix) of a generation: a list's own, else the generation's."""
    parts = LIST_PARTS.get(sort_key[:1]) if sort_key[1:2] == "#" else None
    if parts is None:
        return generation
    return generation + LIST_SEPARATOR + "#".join(sort_key.split("#", parts)[:parts])


def _key(sort_key: str, generation: str = PARTITION) -> dict[str, dict[str, str]]:
    return {PK: {"S": partition_key(generation, sort_key)}, SK: {"S": sort_key}}


def moment_key(value: datetime) -> str:
    """A moment as fixed-width UTC text (sorts as the moment does)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def field_words(application: PublicApplication) -> dict[str, list[str]]:
    """The distinct words of the address (`a`) and the description (`d`) a record is found by."""
    return {
        "a": list(dict.fromkeys(words(address_text(application))))[:MAX_WORDS],
        "d": list(dict.fromkeys(words(application.description)))[:MAX_WORDS],
    }


def index_keys(application: PublicApplication) -> dict[str, dict[str, Any]]:
    """Every index item of a record (sort key → attributes), without its feed entries."""
    council, reference = application.council, application.reference
    row = orjson.loads(Row.of(application).to_json())
    found = field_words(application)
    carried = {
        part: {"S": orjson.dumps({"row": row, "w": ws[:CARRIED_WORDS], "m": len(ws) > CARRIED_WORDS}).decode()}
        for part, ws in found.items()
    }
    plain = {"S": orjson.dumps({"row": row}).decode()}
    terms: dict[str, dict[str, str]] = {"f:*": plain}
    for facet, prefix in FACETS.items():
        value = getattr(application, facet)
        if value is not None:
            terms[prefix + value] = plain
    postcode = normalise_postcode(application.postcode)
    if postcode:
        terms["f:p:" + postcode] = plain
    for part, ws in found.items():
        for word in ws:
            terms[f"w:{part}:{word}"] = carried[part]
            for length in PREFIX_LENGTHS:
                terms.setdefault(f"x:{part}:{word[:length]}", carried[part])
    items: dict[str, dict[str, Any]] = {f"r#{reference}#{council}": {}}
    number = year_and_number(reference)
    if number is not None:  # found by its leading part: every reference of this year and number, in one list
        items[f"l#{number}#{reference}#{council}"] = {"x": plain}
    for field, letter in ORDER_LETTERS.items():
        moment = moment_key(getattr(application, field))
        for term, posting in terms.items():
            items[f"t#{council}#{term}#{letter}#{moment}#{reference}"] = {"x": posting}
    return items


@dataclass(frozen=True, slots=True)
class Summary:
    """The `counts` item: records per council, and each council's address vocabulary (its `x:a:` terms)."""

    counts: dict[str, int]
    address_terms: dict[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Wanted:
    """What a stage of a search asks of a posting: its terms (any may drive the walk) and the words to check."""

    terms: tuple[str, ...]
    part: str | None = None  # the field whose words are checked (`a` or `d`), None: no words
    whole: tuple[str, ...] = ()
    last: str = ""  # the last word, matched as a prefix


def stage_wanted(stage: TextStage | None, text: str, query: PublicSearch) -> Wanted | None:
    """The terms of a stage (None: the text cannot match at this stage)."""
    if stage is None:
        terms = [prefix + next(iter(values)) for prefix, values in _facet_values(query) if len(values) == 1]
        return Wanted(("f:*", *terms))
    if stage == "postcode":
        postcode = normalise_postcode(text)
        return Wanted((f"f:p:{postcode}",)) if postcode else None
    wanted = words(text)
    if not wanted or stage == "reference":
        return None
    part = "a" if stage == "address" else "d"
    *whole, last = wanted
    terms = [f"w:{part}:{word}" for word in dict.fromkeys(whole)]
    terms.append(f"x:{part}:{last[: PREFIX_LENGTHS[-1]]}")
    return Wanted(tuple(terms), part, tuple(whole), last)


@dataclass(slots=True)
class _Walk:
    """One term's postings of one council in the page's order, a Query page at a time."""

    request: dict[str, Any]
    items: list[dict[str, Any]]
    done: bool  # no page after this one

    def reach(self) -> str:
        """How far the postings read go: the last one's moment key ("" if none)."""
        return _sk(self.items[-1]).rsplit("#", 2)[-2] if self.items else ""


def _facet_values(query: PublicSearch) -> list[tuple[str, frozenset[str]]]:
    return [
        (FACETS["status"], query.statuses),
        (FACETS["application_type"], query.application_types),
        (FACETS["decision"], query.decisions),
    ]


def _sort_tuple(row: Row, sort_by: SortField) -> tuple[str, str, str]:
    return (sort_value(cast(PublicApplication, row), sort_by), row.council, row.reference)


class DynamoDbPublicRegister:
    """`partition`: the register's generation, its records' partition key (a rebuild writes a fresh one:
    `generations.py`)."""

    count_cap = COUNT_CAP_DYNAMODB
    page_items = PAGE_ITEMS
    max_pages = MAX_PAGES

    def __init__(self, table_name: str, client: Any, partition: str = PARTITION) -> None:
        self.table_name = table_name
        self.client = client
        self.partition = partition

    # The projection's side.

    def version(self, council: str, reference: str) -> int:
        item = self._get(f"a#{council}#{reference}", "version", consistent=True)
        return int(item["version"]["N"]) if item else 0

    def put(
        self, application: PublicApplication, entries: Sequence[FeedEntry], *, replace_same_version: bool = False
    ) -> bool:
        council, reference = application.council, application.reference
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
        for attempt in range(MAX_PUT_ATTEMPTS):
            old, removed_at = self._record_and_removal(council, reference)
            if removed_at >= application.version:  # read while it was public, delivered after it was taken out
                return False
            if old is not None:
                stored_version = int(old["version"]["N"])
                if stored_version > application.version:
                    return False
                if stored_version == application.version and "unsettled" not in old and not replace_same_version:
                    return False  # a repeat of a finished put
            was = written_keys(old) if old else set()
            stale = sorted(was - set(items))
            stored = {**item, "unsettled": {"S": orjson.dumps(stale).decode("utf-8")}}
            # A settled record's terms are in the vocabulary; an unsettled one's may not be (its put may have stopped
            # before noting them), so they are noted again: adding to a set twice changes nothing.
            noted = _address_terms(was) if old is not None and "unsettled" not in old else set()
            terms = _address_terms(items) - noted
            if old is not None and "removing" not in old:  # counted when it was created: the count stays
                if self._put_over(stored, old):
                    self._note(council, terms)
                    break
            elif self._put_counted(stored, old, council, reference, terms):  # new, or back while a removal took it out
                break
            _pause(attempt)
        else:
            raise RegisterContention(f"the public record of {council} {reference} kept changing; deliver it again")
        self._write([(key, attributes) for key, attributes in items.items()], stale)
        self._settle(council, reference, application.version, set(items))
        return True

    def remove(self, council: str, reference: str, version: int) -> bool:
        """Take away a stored record of a lower version and what it wrote: the removal noted first (`x#`, so no put
        of an earlier version lands afterwards), the record marked `removing`, so a removal that fails midway is
        completed by its retry (the record stays, marked, until its items are gone)."""
        self._mark_removed(council, reference, version - 1)  # first: a put over the record now fails and reads it
        key = _key(f"a#{council}#{reference}", self.partition)
        mark = {  # only a stored record of a lower version (a missing one has no version: the condition fails)
            "Update": {
                "TableName": self.table_name,
                "Key": key,
                "UpdateExpression": "SET #removing = :yes",
                "ConditionExpression": "#version < :version AND attribute_not_exists(#removing)",
                "ExpressionAttributeNames": {"#version": "version", "#removing": "removing"},
                "ExpressionAttributeValues": {":version": {"N": str(version)}, ":yes": {"BOOL": True}},
            }
        }
        for attempt in range(MAX_PUT_ATTEMPTS):
            marked = self._with_counts(mark, council, -1)
            old = self._get(f"a#{council}#{reference}", "version, indexed, unsettled, removing", consistent=True)
            if old is None or int(old["version"]["N"]) >= version:  # none, or put again since (it took over)
                return marked
            if "removing" in old:  # marked now, or by an earlier try of this removal (and uncounted then)
                break
            _pause(attempt)  # another delivery's transaction held the record or the counts
        else:
            raise RegisterContention(f"the public record of {council} {reference} kept changing; deliver it again")
        self._write([], sorted(written_keys(old)))
        try:
            _past_transactions(
                self.client.delete_item,
                TableName=self.table_name,
                Key=key,
                ConditionExpression="#version < :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(version)}},
            )
        except ClientError as error:  # a newer version was put meanwhile: it took the removed one's items away
            if error_code(error) != CONDITION_FAILED:
                raise
        return True

    def put_council(self, council: PublicCouncil) -> None:
        try:  # over facts of the same or an earlier council stream version only
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    **_key(f"c#{council.code}", self.partition),
                    "version": {"N": str(council.version)},
                    "council": {"S": orjson.dumps(council).decode("utf-8")},
                },
                ConditionExpression="attribute_not_exists(#version) OR #version <= :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(council.version)}},
            )
        except ClientError as error:
            if error_code(error) != CONDITION_FAILED:
                raise

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
        summary = self.summary() if not query.councils or query.text.strip() else None
        counts = summary.counts if summary else None
        councils = sorted(query.councils) if query.councils else sorted(c for c, n in (counts or {}).items() if n > 0)
        if query.reference is not None:  # at most one application per council: read them
            reference = normalise_reference(query.reference)
            keys = [f"a#{council}#{reference}" for council in councils] if "#" not in reference else []
            found = [
                PublicApplication.from_dict(orjson.loads(i["record"]["S"])) for i in self._batch_get(keys, "record")
            ]
            return select(found, query, self.count_cap)
        if not query.text.strip():
            if councils_only(query):  # its total is the councils' counts: walk only to the page
                counts = self.counts() if counts is None else counts
                return self._counted(councils, query, sum(counts.get(council, 0) for council in councils))
            return self._stage(councils, query, None)
        vocabulary = summary.address_terms if summary else None
        for stage in TEXT_STAGES:
            page = self._stage(councils, query, stage, vocabulary)
            if page.total:
                return page
        return SearchPage([], 0, None)

    def council(self, code: str) -> PublicCouncil | None:
        item = self._get(f"c#{code}", "council")
        return PublicCouncil(**orjson.loads(item["council"]["S"])) if item else None

    def councils(self) -> list[str]:
        return sorted(council for council, number in self.counts().items() if number > 0)

    def counts(self) -> dict[str, int]:
        """How many records each council has."""
        return self.summary().counts

    def summary(self) -> Summary:
        item = self.client.get_item(TableName=self.table_name, Key=_key(COUNTS, self.partition)).get("Item") or {}
        return Summary(
            {name[2:]: int(value["N"]) for name, value in item.items() if name.startswith("n#")},
            {name[2:]: frozenset(value["SS"]) for name, value in item.items() if name.startswith("a#")},
        )

    def _counted(self, councils: list[str], query: PublicSearch, total: int) -> SearchPage:
        """The page of a search that filters on councils only, whose total (`total`) the counts gave."""
        if not total:
            return SearchPage([], 0, None)
        wanted, found = stage_wanted(None, "", query), []
        end = query.offset + query.limit
        if wanted is not None and end:
            for council in councils:
                found += self._walk(council, wanted, query, end, end)[0]
        page = self._page(found, query, None, exact=True) if found else SearchPage([], 0, None)
        return SearchPage(page.applications, min(total, self.count_cap), None, exact=total <= self.count_cap)

    def _stage(
        self,
        councils: list[str],
        query: PublicSearch,
        stage: TextStage | None,
        vocabulary: dict[str, frozenset[str]] | None = None,
    ) -> SearchPage:
        """One stage of a search; with the councils' address `vocabulary`, the address stage walks only the councils
        that have an address word beginning as the last word does."""
        if stage == "reference":
            kept = [
                row
                for row in self._references(councils, query.text)
                if matches_filters(cast(PublicApplication, row), query)
            ]
            return self._page(kept, query, stage, exact=True)
        wanted = stage_wanted(stage, query.text, query)
        if wanted is None:
            return SearchPage([], 0, None)
        need = max(query.offset + query.limit, self.count_cap + 1)
        found: list[Row] = []
        exact = True
        for council in councils:
            if stage == "address" and vocabulary is not None and wanted.terms[-1] not in vocabulary.get(council, ()):
                continue  # no address of the council has a word beginning so: nothing to walk
            rows, complete = self._walk(council, wanted, query, need, query.offset + query.limit)
            found += rows
            exact = exact and complete
        return self._page(found, query, stage, exact)

    def _references(self, councils: list[str], text: str) -> list[Row]:
        """The rows of the councils' applications the reference stage of `text` finds: the whole reference (one
        BatchGetItem of the records), and for a text typed as a reference its leading part (one Query of the list of
        its year and number: `l#`, a few items per council)."""
        wanted = reference_text(text)
        keys = [f"a#{council}#{wanted.whole}" for council in councils] if "#" not in wanted.whole else []
        rows = {
            (row.council, row.reference): row
            for row in map(Row.from_json, (i["row"]["S"] for i in self._batch_get(keys, "row")))
        }
        if wanted.year_and_number is not None:
            served = set(councils)
            for item in self._query(f"l#{wanted.year_and_number}#{wanted.leading}", "x"):
                row = Row.from_dict(orjson.loads(item["x"]["S"])["row"])
                if row.council in served and reference_matches(row.council, row.reference, wanted):
                    rows.setdefault((row.council, row.reference), row)
        return list(rows.values())

    def _page(self, found: list[Row], query: PublicSearch, stage: TextStage | None, exact: bool) -> SearchPage:
        descending = query.order == "desc"
        found.sort(key=lambda row: _sort_tuple(row, query.sort_by), reverse=descending)
        total = min(len(found), self.count_cap)
        exact = exact and len(found) <= self.count_cap
        if not total:
            return SearchPage([], 0, None)
        page = found[query.offset : query.offset + query.limit]
        keys = [f"a#{row.council}#{row.reference}" for row in page]
        records = {
            _sk(item): PublicApplication.from_dict(orjson.loads(item["record"]["S"]))
            for item in self._batch_get(keys, "record", with_key=True)
        }
        return SearchPage([records[key] for key in keys if key in records], total, stage, exact)

    def _walk(
        self, council: str, wanted: Wanted, query: PublicSearch, need: int, page_end: int
    ) -> tuple[list[Row], bool]:
        """The council's postings matching the query, in the page's order, from its rarest term's postings: until
        `need` are found, the postings end, or (the page, to `page_end`, full) `max_pages` Query pages were read.
        Returns them and whether the postings ended (the count is complete)."""
        walks = [self._start(council, term, query) for term in wanted.terms]
        # The rarest term: one whose postings ended, else the one whose first page reaches furthest.
        walk = min(walks, key=lambda w: (not w.done, w.reach() if query.order == "desc" else _after(w.reach())))
        found: list[Row] = []
        pages = 1
        while True:
            for item in walk.items:
                row = self._check(item, wanted, query)
                if row is not None:
                    found.append(row)
                    if len(found) >= need:
                        return found, False
            if walk.done:
                return found, True
            if pages >= self.max_pages and len(found) >= page_end:
                return found, False
            self._next(walk)
            pages += 1

    def _start(self, council: str, term: str, query: PublicSearch) -> _Walk:
        prefix = f"t#{council}#{term}#{ORDER_LETTERS[query.sort_by]}#"
        low, high = prefix, prefix + "~"
        for wanted in query.date_ranges:  # a range on the sort field bounds the keys
            if wanted.field == query.sort_by:
                if wanted.start is not None:
                    low = max(low, prefix + wanted.start.isoformat())
                if wanted.end is not None:
                    high = min(high, prefix + (wanted.end + timedelta(days=1)).isoformat())
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK, "#x": "x"},
            "ExpressionAttributeValues": {
                ":pk": {"S": partition_key(self.partition, prefix)},
                ":low": {"S": low},
                ":high": {"S": high},
            },
            "ProjectionExpression": "#sk, #x",
            "ScanIndexForward": query.order == "asc",
            "Limit": min(PROBE_ITEMS, self.page_items),
        }
        walk = _Walk(request, [], False)
        self._next(walk)
        request["Limit"] = self.page_items
        return walk

    def _next(self, walk: _Walk) -> None:
        page = self.client.query(**walk.request)
        walk.items = page.get("Items", [])
        if "LastEvaluatedKey" in page:
            walk.request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        else:
            walk.done = True

    def _check(self, item: dict[str, Any], wanted: Wanted, query: PublicSearch) -> Row | None:
        posting = orjson.loads(item["x"]["S"])
        row = Row.from_dict(posting["row"])
        if not matches_filters(cast(PublicApplication, row), query):
            return None
        if wanted.part is None or contains_words(posting["w"], [*wanted.whole, wanted.last]):
            return row
        if posting.get("m"):  # the posting carries only some of the words: the record decides
            record = self.get(row.council, row.reference)
            stage: TextStage = "address" if wanted.part == "a" else "description"
            if record is not None and text_matches(record, stage, query.text):
                return row
        return None

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

    def _record_and_removal(self, council: str, reference: str) -> tuple[dict[str, Any] | None, int]:
        """The stored record (its version, keys and marks) and the version the application was last taken out at
        (0: never), in one consistent read."""
        record, removal = f"a#{council}#{reference}", f"x#{council}#{reference}"
        names = {f"#{name}": name for name in ("version", "indexed", "unsettled", "removing")}
        items = batch_get(
            self.client,
            self.table_name,
            [_key(record, self.partition), _key(removal, self.partition)],
            ProjectionExpression=f"#sk, {', '.join(names)}",
            ExpressionAttributeNames={"#sk": SK, **names},
            ConsistentRead=True,
        )
        found = {_sk(item): item for item in items}
        removed = found.get(removal)
        return found.get(record), int(removed["version"]["N"]) if removed else 0

    def _mark_removed(self, council: str, reference: str, version: int) -> None:
        """Note that the application was taken out at `version` (`x#`), unless a later removal's note is there."""
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={**_key(f"x#{council}#{reference}", self.partition), "version": {"N": str(version)}},
                ConditionExpression="attribute_not_exists(#pk) OR #version < :version",
                ExpressionAttributeNames={"#pk": PK, "#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(version)}},
            )
        except ClientError as error:
            if error_code(error) != CONDITION_FAILED:
                raise

    def _put_over(self, item: dict[str, Any], seen: dict[str, Any] | None) -> bool:
        """Store the record if the stored one is still the one read (`seen`), the count unchanged."""
        try:
            self.client.put_item(TableName=self.table_name, Item=item, **_unchanged_since(seen))
        except ClientError as error:  # changed since, or being changed by a removal's transaction: read it again
            if error_code(error) in (CONDITION_FAILED, TRANSACTION_CONFLICT):
                return False
            raise
        return True

    def _put_counted(
        self, item: dict[str, Any], seen: dict[str, Any] | None, council: str, reference: str, terms: set[str]
    ) -> bool:
        """Store the record if the stored one is still the one read (`seen`: none, or one being removed), counted in
        the same transaction (a delivery that fails between the two would otherwise leave the count one off, and a
        council whose count is 0 out of every search that does not name it)."""
        put = {"Put": {"TableName": self.table_name, "Item": item, **_unchanged_since(seen)}}
        # A removal notes itself before it reads the record: checked here, in the record's own transaction, its note
        # either stops this put or was written after it, and then its read finds this record and takes it out.
        check = {
            "ConditionCheck": {
                "TableName": self.table_name,
                "Key": _key(f"x#{council}#{reference}", self.partition),
                "ConditionExpression": "attribute_not_exists(#pk) OR #version < :version",
                "ExpressionAttributeNames": {"#pk": PK, "#version": "version"},
                "ExpressionAttributeValues": {":version": item["version"]},
            }
        }
        return self._with_counts(put, council, 1, terms, check)

    def _with_counts(
        self,
        action: dict[str, Any],
        council: str,
        change: int,
        terms: AbstractSet[str] = frozenset(),
        *checks: dict[str, Any],
    ) -> bool:
        """One transaction of `action` (on a record), the council's count changed by `change` (and `terms` added to
        its address vocabulary) and any `checks`. False if a condition failed, or another transaction held one of its
        items (the caller reads the record again)."""
        counts = self._counts_update(council, change, terms)
        try:
            self.client.transact_write_items(TransactItems=[action, {"Update": counts}, *checks])
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            reasons = {reason.get("Code") for reason in error.response.get("CancellationReasons") or []}
            if reasons - {None, "None", "ConditionalCheckFailed", "TransactionConflict"}:
                raise
            return False
        return True

    def _settle(self, council: str, reference: str, version: int, written: set[str]) -> None:
        """Mark the record's writes done; if a newer version replaced it meanwhile, take away what this one wrote
        that the newer one does not have (its own writes may have landed after the newer one's deletes); if a removal
        marked or took it meanwhile, take away all of it (they may have landed after the removal's deletes)."""
        try:
            _past_transactions(
                self.client.update_item,
                TableName=self.table_name,
                Key=_key(f"a#{council}#{reference}", self.partition),
                UpdateExpression="REMOVE #unsettled",
                ConditionExpression="#version = :version AND attribute_not_exists(#removing)",
                ExpressionAttributeNames={"#version": "version", "#unsettled": "unsettled", "#removing": "removing"},
                ExpressionAttributeValues={":version": {"N": str(version)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error_code(error) != CONDITION_FAILED:
                raise
            newer = error.response.get("Item") or {}
            kept = set() if "removing" in newer or "indexed" not in newer else set(orjson.loads(newer["indexed"]["S"]))
            self._write([], sorted(written - kept))

    def _note(self, council: str, terms: set[str]) -> None:
        """Add these terms to the council's address vocabulary (nothing to do for none)."""
        if terms:
            _past_transactions(self.client.update_item, **self._counts_update(council, 0, terms))

    def _counts_update(self, council: str, change: int, terms: AbstractSet[str]) -> dict[str, Any]:
        """The update of the counts item adding `change` to the council's count and `terms` to its address
        vocabulary."""
        adds: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, dict[str, Any]] = {}
        if change:
            adds.append("#n :change")
            names["#n"], values[":change"] = f"n#{council}", {"N": str(change)}
        if terms:
            adds.append("#a :terms")
            names["#a"], values[":terms"] = f"a#{council}", {"SS": sorted(terms)}
        return {
            "TableName": self.table_name,
            "Key": _key(COUNTS, self.partition),
            "UpdateExpression": "ADD " + ", ".join(adds),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def _query(self, prefix: str, attribute: str | None = None, until: str | None = None) -> Iterator[dict[str, Any]]:
        """The items of one list (`prefix` names it: `partition_key`) whose keys begin with `prefix`."""
        partition = {"S": partition_key(self.partition, prefix)}
        if until is not None:
            condition = "#pk = :pk AND #sk BETWEEN :prefix AND :until"
            values = {":pk": partition, ":prefix": {"S": prefix}, ":until": {"S": until}}
        else:
            condition = "#pk = :pk AND begins_with(#sk, :prefix)"
            values = {":pk": partition, ":prefix": {"S": prefix}}
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
        unique = list(dict.fromkeys(sort_keys))
        keys = [_key(key, self.partition) for key in unique]
        names = {"#sk": SK, "#a": attribute}
        items = batch_get(
            self.client, self.table_name, keys, ProjectionExpression="#sk, #a", ExpressionAttributeNames=names
        )
        found = {_sk(item): item for item in items}
        return [found[key] for key in unique if key in found]

    def _write(self, puts: Iterable[tuple[str, dict[str, Any]]], deletes: Iterable[str]) -> None:
        requests = [{"PutRequest": {"Item": {**_key(key, self.partition), **attributes}}} for key, attributes in puts]
        requests += [{"DeleteRequest": {"Key": _key(key, self.partition)}} for key in deletes]
        batch_write(self.client, self.table_name, requests)


def _entry_dict(entry: FeedEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in entry.__dataclass_fields__}


def _entry(text: str) -> FeedEntry:
    data = orjson.loads(text)
    data["occurred_at"] = datetime.fromisoformat(data["occurred_at"])
    return FeedEntry(**data)


def written_keys(record: dict[str, Any]) -> set[str]:
    """The keys a stored record's writes may have left: its own (`indexed`) and, while they are not all done, what
    they were to take away (`unsettled`)."""
    keys = set(orjson.loads(record["indexed"]["S"])) if "indexed" in record else set()
    if "unsettled" in record:
        keys |= set(orjson.loads(record["unsettled"]["S"]))
    return keys


def _address_terms(keys: Iterable[str]) -> set[str]:
    """The `x:a:` terms among index sort keys (`t#<council>#<term>#...`)."""
    return {term for term in (key.split("#")[2] for key in keys if key.startswith("t#")) if term.startswith("x:a:")}


def _unchanged_since(seen: dict[str, Any] | None) -> dict[str, Any]:
    """The condition that the stored record is still the one read (`seen`: its version and whether a removal had
    marked it; None: there was none). A removal marks the record after noting itself (`x#`), so a put that read the
    record before the removal began either lands before the mark (and the removal takes away what it wrote) or fails
    and reads the removal's note."""
    if seen is None:
        return {"ConditionExpression": "attribute_not_exists(#pk)", "ExpressionAttributeNames": {"#pk": PK}}
    marked = "attribute_exists" if "removing" in seen else "attribute_not_exists"
    return {
        "ConditionExpression": f"#version = :seen AND {marked}(#removing)",
        "ExpressionAttributeNames": {"#version": "version", "#removing": "removing"},
        "ExpressionAttributeValues": {":seen": seen["version"]},
    }


def _past_transactions(call: Callable[..., Any], **request: Any) -> Any:
    """A write, tried again while a creation's or a removal's transaction holds its item (a moment: DynamoDB refuses
    other writes to an item in a transaction with TransactionConflictException, and botocore does not retry it)."""
    for attempt in range(MAX_PUT_ATTEMPTS - 1):
        try:
            return call(**request)
        except ClientError as error:
            if error_code(error) != TRANSACTION_CONFLICT:
                raise
        _pause(attempt)
    return call(**request)


def _pause(attempt: int) -> None:
    """A short wait, longer with each attempt, before reading again what another delivery is changing."""
    time.sleep(min(0.01 * 2**attempt, 0.5) * random.random())


def _after(reach: str) -> str:
    """A key that sorts the other way (an ascending walk reaching further has the larger key)."""
    return "".join(chr(0x10FFFF - ord(character)) for character in reach)
