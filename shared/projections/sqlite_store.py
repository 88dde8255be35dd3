"""Read models in the embedded runtime: one SQLite file in the data directory, beside the relay's checkpoints."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import orjson

from shared.eventstore.sqlite import connect
from shared.private_files import private_sqlite_file
from shared.projections.projection import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS read_model_documents (
    projection TEXT NOT NULL,
    key TEXT NOT NULL,
    document BLOB NOT NULL,
    revision INTEGER NOT NULL,
    PRIMARY KEY (projection, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS read_model_positions (
    projection TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (projection, stream_id)
) WITHOUT ROWID;
"""


class SqliteReadModelStore:
    """ReadModelStore on SQLite; a rebuilt projection is swapped in by renaming it in one transaction."""

    def __init__(self, path: Path | str) -> None:
        self.path = private_sqlite_file(path)  # owner-only, with its -wal and -shm (applicants' personal data)
        self._local = threading.local()
        self.connection().executescript(SCHEMA)

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = connect(self.path)
        return connection

    def position(self, projection: str, stream_id: str) -> int:
        row = (
            self.connection()
            .execute(
                "SELECT version FROM read_model_positions WHERE projection = ? AND stream_id = ?",
                (projection, stream_id),
            )
            .fetchone()
        )
        return row[0] if row else 0

    def get(self, projection: str, key: str) -> tuple[Document | None, int]:
        row = (
            self.connection()
            .execute(
                "SELECT document, revision FROM read_model_documents WHERE projection = ? AND key = ?",
                (projection, key),
            )
            .fetchone()
        )
        return (orjson.loads(row[0]), row[1]) if row else (None, 0)

    def position_and_get(
        self, projection: str, stream_id: str, keys: Sequence[str]
    ) -> tuple[int, dict[str, tuple[Document | None, int]]]:
        return self.position(projection, stream_id), {key: self.get(projection, key) for key in keys}

    def commit(
        self,
        projection: str,
        stream_id: str,
        expected_position: int,
        position: int,
        documents: Mapping[str, tuple[Document | None, int]],
    ) -> bool:
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            if self.position(projection, stream_id) != expected_position:
                connection.execute("ROLLBACK")
                return False
            for key, (document, revision) in documents.items():
                if self.get(projection, key)[1] != revision:
                    connection.execute("ROLLBACK")
                    return False
                if document is None:
                    connection.execute(
                        "DELETE FROM read_model_documents WHERE projection = ? AND key = ?", (projection, key)
                    )
                else:
                    connection.execute(
                        "INSERT OR REPLACE INTO read_model_documents (projection, key, document, revision)"
                        " VALUES (?, ?, ?, ?)",
                        (projection, key, orjson.dumps(document), revision + 1),
                    )
            connection.execute(
                "INSERT OR REPLACE INTO read_model_positions (projection, stream_id, version) VALUES (?, ?, ?)",
                (projection, stream_id, position),
            )
            connection.execute("COMMIT")
            return True
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def put_newer(self, projection: str, key: str, document: Document, revision: int) -> bool:
        stored = self.connection().execute(
            "INSERT INTO read_model_documents (projection, key, document, revision) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (projection, key) DO UPDATE SET document = excluded.document, revision = excluded.revision"
            " WHERE read_model_documents.revision < excluded.revision",
            (projection, key, orjson.dumps(document), revision),
        )
        return stored.rowcount == 1

    def documents(self, projection: str) -> Iterator[tuple[str, Document]]:
        rows = (
            self.connection()
            .execute("SELECT key, document FROM read_model_documents WHERE projection = ? ORDER BY key", (projection,))
            .fetchall()
        )
        for key, document in rows:
            yield key, orjson.loads(document)

    def discard(self, projection: str, key: str, document: Document) -> bool:
        deleted = self.connection().execute(
            "DELETE FROM read_model_documents WHERE projection = ? AND key = ? AND document = ?",
            (projection, key, orjson.dumps(document)),
        )
        return deleted.rowcount == 1

    def swap(self, projection: str, rebuilt: str, after_swap: str | None = None, params: tuple = ()) -> None:
        """Replace a projection's documents and positions by those built under another name, atomically.

        `after_swap` runs in the same transaction (the relay's checkpoint lives in this file too).
        """
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            for table in ("read_model_documents", "read_model_positions"):
                connection.execute(f"DELETE FROM {table} WHERE projection = ?", (projection,))
                connection.execute(f"UPDATE {table} SET projection = ? WHERE projection = ?", (projection, rebuilt))
            if after_swap:
                connection.execute(after_swap, params)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def drop(self, projection: str) -> None:
        connection = self.connection()
        for table in ("read_model_documents", "read_model_positions"):
            connection.execute(f"DELETE FROM {table} WHERE projection = ?", (projection,))
