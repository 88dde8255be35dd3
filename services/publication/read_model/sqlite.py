"""The public register on SQLite (embedded): records in an indexed table, their address and description in an FTS5
index, and the feed's entries, all in the read-models file (so a replay swaps them in together with the relay's
checkpoint in one transaction).

Tables (`prefix` other than the default: a rebuild in progress): `<prefix>_applications` (one row per application:
the filter and sort columns, the record's JSON), `<prefix>_text` (FTS5, rowid = the application's row: its address and
description words, with prefix indexes for a last word typed in part) and `<prefix>_feed` (one row per entry,
by key).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

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
    normalise_postcode,
    normalise_reference,
    words,
)
from services.publication.record import PublicApplication, StreamHead
from shared.eventstore.sqlite import connect
from shared.private_files import private_sqlite_file

PREFIX = "public"
_FILTER_COLUMNS = ("application_type", "status", "decision")


def schema(prefix: str) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS {prefix}_applications (
    id INTEGER PRIMARY KEY,
    council TEXT NOT NULL,
    reference TEXT NOT NULL,
    version INTEGER NOT NULL,
    application_type TEXT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT,
    postcode TEXT,
    received_at TEXT NOT NULL,
    validated_at TEXT NOT NULL,
    published_at TEXT NOT NULL,
    decision_date TEXT,
    consultation_end_date TEXT,
    heads TEXT NOT NULL,
    record BLOB NOT NULL,
    UNIQUE (council, reference)
);
CREATE INDEX IF NOT EXISTS {prefix}_by_reference ON {prefix}_applications (reference);
CREATE INDEX IF NOT EXISTS {prefix}_by_postcode ON {prefix}_applications (postcode);
CREATE INDEX IF NOT EXISTS {prefix}_by_published ON {prefix}_applications (published_at, council, reference);
CREATE INDEX IF NOT EXISTS {prefix}_by_received ON {prefix}_applications (received_at, council, reference);
CREATE INDEX IF NOT EXISTS {prefix}_by_status ON {prefix}_applications (status, published_at, council, reference);
CREATE INDEX IF NOT EXISTS {prefix}_by_status_received
    ON {prefix}_applications (status, received_at, council, reference);
CREATE VIRTUAL TABLE IF NOT EXISTS {prefix}_text USING fts5 (
    address, description, prefix='2 3 4', tokenize='unicode61'
);
CREATE TABLE IF NOT EXISTS {prefix}_feed (
    key TEXT PRIMARY KEY,
    council TEXT NOT NULL,
    reference TEXT NOT NULL,
    entry BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {prefix}_feed_by_application ON {prefix}_feed (council, reference);
CREATE INDEX IF NOT EXISTS {prefix}_feed_by_council ON {prefix}_feed (council, key);
"""


