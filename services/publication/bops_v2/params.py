"""The query string of the BOPS v2 public API, read and checked: a bad value is a `BadParameters` with every reason
(answered 400), never a guess.

Lists come repeated (`applicationStatus[]=a&applicationStatus[]=b`, as Rails clients send them), repeated without the
brackets, or comma-separated. `resultsPerPage` (or `maxresults`, as registers also send it) above the cap is capped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import get_args

from services.publication.parameters import MIN_RESULTS_PER_PAGE, calendar_day, day_reason, range_reason
from services.publication.read_model.port import DateField, DateRange, Order, PublicSearch, SortField
from shared.application_status import PRIVATE_STATUSES, STATUSES
from shared.odp.catalogue import is_known_type
from shared.whole_numbers import whole_number

DEFAULT_RESULTS_PER_PAGE = 10
MAX_RESULTS_PER_PAGE = 50
MAX_PAGE = 100_000
MAX_TEXT = 200
PUBLIC_STATUSES = tuple(status for status in STATUSES if status not in PRIVATE_STATUSES)
DECISIONS = ("granted", "refused", "not_required")
# Query parameter names of the date ranges (`<name>From` / `<name>To`) and the record's field each one filters.
DATE_PARAMETERS: dict[str, DateField] = {
    "receivedAt": "received_at",
    "validatedAt": "validated_at",
    "publishedAt": "published_at",
    "decisionDate": "decision_date",
    "consultationEndDate": "consultation_end_date",
}
SORT_PARAMETERS: dict[str, SortField] = {"publishedAt": "published_at", "receivedAt": "received_at"}
ORDERS: tuple[Order, ...] = get_args(Order)


class BadParameters(ValueError):
    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


@dataclass(frozen=True, slots=True)
class Page:
    page: int
    results_per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.results_per_page


class Query:
    """The request's query parameters (single and multi-valued, as API Gateway gives them), with the reasons found."""

    def __init__(self, single: Mapping[str, str] | None, multi: Mapping[str, Sequence[str]] | None) -> None:
        self.single = dict(single or {})
        self.multi = {name: list(values) for name, values in (multi or {}).items()}
        self.reasons: list[str] = []

    def text(self, *names: str) -> str | None:
        for name in names:
            if name in self.single:
                value = self.single[name]
                if len(value) > MAX_TEXT:
                    self.reasons.append(f"{name} is longer than {MAX_TEXT} characters")
                    return None
                return value
        return None

    def values(self, name: str) -> list[str]:
        """Every value of a list parameter, from `name[]` and `name`, comma-separated or repeated."""
        found: list[str] = []
        for key in (f"{name}[]", name):
            raw = self.multi.get(key) or ([self.single[key]] if key in self.single else [])
            found.extend(part.strip() for value in raw for part in value.split(",") if part.strip())
        return found

    def integer(self, name: str, default: int, low: int, high: int, *, cap: bool = False, alias: str = "") -> int:
        if alias and name not in self.single and alias in self.single:
            name = alias  # the reasons name the parameter the request sent
        raw = self.single.get(name)
        if raw is None or raw == "":
            return default
        value = whole_number(raw.strip())  # ASCII digits only, as the ODP face reads them (`int` takes "+1", "1_0")
        if value is None:
            self.reasons.append(f"{name} must be a whole number, not {raw[:40]!r}")
            return default
        if value < low or (value > high and not cap):
            self.reasons.append(f"{name} must be between {low} and {high}")
            return default
        return min(value, high)

    def day(self, name: str) -> date | None:
        raw = self.single.get(name)
        if not raw or not raw.strip():
            return None
        found = calendar_day(raw)
        if found is None:
            self.reasons.append(day_reason(name, raw))
        return found

    def date_range(self, prefix: str) -> tuple[date | None, date | None]:
        start, end = self.day(f"{prefix}From"), self.day(f"{prefix}To")
        reason = range_reason(prefix, start, end)
        if reason:
            self.reasons.append(reason)
        return start, end

    def choice(self, name: str, allowed: Sequence[str], default: str) -> str:
        raw = self.single.get(name)
        if raw is None or raw == "":
            return default
        if raw not in allowed:
            self.reasons.append(f"{name} must be one of {', '.join(allowed)}, not {raw[:40]!r}")
            return default
        return raw

    def done(self) -> None:
        if self.reasons:
            raise BadParameters(self.reasons)


def page_of(query: Query, default: int = DEFAULT_RESULTS_PER_PAGE) -> Page:
    page = query.integer("page", 1, 1, MAX_PAGE)
    per_page = query.integer(
        "resultsPerPage", default, MIN_RESULTS_PER_PAGE, MAX_RESULTS_PER_PAGE, cap=True, alias="maxresults"
    )
    return Page(page, per_page)


def listing_page(single: Mapping[str, str] | None, multi: Mapping[str, Sequence[str]] | None) -> Page:
    """`page` and `resultsPerPage` of a listing that takes nothing else (comments), checked."""
    query = Query(single, multi)
    found = page_of(query)
    query.done()
    return found


def search_query(
    single: Mapping[str, str] | None, multi: Mapping[str, Sequence[str]] | None, councils: frozenset[str]
) -> tuple[PublicSearch, Page]:
    """The register's query for `GET .../search`, and the page asked for; `BadParameters` with every reason."""
    query = Query(single, multi)
    page = page_of(query)
    text = query.text("q", "query") or ""
    reference = query.text("reference")
    statuses = query.values("applicationStatus")
    for status in statuses:
        if status not in PUBLIC_STATUSES:
            query.reasons.append(f"applicationStatus {status[:40]!r} is not one of {', '.join(PUBLIC_STATUSES)}")
    types = query.values("applicationType")
    for code in types:
        if not is_known_type(code):
            query.reasons.append(f"applicationType {code[:40]!r} is not an ODP application type")
    decisions = query.values("councilDecision")
    for decision in decisions:
        if decision not in DECISIONS:
            query.reasons.append(f"councilDecision {decision[:40]!r} is not one of {', '.join(DECISIONS)}")
    ranges: list[DateRange] = []
    for name, field in DATE_PARAMETERS.items():
        start, end = query.date_range(name)
        if start or end:
            ranges.append(DateRange(field, start, end))
    sort_by = query.choice("sortBy", tuple(SORT_PARAMETERS), "publishedAt")
    order = query.choice("orderBy", ORDERS, "desc")
    query.done()
    search = PublicSearch(
        councils=councils,
        text=text.strip(),
        reference=reference.strip() if reference and reference.strip() else None,
        application_types=frozenset(types),
        statuses=frozenset(statuses),
        decisions=frozenset(decisions),
        date_ranges=tuple(ranges),
        sort_by=SORT_PARAMETERS[sort_by],
        order="asc" if order == "asc" else "desc",
        offset=page.offset,
        limit=page.results_per_page,
    )
    return search, page
