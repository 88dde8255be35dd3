from __future__ import annotations

import pytest

from services.assessment.case_list.sqlite import SqliteCaseList
from tests.assessment.case_list_contract import CaseListContract, row


class TestSqliteCaseList(CaseListContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path):
        self.folder = tmp_path

    def make_case_list(self):
        return SqliteCaseList(self.folder / "readmodels.sqlite")


def test_a_rebuilt_table_is_swapped_in_with_the_checkpoint(tmp_path):
    live = SqliteCaseList(tmp_path / "r.sqlite")
    live.put(row("26-00001-HH", version=2))
    live.connection().execute("CREATE TABLE marks (name TEXT PRIMARY KEY, position INTEGER)")
    rebuilt = SqliteCaseList(tmp_path / "r.sqlite", table="case_list_rebuild")
    rebuilt.put(row("26-00002-HH", version=5))
    live.swap_in(rebuilt, "INSERT INTO marks VALUES (?, ?)", ("case-list", 9))
    assert live.version("DEMO", "26-00001-HH") == 0
    assert live.version("DEMO", "26-00002-HH") == 5
    assert live.connection().execute("SELECT * FROM marks").fetchall() == [("case-list", 9)]
    assert not live.connection().execute("SELECT name FROM sqlite_master WHERE name = 'case_list_rebuild'").fetchall()


def test_the_list_is_read_through_its_expiry_index(tmp_path):
    cases = SqliteCaseList(tmp_path / "r.sqlite")
    plan = cases.connection().execute(
        "EXPLAIN QUERY PLAN SELECT reference FROM case_list WHERE council = ? ORDER BY expiry_sort, reference LIMIT 25",
        ("DEMO",),
    )
    assert "case_list_by_expiry" in " ".join(str(step) for step in plan)


def test_a_table_name_must_be_an_identifier(tmp_path):
    with pytest.raises(ValueError):
        SqliteCaseList(tmp_path / "r.sqlite", table="x; DROP TABLE y")
