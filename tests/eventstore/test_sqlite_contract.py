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
