"""The local outbox: where a council without a GOV.UK Notify key sends its mail (the embedded default).

It is an `EmailGateway` like the Notify one, so a message takes the same path up to the provider's call; here the
call keeps the rendered message (subject, body, every personalisation field) in `outbox.sqlite` in the data folder,
where officers read it (`bops outbox`, the console; the read side is `shared.outbox`). A second call with the same
`reference` stores nothing new and returns the first call's id, as the provider's id of that message.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import orjson

from events.serialization import format_time
from shared.clock import Clock
from shared.local_sqlite import ThreadConnections
from shared.outbox import SCHEMA, OutboxMessage, SqliteOutboxReader, outbox_path

__all__ = ["OUTBOX_TEMPLATE", "LocalOutbox", "OutboxMessage", "outbox_path"]

OUTBOX_TEMPLATE = "outbox"  # the template id recorded for a message the outbox kept (its subject and body are its own)


class LocalOutbox(SqliteOutboxReader):
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self._connections = ThreadConnections(path, SCHEMA)  # made at once: the writer creates the file

    def _connection(self) -> sqlite3.Connection:
        assert self._connections is not None
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
