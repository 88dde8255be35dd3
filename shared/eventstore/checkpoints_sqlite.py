"""Audit checkpoints in their own SQLite file beside the log (`audit.sqlite`), not in the log's file."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from shared.eventstore.checkpoints import CheckpointConflict, StoredCheckpoint
from shared.private_files import private_sqlite_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    sequence INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    seal TEXT NOT NULL
);
"""


class SqliteCheckpointLog:
    def __init__(self, path: Path | str) -> None:
        self.path = private_sqlite_file(path)  # owner-only, like the log
        connection = self._connect()
        try:
            _use_wal(connection)
            connection.executescript(SCHEMA)
        finally:
            connection.close()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=60)
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


def _use_wal(connection: sqlite3.Connection, attempts: int = 200) -> None:
    """WAL mode is kept by the file, so it is set once; switching needs a moment alone with the file, and SQLite
    answers "locked" at once (no busy wait) while another connection (a timer, a command) has it open."""
    for _ in range(attempts):
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.01)
    connection.execute("PRAGMA journal_mode=WAL")
