"""The local outbox: where a council without a GOV.UK Notify key sends its mail (the embedded default).

It is an `EmailGateway` like the Notify one, so a message takes the same path up to the provider's call; here the
call keeps the rendered message (subject, body, every personalisation field) in `outbox.sqlite` in the data folder,
where officers read it (`bops outbox`). A second call with the same `reference` stores nothing new and returns the
first call's id, as the provider's id of that message.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from events.serialization import format_time
from services.notifications.local_sqlite import ThreadConnections
from shared.clock import Clock

OUTBOX_TEMPLATE = "outbox"  # the template id recorded for a message the outbox kept (its subject and body are its own)


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


class LocalOutbox:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self._connections = ThreadConnections(
            path,
            "CREATE TABLE IF NOT EXISTS outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
            "reference TEXT NOT NULL UNIQUE, sent_at TEXT NOT NULL, email_address TEXT NOT NULL, template_id TEXT NOT "
            "NULL, subject TEXT NOT NULL, body TEXT NOT NULL, personalisation TEXT NOT NULL, reply_to_id TEXT)",
        )

    def _connection(self) -> sqlite3.Connection:
        return self._connections.connection()

    def send_email(
        self,
        *,
        email_address: str,
        template_id: str,
        personalisation: dict[str, str],
        reference: str,
        email_reply_to_id: str | None,
    ) -> str:
        connection = self._connection()
        connection.execute(
            "INSERT INTO outbox (id, reference, sent_at, email_address, template_id, subject, body, personalisation, "
            "reply_to_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING",
            (
                str(uuid.uuid4()),
                reference,
                format_time(self.clock.now()),
                email_address,
                template_id,
                personalisation.get("subject", ""),
                personalisation.get("body", ""),
                orjson.dumps(personalisation).decode(),
                email_reply_to_id,
            ),
        )
        (found,) = connection.execute("SELECT id FROM outbox WHERE reference = ?", (reference,)).fetchone()
        return str(found)

    def messages(self, *, limit: int = 50, to: str | None = None) -> list[OutboxMessage]:
        """The newest first (at most `limit`), optionally only those to one address."""
        where, arguments = ("WHERE email_address = ?", (to,)) if to else ("", ())
        rows = (
            self._connection()
            .execute(f"SELECT {_COLUMNS} FROM outbox {where} ORDER BY position DESC LIMIT ?", (*arguments, limit))
            .fetchall()
        )
        return [_message(row) for row in rows]

    def message(self, id_or_reference: str) -> OutboxMessage | None:
        row = (
            self._connection()
            .execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ? OR reference = ?", (id_or_reference, id_or_reference))
            .fetchone()
        )
        return _message(row) if row else None


_COLUMNS = "id, reference, sent_at, email_address, template_id, subject, body, personalisation, reply_to_id"


def _message(row: tuple[Any, ...]) -> OutboxMessage:
    id_, reference, sent_at, email, template_id, subject, body, personalisation, reply_to = row
    return OutboxMessage(
        id_, reference, sent_at, email, template_id, subject, body, orjson.loads(personalisation), reply_to
    )


def outbox_path(data_dir: Path) -> Path:
    return data_dir / "outbox.sqlite"
