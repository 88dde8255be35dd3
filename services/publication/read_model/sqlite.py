"""The public register on SQLite (embedded): records in a table keyed by their place in publication order, and one FTS5
index per sort order whose rowids are that order, holding every searchable thing as a term (address and description
words, and facets: council, status, type, decision, reference (whole, and each leading part a search may type:
`port.leading_parts`), postcode, and the dates at day, month, year, decade and century grain), so that any search is one
FTS5 query walked in rowid order and stopped at the page: its cost is bounded by the page (and the terms' doclist
seeks), not by how many applications match. Totals are counted to `COUNT_CAP`, except those kept as counters (a
council's applications, by status, type or decision), which are exact. A date range is the few terms that cover it (a
year is one term, an arbitrary range at most a few dozen, OR-ed: FTS5 merges their doclists in rowid order).

Why the index is shaped so (each measured at 100,000 applications, `bench/public_api.py`):
- One column of terms, each kind in its own namespace: address words as `a<word>`, description words as `d<word>`,
  facets as `z…` and `q…`. A word that is in no address (a description's words, tried at the address stage first)
  has no `a<word>` doclist at all, so a stage that cannot match costs nothing; with columns and column filters, FTS5
  walked every row holding the word in any column (6 ms instead of 0.1 ms).
- The FTS rowids are the sort keys negated: newest first, the registers' usual order, is FTS5's forward walk, which
  seeks lazily through large doclists (a reverse walk reads them whole: about twice the time with a common filter).
- Prefix indexes for prefixes of 1 to 6 letters of a word (`prefix='2 … 7'`, the namespace letter included): the
  last word of a search is matched as a prefix, and a prefix without its own index is merged from every word that
  starts with it (a full street name as "street" 2 ms, indexed 0.1 ms). A longer last word is looked up in the
  register's vocabulary (`<prefix>_words`, every address and description term, a B-tree): the few words it begins
  are OR-ed, which FTS5 walks lazily (the merge of "extension…" grew with the register: 2 ms at 100,000).
- One walk gives the total and the page: the first `COUNT_CAP + 1` matching rowids in the page's order, the page cut
  from them and its records read by key (a second walk for the page cost as much again).

Tables (`prefix` other than the default: a rebuild in progress):
- `<prefix>_applications`: one row per application, `key` (INTEGER PRIMARY KEY) its place in publication order,
  `received_key` (UNIQUE) its place in received order, the record's JSON;
- `<prefix>_by_published` and `<prefix>_by_received` (FTS5, rowid = key / received_key): the terms;
- `<prefix>_counts`: applications per council and per (council, facet term);
- `<prefix>_feed`: the feed's entries, by key.

A sort key is the moment in milliseconds times 2**21 plus a slot: applications at the same millisecond share its
2**21 slots in (moment, council, reference) order (a new one takes a free slot between its neighbours; if none is
free, that millisecond's few rows are spread out again), so rowid order is exactly the port's order.
"""

from __future__ import annotations

import bisect
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from services.publication.read_model.port import (
    COUNT_CAP,
    TEXT_STAGES,
    DateField,
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
    date_value,
    leading_parts,
    normalise_postcode,
    normalise_reference,
    reference_text,
    words,
)
from services.publication.record import PublicApplication, StreamHead
from shared.eventstore.sqlite import connect
from shared.private_files import private_sqlite_file

log = logging.getLogger(__name__)

