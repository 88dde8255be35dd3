"""Attempt counters in the embedded runtime: a table in the read models' SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from shared.eventstore.sqlite import connect
from shared.private_files import private_sqlite_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempt_counters (
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    window INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (name, key, window)
) WITHOUT ROWID;
"""


class SqliteAttemptCounters:
    def __init__(self, path: Path | str) -> None:
        self.path = private_sqlite_file(path)
        self._local = threading.local()
        self.connection().executescript(SCHEMA)

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = connect(self.path)
        return connection

    def count(self, name: str, key: str, window: int) -> int:
        row = (
            self.connection()
            .execute(
                "SELECT attempts FROM attempt_counters WHERE name = ? AND key = ? AND window = ?", (name, key, window)
            )
            .fetchone()
        )
        return row[0] if row else 0

    def counts(self, name: str, keys: Sequence[tuple[str, int]]) -> list[int]:
        return [self.count(name, key, window) for key, window in keys]

    def add(self, name: str, key: str, window: int, expires_at: int) -> int:
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            # Earlier windows of this counter are over: drop them (what DynamoDB's time to live does on AWS).
            connection.execute("DELETE FROM attempt_counters WHERE name = ? AND window < ?", (name, window))
            (attempts,) = connection.execute(
                "INSERT INTO attempt_counters (name, key, window, attempts, expires_at) VALUES (?, ?, ?, 1, ?) "
                "ON CONFLICT (name, key, window) DO UPDATE SET attempts = attempts + 1 RETURNING attempts",
                (name, key, window, expires_at),
            ).fetchone()
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return attempts
