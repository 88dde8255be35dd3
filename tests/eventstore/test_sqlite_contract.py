from __future__ import annotations

import pytest

from shared.eventstore.sqlite import SqliteEventStore
from tests.eventstore.contract import EventStoreContract


class TestSqliteEventStore(EventStoreContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path):
        self.directory = tmp_path

    def make_store(self, clock):
        return SqliteEventStore(self.directory / "events.sqlite", clock=clock)

    def stored_bytes(self, store, stream_id, version):
        return (
            store._connection()
            .execute("SELECT data FROM events WHERE stream_id = ? AND version = ?", (stream_id, version))
            .fetchone()[0]
        )

    def tamper(self, store, stream_id, version, data):
        store._connection().execute(
            "UPDATE events SET data = ? WHERE stream_id = ? AND version = ?", (data, stream_id, version)
        )

    def delete_event(self, store, stream_id, version):
        store._connection().execute("DELETE FROM events WHERE stream_id = ? AND version = ?", (stream_id, version))

    def rewrite(self, store, stream_id, version, data, prev_hash, hash_):
        store._connection().execute(
            "UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE stream_id = ? AND version = ?",
            (data, prev_hash, hash_, stream_id, version),
        )

    def store_raw(self, store, stream_id, version, column, value):
        store._connection().execute(
            f"UPDATE events SET {column} = ? WHERE stream_id = ? AND version = ?", (value, stream_id, version)
        )

    def foreign_values(self, data):
        # the same bytes as text (what the sqlite3 shell writes), a number, a real, an empty blob
        return [data.decode(), 42, 4.5, b"", b"\xff\xfe", "not json"]
