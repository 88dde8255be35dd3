"""The ODP face's query parameters, read and checked: every problem is named (the face answers 400 with them).

Lists take `page` (from 1) and `resultsPerPage` (1 to 100, default 10; registers also send `maxresults`; larger
values are capped at 100). Filters may be repeated or comma-separated. Days, date ranges and page sizes are checked
as the BOPS-compatible face checks them (`services.publication.parameters`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.publication.odp.stages import statuses_for
from services.publication.parameters import MIN_RESULTS_PER_PAGE, calendar_day, day_reason, range_reason
from services.publication.read_model.port import MAX_RESULTS_PER_PAGE, DateField, DateRange, PublicSearch
from shared.odp.catalogue import is_known_type
from shared.whole_numbers import whole_number

DEFAULT_PER_PAGE = 10
MAX_PAGE = 100_000
MAX_TEXT = 200
DECISIONS = ("granted", "refused", "not_required")
APPLICATION_SORTS = {"publishedAt": "published_at", "receivedAt": "received_at"}
DOCUMENT_SORTS = ("publishedAt", "name")
ORDERS = ("asc", "desc")
DATE_PARAMETERS: dict[str, DateField] = {
    "receivedAt": "received_at",
    "validatedAt": "validated_at",
    "publishedAt": "published_at",
    "decisionDate": "decision_date",
    "consultationEndDate": "consultation_end_date",
}


class BadParameters(ValueError):
    """One or more parameters are wrong: `errors` are `{"field", "message"}`."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(error["message"] for error in errors))
        self.errors = errors


@dataclass
class Reader:
    """Reads one request's query parameters, collecting every problem before raising them together."""

    single: Mapping[str, str]
    multi: Mapping[str, Sequence[str]]
    errors: list[dict[str, str]] = field(default_factory=list)

    def fail(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "message": message})

    def text(self, name: str) -> str | None:
        value = self.single.get(name)
        if value is None:
            return None
        if len(value) > MAX_TEXT:
            self.fail(name, f"{name} is at most {MAX_TEXT} characters")
            return None
        return value.strip()

    def values(self, name: str) -> list[str]:
        raw = self.multi.get(name) or ([self.single[name]] if name in self.single else [])
        return [part.strip() for value in raw for part in value.split(",") if part.strip()]

    def number(self, name: str, default: int, low: int, high: int | None = None, cap: int | None = None) -> int:
        raw = self.single.get(name)
        if raw is None or raw.strip() == "":
            return default
        number = whole_number(raw.strip())
        if number is None or number < low or (high is not None and number > high):
            bounds = f"from {low}" + (f" to {high}" if high is not None else "")
            self.fail(name, f"{name} must be a whole number {bounds}")
            return default
        return min(number, cap) if cap is not None else number

    def choice(self, name: str, options: Sequence[str], default: str) -> str:
        raw = self.single.get(name)
        if raw is None or raw.strip() == "":
            return default
        if raw.strip() not in options:
            self.fail(name, f"{name} must be one of {', '.join(options)}")
            return default
        return raw.strip()

    def day(self, name: str) -> date | None:
        raw = self.single.get(name)
        if raw is None or raw.strip() == "":
            return None
        found = calendar_day(raw)
        if found is None:
            self.fail(name, day_reason(name, raw))
        return found

    def range(self, prefix: str) -> tuple[date | None, date | None]:
        start, end = self.day(prefix + "From"), self.day(prefix + "To")
        reason = range_reason(prefix, start, end)
        if reason:
            self.fail(prefix + "From", reason)
        return start, end

    def done(self) -> None:
        if self.errors:
            raise BadParameters(self.errors)


def reader(query: Mapping[str, str] | None, multi: Mapping[str, Sequence[str]] | None) -> Reader:
    return Reader(dict(query or {}), dict(multi or {}))


@dataclass(frozen=True)
class Page:
    number: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


def page_of(read: Reader) -> Page:
    per_page_name = "resultsPerPage" if "resultsPerPage" in read.single else "maxresults"
    per_page = read.number(per_page_name, DEFAULT_PER_PAGE, MIN_RESULTS_PER_PAGE, cap=MAX_RESULTS_PER_PAGE)
    return Page(read.number("page", 1, 1, MAX_PAGE), per_page)


def application_search(read: Reader, councils: frozenset[str]) -> tuple[PublicSearch, Page]:
    """The register search an applications request asks for. Raises BadParameters naming every problem."""
    page = page_of(read)
    types = read.values("applicationType")
    for code in types:
        if not is_known_type(code):
            read.fail("applicationType", f"{code!r} is not an ODP application type")
    statuses: set[str] = set()
    for value in read.values("applicationStatus"):
        found = statuses_for(value)
        if found is None:
            read.fail("applicationStatus", f"{value!r} is not an application status")
        else:
            statuses |= found
    decisions = read.values("councilDecision")
    for value in decisions:
        if value not in DECISIONS:
            read.fail("councilDecision", f"councilDecision must be one of {', '.join(DECISIONS)}")
    ranges = []
    for name, field_name in DATE_PARAMETERS.items():
        start, end = read.range(name)
        if start is not None or end is not None:
            ranges.append(DateRange(field_name, start, end))
    sort_by = read.choice("sortBy", tuple(APPLICATION_SORTS), "publishedAt")
    order = read.choice("orderBy", ORDERS, "desc")
    text = read.text("query") or ""
    reference = read.text("reference") or None
    read.done()
    search = PublicSearch(
        councils=councils,
        text=text,
        reference=reference,
        application_types=frozenset(types),
        statuses=frozenset(statuses),
        decisions=frozenset(decisions),
        date_ranges=tuple(ranges),
        sort_by=APPLICATION_SORTS[sort_by],  # type: ignore[arg-type]
        order=order,  # type: ignore[arg-type]
        offset=page.offset,
        limit=page.per_page,
    )
    return search, page


@dataclass(frozen=True)
class DocumentQuery:
    page: Page
    name: str | None
    file_type: str | None
    sort_by: str
    order: str
    published_from: date | None
    published_to: date | None

    def matches(self, record: dict[str, Any]) -> bool:
        if self.name and self.name.lower() not in str(record["name"]).lower():
            return False
        if self.file_type and self.file_type not in record["type"]:
            return False
        published = str(record["metadata"].get("publishedAt") or "")[:10]
        if self.published_from and (not published or published < self.published_from.isoformat()):
            return False
        return not (self.published_to and (not published or published > self.published_to.isoformat()))


def document_query(read: Reader, file_types: frozenset[str]) -> DocumentQuery:
    page = page_of(read)
    file_type = read.text("type") or None
    if file_type and file_type not in file_types:
        read.fail("type", f"{file_type!r} is not an ODP file type")
    query = DocumentQuery(
        page=page,
        name=read.text("name") or None,
        file_type=file_type,
        sort_by=read.choice("sortBy", DOCUMENT_SORTS, "publishedAt"),
        order=read.choice("orderBy", ORDERS, "desc"),
        published_from=None,
        published_to=None,
    )
    start, end = read.range("publishedAt")
    read.done()
    return DocumentQuery(query.page, query.name, query.file_type, query.sort_by, query.order, start, end)


def comments_page(read: Reader) -> Page:
    """Comments lists take the paging parameters (and their filters, which have nothing to filter yet)."""
    page = page_of(read)
    read.done()
    return page
