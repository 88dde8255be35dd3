from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from services.publication.read_model.port import DateRange, PublicSearch
from services.publication.read_model.sqlite import SqlitePublicRegister
from tests.publication.register_contract import START, PublicRegisterContract, application, entry, sample


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
    assert live.search(PublicSearch(text="2 mill")).total == 1
    assert live.connection().execute("SELECT * FROM marks").fetchall() == [("public-register", 9)]


def test_a_prefix_must_be_an_identifier(tmp_path):
    with pytest.raises(ValueError):
        SqlitePublicRegister(tmp_path / "r.sqlite", prefix="x; DROP TABLE y")


def test_every_search_walks_an_index_in_the_pages_order(tmp_path):
    """EXPLAIN QUERY PLAN of every statement a search runs: an FTS5 walk whose rowid order is the page's order
    (so LIMIT stops it), records read by key; the one table walk (no text, no filter) is in key order too."""
    register = SqlitePublicRegister(tmp_path / "r.sqlite")
    for app in sample():
        register.put(app, [entry(app)])
    queries = [
        PublicSearch(),
        PublicSearch(sort_by="received_at", order="asc"),
        PublicSearch(text="rear ext", statuses=frozenset({"determined"}), decisions=frozenset({"granted"})),
        PublicSearch(text="26-00001-HAPP", councils=frozenset({"DEMO"})),
        PublicSearch(text="demo-26-00001-ha"),  # a leading part, of one council
        PublicSearch(text="26-00001", statuses=frozenset({"in_assessment"})),
        PublicSearch(text="EX1 2AB", sort_by="received_at"),
        PublicSearch(date_ranges=(DateRange("received_at", date(2026, 3, 4), date(2027, 2, 3)),), order="asc"),
        PublicSearch(application_types=frozenset({"ldc.proposed"}), statuses=frozenset({"withdrawn"})),
        PublicSearch(application_types=frozenset({"ldc.proposed"})),  # totalled by the counters: the page alone
        PublicSearch(text="mill", offset=995, limit=10),  # past the count cap: the count, then the page
    ]
    for query in queries:
        plans = register.plans(query)
        assert plans, query
        for plan in plans:
            lines = plan.splitlines()
            for line in lines:
                if line.startswith("SCAN public_applications"):  # the listing: rowid or received_key order
                    assert "TEMP B-TREE" not in plan and len(lines) == 1, plan
                elif line.startswith("SCAN public_by_"):
                    assert re.search(r"VIRTUAL TABLE INDEX \d+:M", line), plan  # a MATCH, not a scan
                    number = int(re.search(r"INDEX (\d+):", line).group(1))  # type: ignore[union-attr]
                    counting = "(subquery-1)" in plan  # the count alone walks in any order
                    assert number & 64 or counting, plan  # FTS5 walks in rowid order (ORDER BY consumed)
                elif line.startswith(("SCAN", "MATERIALIZE", "USE TEMP B-TREE")):  # the page's ≤ limit rows, the count
                    assert line in ("SCAN m", "SCAN (subquery-1)", "MATERIALIZE m", "USE TEMP B-TREE FOR ORDER BY"), (
                        plan
                    )
                elif line.startswith("SEARCH"):
                    assert "PRIMARY KEY (rowid=?)" in line or "(received_key=?)" in line, plan
        walks = [plan for plan in plans if "VIRTUAL TABLE" in plan or plan.startswith("SCAN public_applications")]
        assert walks, query


def test_a_full_millisecond_is_spread_out_again_in_order(tmp_path, monkeypatch):
    import services.publication.read_model.sqlite as adapter

    monkeypatch.setattr(adapter, "STEP", 1 << 19)  # four appends fill a millisecond's slots
    register = SqlitePublicRegister(tmp_path / "r.sqlite")
    apps = [application(n, published_at=START, received_at=START) for n in (1, 9, 2, 8, 3, 7, 4, 6, 5, 10, 11, 12)]
    for app in apps:
        register.put(app, [])
    rows = register.connection().execute("SELECT key, reference FROM public_applications ORDER BY key").fetchall()
    assert [reference for _, reference in rows] == sorted(a.reference for a in apps)
    base = adapter.sort_base(START)
    assert all(base <= key < base + adapter.SPAN for key, _ in rows)
    found = register.search(PublicSearch(text="mill", limit=100, order="asc"))
    assert [a.reference for a in found.applications] == sorted(a.reference for a in apps)