class SqlitePublicRegister:
    """PublicRegister on SQLite tables under `prefix`."""

    def __init__(self, path: Path | str, prefix: str = PREFIX) -> None:
        if not prefix.isidentifier():
            raise ValueError(f"not a table prefix: {prefix!r}")
        self.path = private_sqlite_file(path)
        self.prefix = prefix
        self._local = threading.local()
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

    def put(self, application: PublicApplication, entries: Sequence[FeedEntry]) -> bool:
        p = self.prefix
        values = _row(application)
        connection = self.connection()
        with _transaction(connection):
            found = connection.execute(
                f"SELECT id, version FROM {p}_applications WHERE council = ? AND reference = ?",
                (application.council, application.reference),
            ).fetchone()
            if found is not None and found[1] >= application.version:
                return False
            if found is None:
                row_id = connection.execute(
                    f"INSERT INTO {p}_applications ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                    list(values.values()),
                ).lastrowid
            else:
                row_id = found[0]
                assignments = ", ".join(f"{column} = ?" for column in values)
                connection.execute(
                    f"UPDATE {p}_applications SET {assignments} WHERE id = ?", [*values.values(), row_id]
                )
                connection.execute(f"DELETE FROM {p}_text WHERE rowid = ?", (row_id,))
            connection.execute(
                f"INSERT INTO {p}_text (rowid, address, description) VALUES (?, ?, ?)",
                (row_id, " ".join(words(address_text(application))), " ".join(words(application.description))),
            )
            self._replace_entries(application.council, application.reference, entries)
        return True

    def _replace_entries(self, council: str, reference: str, entries: Sequence[FeedEntry]) -> None:
        connection = self.connection()
        connection.execute(f"DELETE FROM {self.prefix}_feed WHERE council = ? AND reference = ?", (council, reference))
        connection.executemany(
            f"INSERT OR REPLACE INTO {self.prefix}_feed (key, council, reference, entry) VALUES (?, ?, ?, ?)",
            [(entry.key, council, reference, _entry_json(entry)) for entry in entries],
        )

    def remove(self, council: str, reference: str, version: int) -> bool:
        p = self.prefix
        connection = self.connection()
        with _transaction(connection):
            found = connection.execute(
                f"SELECT id, version FROM {p}_applications WHERE council = ? AND reference = ?", (council, reference)
            ).fetchone()
            if found is None or found[1] >= version:
                return False
            connection.execute(f"DELETE FROM {p}_applications WHERE id = ?", (found[0],))
            connection.execute(f"DELETE FROM {p}_text WHERE rowid = ?", (found[0],))
            self._replace_entries(council, reference, ())
        return True

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
        where, params = _filters(query)
        if not query.text.strip():
            return self._page(where, params, query, None)
        for stage in TEXT_STAGES:
            condition = _text_condition(self.prefix, stage, query.text)
            if condition is None:
                continue
            clause, extra = condition
            page = self._page(f"{where} AND {clause}", [*params, *extra], query, stage)
            if page.total:
                return page
        return SearchPage([], 0, None)

    def _page(self, where: str, params: list[Any], query: PublicSearch, stage: TextStage | None) -> SearchPage:
        connection = self.connection()
        table = f"{self.prefix}_applications"
        (total,) = connection.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params).fetchone()
        if not total or not query.limit:
            return SearchPage([], total, stage)
        direction = "DESC" if query.order == "desc" else "ASC"
        rows = connection.execute(
            f"SELECT record FROM {table} WHERE {where}"
            f" ORDER BY {query.sort_by} {direction}, council {direction}, reference {direction} LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        ).fetchall()
        return SearchPage([PublicApplication.from_dict(orjson.loads(row[0])) for row in rows], total, stage)

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

    # Rebuilds (`bops replay public`).

    def drop(self) -> None:
        for suffix in ("applications", "text", "feed"):
            self.connection().execute(f"DROP TABLE IF EXISTS {self.prefix}_{suffix}")

    def swap_in(self, rebuilt: SqlitePublicRegister, after_swap: str | None = None, params: tuple = ()) -> None:
        """Replace this register's rows by a rebuilt one's, atomically (`after_swap` runs in the same transaction)."""
        connection = self.connection()
        with _transaction(connection):
            for suffix in ("applications", "feed"):
                connection.execute(f"DELETE FROM {self.prefix}_{suffix}")
                connection.execute(f"INSERT INTO {self.prefix}_{suffix} SELECT * FROM {rebuilt.prefix}_{suffix}")
            connection.execute(f"DELETE FROM {self.prefix}_text")
            connection.execute(
                f"INSERT INTO {self.prefix}_text (rowid, address, description)"
                f" SELECT rowid, address, description FROM {rebuilt.prefix}_text"
            )
            for suffix in ("applications", "text", "feed"):
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


def _row(application: PublicApplication) -> dict[str, Any]:
    record = application.to_dict()
    return {
        "council": application.council,
        "reference": application.reference,
        "version": application.version,
        "application_type": application.application_type,
        "status": application.status,
        "decision": application.decision,
        "postcode": normalise_postcode(application.postcode),
        "received_at": record["received_at"],
        "validated_at": record["validated_at"],
        "published_at": record["published_at"],
        "decision_date": record["decision_date"],
        "consultation_end_date": record["consultation_end_date"],
        "heads": orjson.dumps(record["audit_heads"]),
        "record": orjson.dumps(record),
    }


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


def _filters(query: PublicSearch) -> tuple[str, list[Any]]:
    clauses, params = ["1"], []
    if query.councils:
        clauses.append(f"council IN ({', '.join('?' * len(query.councils))})")
        params.extend(sorted(query.councils))
    if query.reference is not None:
        clauses.append("reference = ?")
        params.append(normalise_reference(query.reference))
    for column, values in zip(_FILTER_COLUMNS, (query.application_types, query.statuses, query.decisions), strict=True):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(sorted(values))
    for wanted in query.date_ranges:
        # Moments are stored as ISO text with their offset (UTC): a day's range is compared on the date part.
        column = f"substr({wanted.field}, 1, 10)"
        if wanted.start is not None:
            clauses.append(f"{column} >= ?")
            params.append(wanted.start.isoformat())
        if wanted.end is not None:
            clauses.append(f"{column} <= ?")
            params.append(wanted.end.isoformat())
    return " AND ".join(clauses), params


def _text_condition(prefix: str, stage: TextStage, text: str) -> tuple[str, list[Any]] | None:
    if stage == "reference":
        return "reference = ?", [normalise_reference(text)]
    if stage == "postcode":
        postcode = normalise_postcode(text)
        return ("postcode = ?", [postcode]) if postcode else None
    wanted = words(text)
    if not wanted:
        return None
    *whole, last = wanted
    phrase = " ".join([*(f'"{word}"' for word in whole), f'"{last}"*'])
    return f"id IN (SELECT rowid FROM {prefix}_text WHERE {prefix}_text MATCH ?)", [f"{stage}: ({phrase})"]