PREFIX = "public"
SLOT_BITS = 21
SPAN = 1 << SLOT_BITS  # slots per millisecond
STEP = 1 << 10  # the gap left after the last of a millisecond (appends in order rarely respread)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # moments are clamped to these (the keys stay in 64 bits)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
PARKING = 9_000_000_000_000_000_000  # above every real key: where rows wait while a millisecond is respread
FIRST_DAY, LAST_DAY = date(1000, 1, 1), date(2999, 12, 31)
ORDERS: dict[SortField, tuple[str, str]] = {  # sort field → (key column, FTS table suffix)
    "published_at": ("key", "by_published"),
    "received_at": ("received_key", "by_received"),
}
DATE_LETTERS: dict[DateField, str] = {
    "received_at": "a",
    "validated_at": "b",
    "published_at": "e",
    "decision_date": "g",
    "consultation_end_date": "h",
}
FACET_PREFIXES = {"council": "zc", "status": "zs", "application_type": "zt", "decision": "zd"}
TEXT_MARKS: dict[str, str] = {"address": "a", "description": "d"}  # a text word's term: mark + word (facets: z…, q…)
COUNTED = ("status", "application_type", "decision")  # facets with counters (exact totals for one of them alone)
LONGEST_PREFIX = 6  # letters of a word typed in part that have a prefix index; a longer one is expanded from the words
EXPANSION_LIMIT = 32  # words a longer prefix may expand to (beyond: FTS5's own prefix query)


ROW_TABLES = ("applications", "counts", "words", "feed", "councils", "removed")  # copied as they are by a swap
TABLES = (*ROW_TABLES, "by_published", "by_received")  # and the full-text indexes, rebuilt by row id


def schema(prefix: str) -> str:
    prefixes = " ".join(str(letters + 1) for letters in range(1, LONGEST_PREFIX + 1))  # + 1: the namespace letter
    fts = f"terms, prefix='{prefixes}', tokenize='unicode61', detail=column"
    return f"""
CREATE TABLE IF NOT EXISTS {prefix}_applications (
    key INTEGER PRIMARY KEY,
    received_key INTEGER NOT NULL UNIQUE,
    council TEXT NOT NULL,
    reference TEXT NOT NULL,
    version INTEGER NOT NULL,
    published_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    facets TEXT NOT NULL,
    heads TEXT NOT NULL,
    record BLOB NOT NULL,
    UNIQUE (council, reference)
);
CREATE INDEX IF NOT EXISTS {prefix}_by_reference ON {prefix}_applications (reference, council);
CREATE VIRTUAL TABLE IF NOT EXISTS {prefix}_by_published USING fts5 ({fts});
CREATE VIRTUAL TABLE IF NOT EXISTS {prefix}_by_received USING fts5 ({fts});
CREATE TABLE IF NOT EXISTS {prefix}_counts (
    council TEXT NOT NULL,
    facet TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (council, facet)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS {prefix}_words (word TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS {prefix}_feed (
    key TEXT PRIMARY KEY,
    council TEXT NOT NULL,
    reference TEXT NOT NULL,
    entry BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {prefix}_feed_by_application ON {prefix}_feed (council, reference);
CREATE INDEX IF NOT EXISTS {prefix}_feed_by_council ON {prefix}_feed (council, key);
CREATE TABLE IF NOT EXISTS {prefix}_councils (
    code TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    facts BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS {prefix}_removed (
    council TEXT NOT NULL,
    reference TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (council, reference)
) WITHOUT ROWID;
"""


