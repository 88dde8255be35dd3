"""Small SQLite files beside the event log (the notifications outbox, its idempotency records): one connection per
thread (the relay delivers several streams at once), autocommit, WAL. Owner-only like everything under the data
directory (the outbox holds addresses and whole messages)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from shared.private_files import private_sqlite_file


class ThreadConnections:
    def __init__(self, path: Path, schema: str) -> None:
        self.path = path
        self._local = threading.local()
        private_sqlite_file(path)  # and its -wal and -shm, which SQLite creates with the file's mode
        self.connection().execute(schema)

    def connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection
