"""The case list on SQLite (embedded): one indexed table in the read-models file, so a replay swaps it in together with
the relay's checkpoint in one transaction."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from services.assessment.case_list.port import FINAL_STATUSES, CasePage, CaseQuery, CaseRow
from shared.eventstore.sqlite import connect
from shared.private_files import private_sqlite_file

TABLE = "case_list"
COLUMNS = (
    "council",
    "reference",
    "version",
    "status",
    "application_type",
    "description",
    "address",
    "postcode",
    "received_at",
    "valid_from",
    "expiry_date",
    "target_date",
    "case_officer_id",
    "case_officer_name",
)
_FINAL = ", ".join(f"'{status}'" for status in sorted(FINAL_STATUSES))


def schema(table: str) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS {table} (
    council TEXT NOT NULL,
    reference TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    application_type TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    received_at TEXT NOT NULL,
    valid_from TEXT,
    expiry_date TEXT,
    target_date TEXT,
    case_officer_id TEXT,
    case_officer_name TEXT,
    expiry_sort TEXT NOT NULL,
    search TEXT NOT NULL,
    PRIMARY KEY (council, reference)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {table}_by_expiry ON {table} (council, expiry_sort, reference);
CREATE INDEX IF NOT EXISTS {table}_by_status ON {table} (council, status, expiry_sort);
CREATE INDEX IF NOT EXISTS {table}_by_officer ON {table} (council, case_officer_id, status, expiry_sort);
CREATE INDEX IF NOT EXISTS {table}_by_type ON {table} (council, application_type, status, expiry_sort);
CREATE INDEX IF NOT EXISTS {table}_by_text ON {table} (council, search, status, expiry_sort, case_officer_id);
"""


class SqliteCaseList:
    """CaseList on a SQLite table (`table` other than the default: a rebuild in progress)."""

    def __init__(self, path: Path | str, table: str = TABLE) -> None:
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        self.path = private_sqlite_file(path)
        self.table = table
        self._local = threading.local()
        self.connection().executescript(schema(table))

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = connect(self.path)
        return connection

    def version(self, council: str, reference: str) -> int:
        row = (
            self.connection()
            .execute(f"SELECT version FROM {self.table} WHERE council = ? AND reference = ?", (council, reference))
            .fetchone()
        )
        return row[0] if row else 0

    def put(self, row: CaseRow) -> bool:
        record = row.to_record()
        values = [record[column] for column in COLUMNS] + [row.expiry_sort, row.search_text]
        columns = ", ".join((*COLUMNS, "expiry_sort", "search"))
        updates = ", ".join(f"{column} = excluded.{column}" for column in (*COLUMNS[2:], "expiry_sort", "search"))
        cursor = self.connection().execute(
            f"INSERT INTO {self.table} ({columns}) VALUES ({', '.join('?' * len(values))})"
            f" ON CONFLICT (council, reference) DO UPDATE SET {updates} WHERE excluded.version > {self.table}.version",
            values,
        )
        return cursor.rowcount == 1

    def query(self, query: CaseQuery) -> CasePage:
        where, params = _filters(query)
        connection = self.connection()
        # Free text is matched in every row of the council: from the covering index that holds it, not the table.
        source = f"{self.table} INDEXED BY {self.table}_by_text" if query.q else self.table
        counts = dict(
            connection.execute(f"SELECT status, COUNT(*) FROM {source} WHERE {where} GROUP BY status", params)
        )
        if query.statuses:
            where += f" AND status IN ({', '.join('?' * len(query.statuses))})"
            params = [*params, *sorted(query.statuses)]
            total = sum(counts.get(status, 0) for status in query.statuses)
        else:
            total = sum(counts.values())
        found = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM {self.table} WHERE {where}"
            " ORDER BY expiry_sort, reference LIMIT ? OFFSET ?",
            [*params, query.per_page, (query.page - 1) * query.per_page],
        ).fetchall()
        rows = [CaseRow.from_record(dict(zip(COLUMNS, values, strict=True))) for values in found]
        return CasePage(rows, total, counts)

    def clear(self, council: str | None = None) -> None:
        if council is None:
            self.connection().execute(f"DELETE FROM {self.table}")
        else:
            self.connection().execute(f"DELETE FROM {self.table} WHERE council = ?", (council,))

    def swap_in(self, rebuilt: SqliteCaseList, after_swap: str | None = None, params: tuple = ()) -> None:
        """Replace this table's rows by a rebuilt table's, atomically (`after_swap` runs in the same transaction)."""
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(f"DELETE FROM {self.table}")
            connection.execute(f"INSERT INTO {self.table} SELECT * FROM {rebuilt.table}")
            connection.execute(f"DROP TABLE {rebuilt.table}")
            if after_swap:
                connection.execute(after_swap, params)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def drop(self) -> None:
        self.connection().execute(f"DROP TABLE IF EXISTS {self.table}")


def _filters(query: CaseQuery) -> tuple[str, list[Any]]:
    """The WHERE clause of every filter but the statuses."""
    clauses, params = ["council = ?"], [query.council]
    if query.assigned_to is not None:
        clauses.append("case_officer_id = ?")
        params.append(query.assigned_to)
    if query.application_types:
        clauses.append(f"application_type IN ({', '.join('?' * len(query.application_types))})")
        params.extend(sorted(query.application_types))
    if query.q:
        clauses.append("instr(search, ?) > 0")
        params.append(query.q.lower())
    today = query.today.isoformat()
    if query.overdue is True:
        clauses.append(f"status NOT IN ({_FINAL}) AND expiry_sort < ?")
        params.append(today)
    elif query.overdue is False:
        clauses.append(f"NOT (status NOT IN ({_FINAL}) AND expiry_sort < ?)")
        params.append(today)
    if query.due_before is not None:
        clauses.append(f"status NOT IN ({_FINAL}) AND expiry_sort >= ? AND expiry_sort < ?")
        params.extend((today, query.due_before.isoformat()))
    return " AND ".join(clauses), params
