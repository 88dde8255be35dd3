from __future__ import annotations

import pytest

from shared.projections.sqlite_store import SqliteReadModelStore
from tests.projections.contract import ReadModelStoreContract


class TestSqliteReadModelStore(ReadModelStoreContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path):
        self.directory = tmp_path

    def make_store(self):
        return SqliteReadModelStore(self.directory / "read-models.sqlite")
