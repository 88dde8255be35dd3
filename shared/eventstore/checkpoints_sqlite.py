"""Audit checkpoints in their own SQLite file beside the log (`audit.sqlite`), not in the log's file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from shared.eventstore.checkpoints import CheckpointConflict, StoredCheckpoint

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    sequence INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    seal TEXT NOT NULL
);
"""


class SqliteCheckpointLog:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=60)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.text_factory = lambda value: value.decode("utf-8", "surrogateescape")  # read whatever was stored
        return connection

    def append(self, sequence: int, body: str, seal: str) -> None:
        connection = self._connect()
        try:
            connection.execute("INSERT INTO audit_checkpoints VALUES (?, ?, ?)", (sequence, body, seal))
        except sqlite3.IntegrityError:
            raise CheckpointConflict(f"checkpoint {sequence} was written by someone else first") from None
        finally:
            connection.close()

    def records(self) -> list[StoredCheckpoint]:
        connection = self._connect()
        try:
            rows = connection.execute("SELECT sequence, body, seal FROM audit_checkpoints ORDER BY sequence")
            return [StoredCheckpoint(*row) for row in rows.fetchall()]
        finally:
            connection.close()
