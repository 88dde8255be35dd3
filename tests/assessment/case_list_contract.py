"""The one contract suite both case-list adapters pass (subclass it and provide `make_case_list`)."""

from __future__ import annotations

import abc
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.assessment.case_list.port import CaseList, CaseQuery, CaseRow, select

TODAY = date(2026, 3, 16)


def row(reference: str, **changes) -> CaseRow:
    base = CaseRow(
        council="DEMO",
        reference=reference,
        version=1,
        status="in_assessment",
        application_type="pp.full.householder",
        description="Rear extension",
        address=f"{reference[-2:]} High Street, Exampleton",
        postcode="EX1 2AB",
        received_at="2026-03-02T10:00:00Z",
        valid_from=date(2026, 3, 3),
        expiry_date=date(2026, 4, 28),
        target_date=date(2026, 4, 21),
        case_officer_id="officer-1",
        case_officer_name="Ann Officer",
    )
    return replace(base, **changes)


def sample() -> list[CaseRow]:
    return [
        row("26-00001-HH", expiry_date=TODAY - timedelta(days=3)),  # overdue
        row("26-00002-HH", expiry_date=TODAY + timedelta(days=2), case_officer_id="officer-2"),
        row("26-00003-HH", status="not_started", expiry_date=None, valid_from=None, case_officer_id=None),
        row("26-00004-LDCP", application_type="ldc.proposed", postcode="AB9 9ZZ", address="Mill Lane"),
        row("26-00005-HH", status="determined", expiry_date=TODAY - timedelta(days=30)),  # determined: not overdue
        row("26-00006-HH", status="to_be_reviewed", expiry_date=TODAY + timedelta(days=10)),
        row("26-00001-HH", council="OTHR", address="Elsewhere", expiry_date=TODAY - timedelta(days=5)),
    ]


class CaseListContract(abc.ABC):
    @abc.abstractmethod
    def make_case_list(self) -> CaseList:
        """A fresh, empty case list of the adapter under test."""

    @pytest.fixture
    def cases(self) -> CaseList:
        return self.make_case_list()

    @pytest.fixture
    def filled(self, cases) -> CaseList:
        for each in sample():
            assert cases.put(each)
        return cases

    def query(self, cases: CaseList, **filters) -> list[str]:
        return [r.reference for r in cases.query(CaseQuery("DEMO", TODAY, **filters)).rows]

    def test_an_unknown_application_is_at_version_zero(self, cases):
        assert cases.version("DEMO", "26-00001-HH") == 0
        assert cases.query(CaseQuery("DEMO", TODAY)).rows == []

    def test_a_row_is_kept_only_at_a_later_version(self, cases):
        assert cases.put(row("26-00001-HH", version=3, status="in_assessment"))
        assert not cases.put(row("26-00001-HH", version=3, status="determined"))
        assert not cases.put(row("26-00001-HH", version=2, status="not_started"))
        assert cases.version("DEMO", "26-00001-HH") == 3
        [stored] = cases.query(CaseQuery("DEMO", TODAY)).rows
        assert stored == row("26-00001-HH", version=3, status="in_assessment")
        assert cases.put(row("26-00001-HH", version=4, status="determined", case_officer_id=None))
        assert cases.query(CaseQuery("DEMO", TODAY)).rows == [
            row("26-00001-HH", version=4, status="determined", case_officer_id=None)
        ]

    def test_rows_round_trip_with_every_field(self, cases):
        full = row("26-00009-HH", description='Ünïcode \u2013 "quotes"', case_officer_name=None, target_date=None)
        cases.put(full)
        assert cases.query(CaseQuery("DEMO", TODAY)).rows == [full]

    def test_sorted_by_expiry_then_reference_and_undated_last(self, filled):
        assert self.query(filled) == [
            "26-00005-HH",
            "26-00001-HH",
            "26-00002-HH",
            "26-00006-HH",
            "26-00004-LDCP",
            "26-00003-HH",
        ]

    def test_only_the_councils_own_rows(self, filled):
        page = filled.query(CaseQuery("OTHR", TODAY))
        assert [(r.council, r.address) for r in page.rows] == [("OTHR", "Elsewhere")]
        assert filled.version("OTHR", "26-00001-HH") == 1

    def test_counts_per_status_ignore_the_status_filter(self, filled):
        page = filled.query(CaseQuery("DEMO", TODAY, statuses=frozenset({"in_assessment"})))
        assert page.counts == {"in_assessment": 3, "not_started": 1, "determined": 1, "to_be_reviewed": 1}
        assert page.total == 3
        assert [r.reference for r in page.rows] == ["26-00001-HH", "26-00002-HH", "26-00004-LDCP"]

    def test_several_statuses(self, filled):
        assert self.query(filled, statuses=frozenset({"not_started", "determined"})) == ["26-00005-HH", "26-00003-HH"]

    def test_assigned_to(self, filled):
        assert self.query(filled, assigned_to="officer-2") == ["26-00002-HH"]
        assert self.query(filled, assigned_to="nobody") == []

    def test_application_type(self, filled):
        assert self.query(filled, application_types=frozenset({"ldc.proposed"})) == ["26-00004-LDCP"]

    def test_free_text_over_reference_address_and_postcode(self, filled):
        assert self.query(filled, q="00004") == ["26-00004-LDCP"]
        assert self.query(filled, q="mill LANE") == ["26-00004-LDCP"]
        assert self.query(filled, q="ab9 9zz") == ["26-00004-LDCP"]
        assert self.query(filled, q="AB99ZZ") == ["26-00004-LDCP"]
        assert self.query(filled, q="100%") == []
        assert self.query(filled, q="Rear extension") == []  # the description is not searched

    def test_overdue_means_open_and_past_expiry(self, filled):
        assert self.query(filled, overdue=True) == ["26-00001-HH"]
        assert "26-00001-HH" not in self.query(filled, overdue=False)
        assert len(self.query(filled, overdue=False)) == 5

    def test_due_before(self, filled):
        assert self.query(filled, due_before=TODAY + timedelta(days=3)) == ["26-00002-HH"]
        assert self.query(filled, due_before=TODAY + timedelta(days=11)) == ["26-00002-HH", "26-00006-HH"]

    def test_filters_combine(self, filled):
        assert self.query(filled, q="high street", assigned_to="officer-1", statuses=frozenset({"to_be_reviewed"})) == [
            "26-00006-HH"
        ]

    def test_pages(self, filled):
        first = filled.query(CaseQuery("DEMO", TODAY, per_page=4))
        second = filled.query(CaseQuery("DEMO", TODAY, per_page=4, page=2))
        third = filled.query(CaseQuery("DEMO", TODAY, per_page=4, page=3))
        assert first.total == second.total == 6
        assert [r.reference for r in first.rows + second.rows] == self.query(filled)
        assert third.rows == []

    def test_the_adapter_agrees_with_the_reference_selection(self, filled):
        queries = [
            CaseQuery("DEMO", TODAY, statuses=frozenset({"in_assessment", "determined"}), per_page=2, page=2),
            CaseQuery("DEMO", TODAY, q="street", overdue=False),
            CaseQuery("DEMO", TODAY, due_before=TODAY + timedelta(days=60), assigned_to="officer-1"),
        ]
        for query in queries:
            assert filled.query(query) == select(sample(), query)


def test_a_query_refuses_bad_pages():
    with pytest.raises(ValueError):
        CaseQuery("DEMO", TODAY, page=0)
    with pytest.raises(ValueError):
        CaseQuery("DEMO", TODAY, per_page=101)