class SqlitePublicRegister:
    """PublicRegister on SQLite tables under `prefix`."""

    count_cap = COUNT_CAP

    def __init__(self, path: Path | str, prefix: str = PREFIX) -> None:
        if not prefix.isidentifier():
            raise ValueError(f"not a table prefix: {prefix!r}")
        self.path = private_sqlite_file(path)
        self.prefix = prefix
        self._local = threading.local()
        columns = {row[1] for row in self.connection().execute(f"PRAGMA table_info({prefix}_applications)")}
        indexed = {row[1] for row in self.connection().execute(f"PRAGMA table_info({prefix}_by_published)")}
        found = self.connection().execute("SELECT 1 FROM sqlite_master WHERE name = ?", (f"{prefix}_words",))
        vocabulary = found.fetchone() is not None
        if columns and ("received_key" not in columns or "terms" not in indexed or not vocabulary):
            log.warning("the public register %s has an earlier shape: emptied; `bops replay public` refills it", path)
            self.drop()
            self.connection().execute(f"DROP TABLE IF EXISTS {prefix}_text")
        self.connection().executescript(schema(prefix))

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = connect(self.path)
        return connection

    # The projection's side.

    def version(self, council: str, reference: str) -> int:
        row = (
            self.connection()
            .execute(
                f"SELECT version FROM {self.prefix}_applications WHERE council = ? AND reference = ?",
                (council, reference),
            )
            .fetchone()
        )
        return row[0] if row else 0

    def put(
        self, application: PublicApplication, entries: Sequence[FeedEntry], *, replace_same_version: bool = False
    ) -> bool:
        connection = self.connection()
        council, reference = application.council, application.reference
        with _transaction(connection):
            found = connection.execute(
                f"SELECT version FROM {self.prefix}_applications WHERE council = ? AND reference = ?",
                (council, reference),
            ).fetchone()
            if found is not None and (
                found[0] > application.version or (found[0] == application.version and not replace_same_version)
            ):
                return False
            removed = connection.execute(
                f"SELECT version FROM {self.prefix}_removed WHERE council = ? AND reference = ?", (council, reference)
            ).fetchone()
            if removed is not None and removed[0] >= application.version:
                return False
            if found is not None:
                self._delete(council, reference)
            self._insert(application)
            self._replace_entries(council, reference, entries)
        return True

    def _insert(self, application: PublicApplication) -> None:
        p, connection = self.prefix, self.connection()
        record = application.to_dict()
        facets = facet_terms(application)
        keys = {
            field: self._place(field, getattr(application, field), application.council, application.reference)
            for field in ORDERS
        }
        connection.execute(
            f"INSERT INTO {p}_applications (key, received_key, council, reference, version, published_at,"
            " received_at, facets, heads, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                keys["published_at"],
                keys["received_at"],
                application.council,
                application.reference,
                application.version,
                record["published_at"],
                record["received_at"],
                " ".join(facets),
                orjson.dumps(record["audit_heads"]),
                orjson.dumps(record),
            ),
        )
        terms = index_terms(application, facets)
        for field, (_, table) in ORDERS.items():
            connection.execute(f"INSERT INTO {p}_{table} (rowid, terms) VALUES (?, ?)", (-keys[field], terms))
        text_words = {term for term in terms.split() if term[0] in TEXT_MARKS.values()}
        connection.executemany(f"INSERT OR IGNORE INTO {p}_words (word) VALUES (?)", [(w,) for w in text_words])
        self._count(application.council, counted_terms(facets), +1)

    def _delete(self, council: str, reference: str) -> None:
        p, connection = self.prefix, self.connection()
        key, received_key, facets = connection.execute(
            f"SELECT key, received_key, facets FROM {p}_applications WHERE council = ? AND reference = ?",
            (council, reference),
        ).fetchone()
        connection.execute(f"DELETE FROM {p}_applications WHERE key = ?", (key,))
        connection.execute(f"DELETE FROM {p}_by_published WHERE rowid = ?", (-key,))
        connection.execute(f"DELETE FROM {p}_by_received WHERE rowid = ?", (-received_key,))
        self._count(council, counted_terms(facets.split()), -1)

    def _count(self, council: str, facets: list[str], change: int) -> None:
        self.connection().executemany(
            f"INSERT INTO {self.prefix}_counts (council, facet, n) VALUES (?, ?, ?)"
            " ON CONFLICT (council, facet) DO UPDATE SET n = n + excluded.n",
            [(council, facet, change) for facet in ["", *facets]],
        )

    def _place(self, field: SortField, moment: datetime, council: str, reference: str) -> int:
        """A free key for (moment, council, reference) in `field`'s order (respreading its millisecond if full)."""
        column, table = ORDERS[field]
        p, connection = self.prefix, self.connection()
        base = sort_base(moment)
        rows = connection.execute(
            f"SELECT {column}, {field}, council, reference FROM {p}_applications"
            f" WHERE {column} BETWEEN ? AND ? ORDER BY {column}",
            (base, base + SPAN - 1),
        ).fetchall()
        group = [((datetime.fromisoformat(m), c, r), k) for k, m, c, r in rows]
        mine = (moment, council, reference)
        at = bisect.bisect([place for place, _ in group], mine)
        low = group[at - 1][1] if at else base - 1
        high = group[at][1] if at < len(group) else base + SPAN
        if at == len(group) and low + STEP < high:
            return low + STEP
        if high - low >= 2:
            return (low + high) // 2
        # No free slot between the neighbours: spread this millisecond's rows evenly, this one included.
        spacing = SPAN // (len(group) + 2)
        for index, (_, key) in enumerate(group):  # first out of the way, then to their new keys
            self._move(column, table, key, PARKING + index)
        for index, (_, _key) in enumerate(group):
            self._move(column, table, PARKING + index, base + spacing * (index + 1 + (index >= at)))
        return base + spacing * (at + 1)

    def _move(self, column: str, table: str, old: int, new: int) -> None:
        p, connection = self.prefix, self.connection()
        connection.execute(f"UPDATE {p}_applications SET {column} = ? WHERE {column} = ?", (new, old))
        connection.execute(
            f"INSERT INTO {p}_{table} (rowid, terms) SELECT ?, terms FROM {p}_{table} WHERE rowid = ?", (-new, -old)
        )
        connection.execute(f"DELETE FROM {p}_{table} WHERE rowid = ?", (-old,))

    def _replace_entries(self, council: str, reference: str, entries: Sequence[FeedEntry]) -> None:
        connection = self.connection()
        connection.execute(f"DELETE FROM {self.prefix}_feed WHERE council = ? AND reference = ?", (council, reference))
        connection.executemany(
            f"INSERT OR REPLACE INTO {self.prefix}_feed (key, council, reference, entry) VALUES (?, ?, ?, ?)",
            [(entry.key, council, reference, _entry_json(entry)) for entry in entries],
        )

    def remove(self, council: str, reference: str, version: int) -> bool:
        connection = self.connection()
        with _transaction(connection):
            connection.execute(
                f"INSERT INTO {self.prefix}_removed (council, reference, version) VALUES (?, ?, ?)"
                " ON CONFLICT (council, reference) DO UPDATE SET version = max(version, excluded.version)",
                (council, reference, version - 1),
            )
            found = connection.execute(
                f"SELECT version FROM {self.prefix}_applications WHERE council = ? AND reference = ?",
                (council, reference),
            ).fetchone()
            if found is None or found[0] >= version:
                return False
            self._delete(council, reference)
            self._replace_entries(council, reference, ())
        return True

    def put_council(self, council: PublicCouncil) -> None:
        self.connection().execute(
            f"INSERT INTO {self.prefix}_councils (code, version, facts) VALUES (?, ?, ?)"
            " ON CONFLICT (code) DO UPDATE SET version = excluded.version, facts = excluded.facts"
            " WHERE excluded.version >= version",
            (council.code, council.version, orjson.dumps(council)),
        )

    # The public's side.

    def get(self, council: str, reference: str) -> PublicApplication | None:
        row = (
            self.connection()
            .execute(
                f"SELECT record FROM {self.prefix}_applications WHERE council = ? AND reference = ?",
                (council, reference),
            )
            .fetchone()
        )
        return PublicApplication.from_dict(orjson.loads(row[0])) if row else None

    def find(self, reference: str, councils: frozenset[str] = frozenset()) -> list[PublicApplication]:
        rows = self.connection().execute(
            f"SELECT council, record FROM {self.prefix}_applications WHERE reference = ? ORDER BY council",
            (normalise_reference(reference),),
        )
        return [
            PublicApplication.from_dict(orjson.loads(record))
            for council, record in rows
            if not councils or council in councils
        ]

    def search(self, query: PublicSearch) -> SearchPage:
        filters = filter_expression(query)
        if not query.text.strip():
            return self._page(filters, query, None)
        for stage in TEXT_STAGES:
            expression = stage_expression(stage, query.text, self._words_beginning)
            if expression is not None:
                page = self._page(_both(expression, filters), query, stage)
                if page.total:
                    return page
        return SearchPage([], 0, None)

    def plans(self, query: PublicSearch) -> list[str]:
        """EXPLAIN QUERY PLAN of every statement the search may run (each text stage's), for tests."""
        filters = filter_expression(query)
        expressions = [filters]
        if query.text.strip():
            stages = (stage_expression(stage, query.text, self._words_beginning) for stage in TEXT_STAGES)
            expressions = [_both(expression, filters) for expression in stages if expression is not None]
        column = ORDERS[query.sort_by][0]
        counted = self._counted(query)
        plans = []
        for expression in expressions:
            statements = self._statements(expression, query)
            if self._walks_once(expression, query, counted):
                statements = [statements[0], (_by_keys(self.prefix, column, 2), [1, 2])]
            elif counted is not None:
                statements = statements[1:2]
            else:
                statements = statements[1:]
            for sql, params in statements:
                if sql is not None:
                    rows = self.connection().execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
                    plans.append("\n".join(row[-1] for row in rows))
        return plans

    def _statements(self, expression: str | None, query: PublicSearch) -> list[tuple[str | None, list[Any]]]:
        """The search's statements: the walk of the first matching rowids up to the count cap in the page's order
        (None: nothing asked), the page's and the count's (None: no text nor filter, the counters answer)."""
        p = self.prefix
        column, table = ORDERS[query.sort_by]
        walk = "ASC" if query.order == "desc" else "DESC"  # the FTS rowids are the keys negated
        if expression is None:  # nothing asked: every application, in key order
            direction = "DESC" if query.order == "desc" else "ASC"
            page = f"SELECT record FROM {p}_applications ORDER BY {column} {direction} LIMIT ? OFFSET ?"
            return [(None, []), (page, [query.limit, query.offset]), (None, [])]
        matching = f"SELECT rowid FROM {p}_{table} WHERE {p}_{table} MATCH ?"
        page = (
            f"SELECT a.record FROM ({matching} ORDER BY rowid {walk} LIMIT ? OFFSET ?) AS m"
            f" JOIN {p}_applications AS a ON a.{column} = -m.rowid ORDER BY m.rowid {walk}"
        )
        count = f"SELECT count(*) FROM ({matching} LIMIT ?)"
        return [
            (f"{matching} ORDER BY rowid {walk} LIMIT ?", [expression, self.count_cap + 1]),
            (page, [expression, query.limit, query.offset]),
            (count, [expression, self.count_cap + 1]),
        ]

    def _walks_once(self, expression: str | None, query: PublicSearch, counted: int | None) -> bool:
        """Whether one walk gives both the total and the page: a text or filter the counters cannot total (`counted`
        None), and a page within the counted matches."""
        within = query.offset + query.limit <= self.count_cap
        return expression is not None and within and counted is None

    def _page(self, expression: str | None, query: PublicSearch, stage: TextStage | None) -> SearchPage:
        connection = self.connection()
        walk, (page_sql, page_params), (count_sql, count_params) = self._statements(expression, query)
        counted = self._counted(query)
        if self._walks_once(expression, query, counted):
            walk_sql, walk_params = walk
            assert walk_sql is not None
            found = [-row[0] for row in connection.execute(walk_sql, walk_params)]
            total, exact = min(len(found), self.count_cap), len(found) <= self.count_cap
            keys = found[query.offset : query.offset + query.limit]
            return SearchPage(self._records(ORDERS[query.sort_by][0], keys), total, stage if total else None, exact)
        if counted is not None:
            total, exact = counted, True
        else:
            assert count_sql is not None
            (matched,) = connection.execute(count_sql, count_params).fetchone()
            total, exact = min(matched, self.count_cap), matched <= self.count_cap
        if not total or not query.limit:
            return SearchPage([], total, stage if total else None, exact)
        assert page_sql is not None
        rows = connection.execute(page_sql, page_params).fetchall()
        return SearchPage([PublicApplication.from_dict(orjson.loads(row[0])) for row in rows], total, stage, exact)

    def _records(self, column: str, keys: list[int]) -> list[PublicApplication]:
        """The records of these keys, in their order."""
        if not keys:
            return []
        rows = dict(self.connection().execute(_by_keys(self.prefix, column, len(keys)), keys).fetchall())
        return [PublicApplication.from_dict(orjson.loads(rows[key])) for key in keys if key in rows]

    def _words_beginning(self, prefix: str) -> list[str] | None:
        """The register's words that begin with `prefix` (a namespaced term), None if more than `EXPANSION_LIMIT`."""
        rows = (
            self.connection()
            .execute(
                f"SELECT word FROM {self.prefix}_words WHERE word >= ? AND word < ? LIMIT ?",
                (prefix, prefix + "{", EXPANSION_LIMIT + 1),  # words are [0-9a-z]: "{" sorts after every one of them
            )
            .fetchall()
        )
        return [row[0] for row in rows] if len(rows) <= EXPANSION_LIMIT else None

    def _counted(self, query: PublicSearch) -> int | None:
        """The exact total from the counters, for a query they answer (no text, reference or dates; at most one of
        status, type and decision), else None."""
        if query.text.strip() or query.reference is not None or query.date_ranges:
            return None
        asked = [(name, values) for name, values in zip(COUNTED, _facet_sets(query), strict=True) if values]
        if len(asked) > 1:
            return None
        facets = [""] if not asked else [facet_term(asked[0][0], value) for value in asked[0][1]]
        sql = f"SELECT coalesce(sum(n), 0) FROM {self.prefix}_counts WHERE facet IN ({', '.join('?' * len(facets))})"
        params: list[Any] = list(facets)
        if query.councils:
            sql += f" AND council IN ({', '.join('?' * len(query.councils))})"
            params.extend(sorted(query.councils))
        return int(self.connection().execute(sql, params).fetchone()[0])

    def feed(self, query: FeedQuery) -> FeedPage:
        p = self.prefix
        clauses: list[str] = []
        params: list[Any] = []
        if query.councils:
            clauses.append(f"f.council IN ({', '.join('?' * len(query.councils))})")
            params.extend(sorted(query.councils))
        if query.until is not None:
            clauses.append("f.key <= ?")
            params.append(query.until)
        base = " AND ".join(clauses) or "1"
        connection = self.connection()
        (total,) = connection.execute(f"SELECT COUNT(*) FROM {p}_feed AS f WHERE {base}", params).fetchone()
        select = (
            f"SELECT f.entry, a.heads FROM {p}_feed AS f"
            f" JOIN {p}_applications AS a ON a.council = f.council AND a.reference = f.reference WHERE {base}"
        )
        if query.before is not None:
            rows = connection.execute(
                f"{select} AND f.key < ? ORDER BY f.key DESC LIMIT ?", [*params, query.before, query.limit + 1]
            ).fetchall()
            page = [_item(row) for row in reversed(rows[: query.limit])]
            return FeedPage(page, total, has_more=True, has_earlier=len(rows) > query.limit)
        if query.after is not None:
            rows = connection.execute(
                f"{select} AND f.key > ? ORDER BY f.key LIMIT ?", [*params, query.after, query.limit + 1]
            ).fetchall()
            earlier = connection.execute(
                f"SELECT 1 FROM {p}_feed AS f WHERE {base} AND f.key <= ? LIMIT 1", [*params, query.after]
            ).fetchone()
        else:
            rows = connection.execute(f"{select} ORDER BY f.key LIMIT ?", [*params, query.limit + 1]).fetchall()
            earlier = None
        page = [_item(row) for row in rows[: query.limit]]
        return FeedPage(page, total, has_more=len(rows) > query.limit, has_earlier=earlier is not None)

    def council(self, code: str) -> PublicCouncil | None:
        row = self.connection().execute(f"SELECT facts FROM {self.prefix}_councils WHERE code = ?", (code,)).fetchone()
        return PublicCouncil(**orjson.loads(row[0])) if row else None

    # Rebuilds (`bops replay public`).

    def drop(self) -> None:
        for suffix in TABLES:
            self.connection().execute(f"DROP TABLE IF EXISTS {self.prefix}_{suffix}")

    def swap_in(self, rebuilt: SqlitePublicRegister, after_swap: str | None = None, params: tuple = ()) -> None:
        """Replace this register's rows by a rebuilt one's, atomically (`after_swap` runs in the same transaction)."""
        connection = self.connection()
        with _transaction(connection):
            for suffix in ROW_TABLES:
                connection.execute(f"DELETE FROM {self.prefix}_{suffix}")
                connection.execute(f"INSERT INTO {self.prefix}_{suffix} SELECT * FROM {rebuilt.prefix}_{suffix}")
            for _, table in ORDERS.values():
                connection.execute(f"DELETE FROM {self.prefix}_{table}")
                connection.execute(
                    f"INSERT INTO {self.prefix}_{table} (rowid, terms)"
                    f" SELECT rowid, terms FROM {rebuilt.prefix}_{table}"
                )
            for suffix in TABLES:
                connection.execute(f"DROP TABLE {rebuilt.prefix}_{suffix}")
            if after_swap:
                connection.execute(after_swap, params)


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any error) on an autocommit connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.connection.execute("COMMIT")
        elif self.connection.in_transaction:
            self.connection.execute("ROLLBACK")


