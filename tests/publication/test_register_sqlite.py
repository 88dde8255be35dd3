from __future__ import annotations

import pytest

from services.publication.read_model.sqlite import SqlitePublicRegister
from tests.publication.register_contract import PublicRegisterContract, application, entry


class TestSqlitePublicRegister(PublicRegisterContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path):
        self.folder = tmp_path

    def make_register(self):
        return SqlitePublicRegister(self.folder / "readmodels.sqlite")


def test_a_rebuilt_register_is_swapped_in_with_the_checkpoint(tmp_path):
    live = SqlitePublicRegister(tmp_path / "r.sqlite")
    old = application(1)
    live.put(old, [entry(old)])
    live.connection().execute("CREATE TABLE marks (name TEXT PRIMARY KEY, position INTEGER)")
    rebuilt = SqlitePublicRegister(tmp_path / "r.sqlite", prefix="public_rebuild")
    new = application(2)
    rebuilt.put(new, [entry(new)])
    live.swap_in(rebuilt, "INSERT INTO marks VALUES (?, ?)", ("public-register", 9))
    assert live.get("DEMO", old.reference) is None
    assert live.get("DEMO", new.reference) == new
    assert (
        live.search(
            live_query := __import__("services.publication.read_model.port", fromlist=["PublicSearch"]).PublicSearch(
                text="2 mill"
            )
        ).total
        == 1
    ), live_query
    assert live.connection().execute("SELECT * FROM marks").fetchall() == [("public-register", 9)]


def test_a_prefix_must_be_an_identifier(tmp_path):
    with pytest.raises(ValueError):
        SqlitePublicRegister(tmp_path / "r.sqlite", prefix="x; DROP TABLE y")
