"""The local outbox's read side (`outbox.sqlite` in the data folder): what a council without a GOV.UK Notify key sent.

The notifications service writes it (`services.notifications.outbox.LocalOutbox` extends the reader here); the
console reads an application's messages by their references (the notifications' ids), never by scanning. Only the
embedded runtime has an outbox (`Dependencies.outbox` is None on AWS).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from shared.local_sqlite import ThreadConnections

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
    "reference TEXT NOT NULL UNIQUE, sent_at TEXT NOT NULL, email_address TEXT NOT NULL, template_id TEXT NOT "
    "NULL, subject TEXT NOT NULL, body TEXT NOT NULL, personalisation TEXT NOT NULL, reply_to_id TEXT)"
)
_COLUMNS = "id, reference, sent_at, email_address, template_id, subject, body, personalisation, reply_to_id"
_BATCH = 500  # references per query (SQLite's bound on host parameters is far above it)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: str
    reference: str
    sent_at: str
    email_address: str
    template_id: str
    subject: str
    body: str
    personalisation: dict[str, str]
    reply_to_id: str | None


class OutboxReader(Protocol):
    def by_references(self, references: Collection[str]) -> dict[str, OutboxMessage]:
        """The messages kept under these references (a reference with no message is left out)."""
        ...


class SqliteOutboxReader:
    """Reads `outbox.sqlite`; a missing file is an empty outbox (reading never creates it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connections: ThreadConnections | None = None

    def _connection(self) -> sqlite3.Connection | None:
        if self._connections is None:
            if not self.path.exists():
                return None
            self._connections = ThreadConnections(self.path, SCHEMA)
        return self._connections.connection()

    def _rows(self, sql: str, arguments: tuple[Any, ...]) -> list[OutboxMessage]:
        connection = self._connection()
        if connection is None:
            return []
        return [_message(row) for row in connection.execute(f"SELECT {_COLUMNS} FROM outbox {sql}", arguments)]

    def messages(self, *, limit: int = 50, to: str | None = None) -> list[OutboxMessage]:
        """The newest first (at most `limit`), optionally only those to one address."""
        where, arguments = ("WHERE email_address = ?", (to,)) if to else ("", ())
        return self._rows(f"{where} ORDER BY position DESC LIMIT ?", (*arguments, limit))

    def message(self, id_or_reference: str) -> OutboxMessage | None:
        found = self._rows("WHERE id = ? OR reference = ? LIMIT 1", (id_or_reference, id_or_reference))
        return found[0] if found else None

    def by_references(self, references: Collection[str]) -> dict[str, OutboxMessage]:
        wanted = sorted(set(references))
        found: dict[str, OutboxMessage] = {}
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            marks = ", ".join("?" * len(batch))
            found.update((m.reference, m) for m in self._rows(f"WHERE reference IN ({marks})", tuple(batch)))
        return found


def _message(row: tuple[Any, ...]) -> OutboxMessage:
    id_, reference, sent_at, email, template_id, subject, body, personalisation, reply_to = row
    return OutboxMessage(
        id_, reference, sent_at, email, template_id, subject, body, orjson.loads(personalisation), reply_to
    )


def outbox_path(data_dir: Path) -> Path:
    return data_dir / "outbox.sqlite"