@pytest.mark.parametrize(
    ("start", "end", "terms"),
    [
        (date(2010, 1, 1), date(2010, 12, 31), ["qay2010"]),
        (date(2010, 3, 1), date(2010, 3, 31), ["qam201003"]),
        (date(2010, 3, 30), date(2010, 4, 1), ["qad20100330", "qad20100331", "qad20100401"]),
        (date(2000, 1, 1), date(2019, 12, 31), ["qax200", "qax201"]),
        (date(2000, 1, 1), None, ["qac20", *(f"qac{c}" for c in range(21, 30))]),
        (date(2010, 2, 1), date(2009, 1, 1), []),
    ],
)
def test_a_date_range_is_the_fewest_terms_that_cover_it(start, end, terms):
    from services.publication.read_model.sqlite import date_cover

    assert date_cover("a", start, end) == terms


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2009, 12, 30), date(2031, 2, 2)), (None, date(2010, 5, 17)), (date(2024, 2, 27), date(2024, 3, 1))],
)
def test_a_date_range_cover_holds_exactly_its_days(start, end):
    from services.publication.read_model.sqlite import date_cover, date_terms

    cover = set(date_cover("a", start, end))
    assert len(cover) < 80
    day = date(2008, 1, 1)
    while day < date(2033, 1, 1):
        inside = (start is None or start <= day) and day <= end
        assert bool(cover & set(date_terms("a", day))) == inside, day
        day += timedelta(days=1)


def test_words_of_a_record_never_pass_for_its_facets_or_another_stage(tmp_path):
    """Text words are indexed in their own namespaces: a description quoting a facet's term is not that facet, and a
    description word is not an address word."""
    from services.publication.read_model.sqlite import facet_term

    register = SqlitePublicRegister(tmp_path / "r.sqlite")
    crafted = application(1, description=f"Porch {facet_term('status', 'determined')} {facet_term('council', 'XYZ')}")
    register.put(crafted, [])
    assert register.search(PublicSearch(statuses=frozenset({"determined"}))).total == 0
    assert register.search(PublicSearch(text="porch", statuses=frozenset({"determined"}))).total == 0
    assert register.search(PublicSearch(councils=frozenset({"XYZ"}))).total == 0
    found = register.search(PublicSearch(text="porch"))
    assert found.total == 1 and found.stage == "description"


def test_a_register_of_an_earlier_shape_is_emptied_for_its_replay(tmp_path):
    """A register whose index has the earlier columns (address, description, facets) cannot be searched by this code:
    it is dropped and made again, empty, for `bops replay public` to refill."""
    import sqlite3

    path = tmp_path / "r.sqlite"
    SqlitePublicRegister(path).put(application(1), [])
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE public_by_published")
        connection.execute("CREATE VIRTUAL TABLE public_by_published USING fts5 (address, description, facets)")
    again = SqlitePublicRegister(path)
    assert again.get("DEMO", application(1).reference) is None
    again.put(application(1), [])
    assert again.search(PublicSearch(text="rear ext")).total == 1


def test_a_long_last_word_is_the_words_it_begins(tmp_path, monkeypatch):
    """A last word longer than the prefix indexes is expanded from the register's vocabulary to the words it begins
    (OR-ed exact terms, walked lazily); with more of them than the limit, FTS5's prefix query answers the same."""
    import services.publication.read_model.sqlite as adapter

    register = SqlitePublicRegister(tmp_path / "r.sqlite")
    descriptions = ["Conservatory extension", "Two extensions", "Extensive works", "Rear dormer"]
    for number, description in enumerate(descriptions, 1):
        register.put(application(number, description=description), [])
    assert register._words_beginning("dextensi") == ["dextension", "dextensions", "dextensive"]
    expression = adapter.stage_expression("description", "rear extensio", register._words_beginning)
    assert expression == '("drear" AND ("dextension" OR "dextensions"))'
    assert adapter.stage_expression("address", "extensio", register._words_beginning) is None  # no such address word

    def found(text: str) -> set[str]:
        return {a.description for a in register.search(PublicSearch(text=text, limit=10)).applications}

    assert found("extensio") == {"Conservatory extension", "Two extensions"}
    assert found("two extensio") == {"Two extensions"}  # a word before the expanded one
    assert found("conservator") == {"Conservatory extension"}
    assert found("extensionz") == set()
    monkeypatch.setattr(adapter, "EXPANSION_LIMIT", 1)  # too many words: the prefix query, same answer
    assert register._words_beginning("dextensi") is None
    assert found("extensio") == {"Conservatory extension", "Two extensions"}
    assert found("two extensio") == {"Two extensions"}
