"""The case list's port: rows written by the projection (monotone in the application's main-stream version) and one
query that filters, counts per status, sorts by expiry and paginates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

# Statuses whose statutory clock has stopped for good: never overdue, never due.
FINAL_STATUSES = frozenset({"determined", "withdrawn", "returned", "closed"})
NO_EXPIRY = "9999-12-31"  # sorts applications without an expiry date (not yet valid) after every dated one
MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class CaseRow:
    """What the case list shows and filters on, for one application at one version of its main stream."""

    council: str
    reference: str
    version: int
    status: str
    application_type: str
    description: str = ""
    address: str = ""
    postcode: str = ""
    received_at: str = ""
    valid_from: date | None = None
    expiry_date: date | None = None
    target_date: date | None = None
    case_officer_id: str | None = None
    case_officer_name: str | None = None

    @property
    def expiry_sort(self) -> str:
        return self.expiry_date.isoformat() if self.expiry_date else NO_EXPIRY

    @property
    def search_text(self) -> str:
        """What `q` searches: reference, address and postcode (also without its space), in lower case."""
        return " ".join((self.reference, self.address, self.postcode, self.postcode.replace(" ", ""))).lower()

    def is_open(self) -> bool:
        return self.status not in FINAL_STATUSES

    def to_record(self) -> dict[str, Any]:
        """The row as plain JSON (the DynamoDB item's body)."""
        return {
            "council": self.council,
            "reference": self.reference,
            "version": self.version,
            "status": self.status,
            "application_type": self.application_type,
            "description": self.description,
            "address": self.address,
            "postcode": self.postcode,
            "received_at": self.received_at,
            "valid_from": _iso(self.valid_from),
            "expiry_date": _iso(self.expiry_date),
            "target_date": _iso(self.target_date),
            "case_officer_id": self.case_officer_id,
            "case_officer_name": self.case_officer_name,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> CaseRow:
        values: dict[str, Any] = {k: v for k, v in record.items() if k in _FIELDS}
        for name in ("valid_from", "expiry_date", "target_date"):
            values[name] = _date(record.get(name))
        return cls(**values)


_FIELDS = frozenset(CaseRow.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """A page of one council's case list. Dates are computed by the caller (the calendar is not the store's).

    `overdue`: True keeps open cases whose expiry date is before `today`, False leaves them out. `due_before`: open
    cases due from `today` up to (not including) that date. `counts` are per status over every filter but `statuses`.
    """

    council: str
    today: date
    statuses: frozenset[str] = frozenset()
    assigned_to: str | None = None
    application_types: frozenset[str] = frozenset()
    q: str = ""
    overdue: bool | None = None
    due_before: date | None = None
    page: int = 1
    per_page: int = 25

    def __post_init__(self) -> None:
        if self.page < 1 or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValueError("page must be at least 1 and per_page between 1 and 100")

    def without_statuses(self) -> CaseQuery:
        return replace(self, statuses=frozenset())


@dataclass(frozen=True, slots=True)
class CasePage:
    rows: list[CaseRow]
    total: int  # rows matching every filter
    counts: dict[str, int] = field(default_factory=dict)  # per status, matching every filter but the statuses


class CaseList(Protocol):
    def version(self, council: str, reference: str) -> int:
        """The main-stream version the application's row was built at (0: no row)."""
        ...

    def put(self, row: CaseRow) -> bool:
        """Store the row unless one at the same or a later version is there already (then False, nothing changed)."""
        ...

    def query(self, query: CaseQuery) -> CasePage:
        """One council's rows matching the query: filtered, counted per status, sorted by expiry then reference."""
        ...


def matches(row: CaseRow, query: CaseQuery) -> bool:
    """Every filter of the query but the statuses, in Python (the DynamoDB adapter; the SQLite one says it in SQL)."""
    if query.assigned_to is not None and row.case_officer_id != query.assigned_to:
        return False
    if query.application_types and row.application_type not in query.application_types:
        return False
    if query.q and query.q.lower() not in row.search_text:
        return False
    today = query.today.isoformat()
    overdue = row.is_open() and row.expiry_sort < today
    if query.overdue is not None and overdue != query.overdue:
        return False
    if query.due_before is not None:
        return row.is_open() and today <= row.expiry_sort < query.due_before.isoformat()
    return True


def select(rows: Iterable[CaseRow], query: CaseQuery) -> CasePage:
    """The page of rows a query asks for, counted and sorted, from all of the council's rows."""
    kept = [row for row in rows if row.council == query.council and matches(row, query)]
    counts: dict[str, int] = {}
    for row in kept:
        counts[row.status] = counts.get(row.status, 0) + 1
    if query.statuses:
        kept = [row for row in kept if row.status in query.statuses]
    kept.sort(key=lambda row: (row.expiry_sort, row.reference))
    start = (query.page - 1) * query.per_page
    return CasePage(kept[start : start + query.per_page], len(kept), counts)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None
