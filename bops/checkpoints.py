"""Where the embedded relay keeps each subscriber's position in the log, and what it gave up on (its DLQ)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.projections.sqlite_store import SqliteReadModelStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS relay_checkpoints (
    subscriber TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relay_dead_letters (
    subscriber TEXT NOT NULL,
    position INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    error TEXT NOT NULL,
    failed_at TEXT NOT NULL,
    PRIMARY KEY (subscriber, position)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class DeadLetter:
    subscriber: str
    position: int
    event_type: str
    stream_id: str
    version: int
    error: str
    failed_at: str


class Checkpoints:
    """Kept in the read-model file so that a rebuilt projection and its checkpoint swap in one transaction."""

    def __init__(self, store: SqliteReadModelStore) -> None:
        self.store = store
        store.connection().executescript(SCHEMA)

    def get(self, subscriber: str) -> int:
        row = (
            self.store.connection()
            .execute("SELECT position FROM relay_checkpoints WHERE subscriber = ?", (subscriber,))
            .fetchone()
        )
        return row[0] if row else 0

    def advance(self, subscriber: str, seen: int, position: int) -> bool:
        """Move from `seen` to `position`; False if someone (a replay) moved it meanwhile."""
        connection = self.store.connection()
        if seen == 0:
            connection.execute(
                "INSERT OR IGNORE INTO relay_checkpoints (subscriber, position) VALUES (?, 0)", (subscriber,)
            )
        cursor = connection.execute(
            "UPDATE relay_checkpoints SET position = ? WHERE subscriber = ? AND position = ?",
            (position, subscriber, seen),
        )
        return cursor.rowcount == 1

    def dead_letter(
        self, subscriber: str, position: int, event_type: str, stream_id: str, version: int, error: str, at: datetime
    ) -> None:
        self.store.connection().execute(
            "INSERT OR REPLACE INTO relay_dead_letters VALUES (?, ?, ?, ?, ?, ?, ?)",
            (subscriber, position, event_type, stream_id, version, error[:2000], at.isoformat()),
        )

    def dead_letters(self, subscriber: str | None = None) -> list[DeadLetter]:
        sql = "SELECT * FROM relay_dead_letters"
        rows = self.store.connection().execute(
            sql + (" WHERE subscriber = ? ORDER BY position" if subscriber else " ORDER BY subscriber, position"),
            (subscriber,) if subscriber else (),
        )
        return [DeadLetter(*row) for row in rows.fetchall()]