def _entry_json(entry: FeedEntry) -> bytes:
    return orjson.dumps(_entry_dict(entry))


def _entry_dict(entry: FeedEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in entry.__dataclass_fields__}


def _item(row: tuple[bytes, bytes]) -> FeedItem:
    data = orjson.loads(row[0])
    from datetime import datetime

    data["occurred_at"] = datetime.fromisoformat(data["occurred_at"])
    heads = tuple(StreamHead(**head) for head in orjson.loads(row[1]))
    return FeedItem(FeedEntry(**data), heads)


def sort_base(moment: datetime) -> int:
    """The first key of the millisecond of `moment` (clamped to 1900-2100)."""
    moment = min(max(moment.astimezone(UTC), EARLIEST), LATEST)
    return ((moment - EPOCH) // timedelta(milliseconds=1)) * SPAN


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def facet_term(facet: str, value: str) -> str:
    """The index term of a facet's value (letters and digits only: the value in hexadecimal)."""
    return FACET_PREFIXES.get(facet, facet) + value.encode("utf-8").hex()


def facet_terms(application: PublicApplication) -> list[str]:
    """Every facet term of a record: council, status, type, decision, reference (whole, `zr`, and each leading part a
    search may type, `zl`: `port.leading_parts`), postcode and its dates."""
    terms = [
        facet_term("council", application.council),
        facet_term("status", application.status),
        facet_term("application_type", application.application_type),
        facet_term("zr", application.reference),
        *(facet_term("zl", part) for part in leading_parts(application.reference)),
    ]
    if application.decision is not None:
        terms.append(facet_term("decision", application.decision))
    postcode = normalise_postcode(application.postcode)
    if postcode:
        terms.append(facet_term("zp", postcode))
    for field, letter in DATE_LETTERS.items():
        day = date_value(application, field)
        if day is not None:
            terms += date_terms(letter, day)
    return terms


def counted_terms(facets: list[str]) -> list[str]:
    prefixes = tuple(FACET_PREFIXES[name] for name in COUNTED)
    return [facet for facet in facets if facet.startswith(prefixes)]


def _facet_sets(query: PublicSearch) -> tuple[frozenset[str], ...]:
    return query.statuses, query.application_types, query.decisions


def date_terms(letter: str, day: date) -> list[str]:
    """A day's terms at every grain: q<field><c|x|y|m|d><digits> (century, decade, year, month, day)."""
    y = day.year
    return [
        f"q{letter}c{y // 100}",
        f"q{letter}x{y // 10}",
        f"q{letter}y{y}",
        f"q{letter}m{y}{day.month:02d}",
        f"q{letter}d{day:%Y%m%d}",
    ]


def date_cover(letter: str, start: date | None, end: date | None) -> list[str]:
    """The fewest terms whose days are exactly start..end (open ends: 1000 to 2999), largest aligned blocks first."""
    day, last = max(start or FIRST_DAY, FIRST_DAY), min(end or LAST_DAY, LAST_DAY)
    terms = []
    while day <= last:
        y = day.year
        blocks = []
        if day.month == 1 and day.day == 1:
            if y % 100 == 0:
                blocks.append((f"c{y // 100}", date(y + 99, 12, 31)))
            if y % 10 == 0:
                blocks.append((f"x{y // 10}", date(y + 9, 12, 31)))
            blocks.append((f"y{y}", date(y, 12, 31)))
        if day.day == 1:
            following = date(y + 1, 1, 1) if day.month == 12 else date(y, day.month + 1, 1)
            blocks.append((f"m{y}{day.month:02d}", following - timedelta(days=1)))
        blocks.append((f"d{day:%Y%m%d}", day))
        grain, until = next((grain, until) for grain, until in blocks if until <= last)
        terms.append(f"q{letter}{grain}")
        day = until + timedelta(days=1)
    return terms


def _any(terms: list[str]) -> str:
    return f"({' OR '.join(terms)})"


def _by_keys(prefix: str, column: str, count: int) -> str:
    return f"SELECT {column}, record FROM {prefix}_applications WHERE {column} IN ({', '.join('?' * count)})"


def index_terms(application: PublicApplication, facets: list[str]) -> str:
    """What the FTS index holds for a record: its address and description words, each in its namespace, and facets."""
    address = (TEXT_MARKS["address"] + word for word in words(address_text(application)))
    description = (TEXT_MARKS["description"] + word for word in words(application.description))
    return " ".join([*address, *description, *facets])


def _both(first: str, second: str | None) -> str:
    return f"{first} AND {second}" if second else first


def filter_expression(query: PublicSearch) -> str | None:
    """The FTS5 expression of every filter but the free text (None: no filter)."""
    parts = []
    if query.councils:
        parts.append(_any([facet_term("council", c) for c in sorted(query.councils)]))
    if query.reference is not None:
        parts.append(_any([facet_term("zr", normalise_reference(query.reference))]))
    for name, values in zip(COUNTED, _facet_sets(query), strict=True):
        if values:
            parts.append(_any([facet_term(name, value) for value in sorted(values)]))
    for wanted in query.date_ranges:
        terms = date_cover(DATE_LETTERS[wanted.field], wanted.start, wanted.end)
        parts.append(_any(terms) if terms else _any(["qnone"]))
    return " AND ".join(parts) or None


def stage_expression(
    stage: TextStage, text: str, words_beginning: Callable[[str], list[str] | None] = lambda prefix: None
) -> str | None:
    """The FTS5 expression of a free-text stage (None: the text cannot match at this stage). The last word is a
    prefix: FTS5's own prefix query up to `LONGEST_PREFIX` letters (indexed), else the words it begins
    (`words_beginning`, None: too many, FTS5's prefix query then)."""
    if stage == "reference":  # the whole reference, or a leading part (of the council the text names)
        typed = reference_text(text)
        terms = [facet_term("zr", typed.whole)]
        if typed.leading is not None:
            leading = facet_term("zl", typed.leading)
            terms.append(f"({leading} AND {facet_term('council', typed.council)})" if typed.council else leading)
        return _any(terms)
    if stage == "postcode":
        postcode = normalise_postcode(text)
        return _any([facet_term("zp", postcode)]) if postcode else None
    wanted = words(text)
    if not wanted:
        return None
    mark = TEXT_MARKS[stage]
    *whole, last = wanted
    ending = f'"{mark}{last}" *'
    if len(last) > LONGEST_PREFIX:
        expanded = words_beginning(mark + last)
        if expanded == []:
            return None  # no address (or description) word begins so
        if expanded is not None:
            ending = "(" + " OR ".join(f'"{word}"' for word in expanded) + ")"
    phrases = [*(f'"{mark}{word}"' for word in whole), ending]
    return f"({' AND '.join(phrases)})"  # AND said: FTS5 takes no implicit AND before a parenthesised group
