"""The public register's port: the projection writes whole records (and their feed entries); the public faces get one
application, search them, and read the change feed.

Every adapter passes one contract suite (`tests/publication/register_contract.py`). `select` and `text_stage` say in
Python what a search means; the adapters answer the same with their indexes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, Protocol

from services.publication.record import PublicApplication, StreamHead

MAX_RESULTS_PER_PAGE = 100
# Totals are counted up to this many matches: beyond it a search says "at least COUNT_CAP" (`SearchPage.exact`
# False), so that counting a common word costs the same at any size (as search engines cap their hit counts).
COUNT_CAP = 1_000
DateField = Literal["received_at", "validated_at", "published_at", "decision_date", "consultation_end_date"]
DATE_FIELDS: tuple[DateField, ...] = (
    "received_at",
    "validated_at",
    "published_at",
    "decision_date",
    "consultation_end_date",
)
SortField = Literal["published_at", "received_at"]
Order = Literal["asc", "desc"]
# Which part of an application a free-text query matched: reference first, then postcode, address, description.
TextStage = Literal["reference", "postcode", "address", "description"]
TEXT_STAGES: tuple[TextStage, ...] = ("reference", "postcode", "address", "description")
FeedKind = Literal["published", "status_changed", "document_published", "document_withdrawn", "decided"]

_WORD = re.compile(r"[0-9a-z]+")
_POSTCODE = re.compile(r"^([a-z]{1,2}[0-9][0-9a-z]?)\s*([0-9][a-z]{2})$")
# A reference (`YY-NNNNN-SUFFIX`) as the public types it in a search box (upper-cased first): the council's code in
# front or not (BOPS shows `DEMO-26-00042-HAPP`), then at least its year and whole number, then as much of its suffix
# as typed (`26-00042`, `26-00042-`, `26-00042-HA`, `26-00042-HAPP`).
_TYPED_REFERENCE = re.compile(
    r"(?:(?P<council>[A-Z0-9]{1,4})-)?(?P<number>[0-9]{2}-[0-9]+)(?:-(?P<suffix>[A-Z][A-Z0-9]*)?)?"
)
_REFERENCE = re.compile(r"(?P<number>[0-9]{2}-[0-9]+)(?:-(?P<suffix>[A-Z][A-Z0-9]*))?")


@dataclass(frozen=True, slots=True)
class DateRange:
    """`start` to `end`, both days included (either open)."""

    field: DateField
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class PublicSearch:
    """A page of published applications. Empty sets filter nothing; `councils` empty means every council served.

    `text` tries the reference, then the postcode, then the address words, then the description words: the first
    stage that matches any application (with the other filters) gives the results. `reference` is an exact match.
    """

    councils: frozenset[str] = frozenset()
    text: str = ""
    reference: str | None = None
    application_types: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    decisions: frozenset[str] = frozenset()
    date_ranges: tuple[DateRange, ...] = ()
    sort_by: SortField = "published_at"
    order: Order = "desc"
    offset: int = 0
    limit: int = 10

    def __post_init__(self) -> None:
        if self.offset < 0 or not 0 <= self.limit <= MAX_RESULTS_PER_PAGE:
            raise ValueError(f"offset must be at least 0 and limit between 0 and {MAX_RESULTS_PER_PAGE}")


@dataclass(frozen=True, slots=True)
class SearchPage:
    applications: list[PublicApplication]
    total: int  # applications matching the whole query, up to the register's count cap (then: the cap)
    stage: TextStage | None = None  # which free-text stage matched (None without text, or when none did)
    exact: bool = True  # False: more than `total` match (the count stopped at the cap)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """A public event about one application. `key` orders the feed: the moment the event was recorded in the log, its
    stream and version, so the feed's order does not depend on when the projection saw it (a replay gives the same
    feed).
    `event_stream`, `event_version` and `event_hash` name the log event it comes from, as the audit trail chains it."""

    key: str
    council: str
    reference: str
    kind: FeedKind
    occurred_at: datetime
    event_id: str
    event_stream: str
    event_version: int
    event_hash: str
    status: str
    decision: str | None = None
    document_id: str | None = None

    @staticmethod
    def make_key(recorded_at: datetime, stream_id: str, version: int, detail: str = "") -> str:
        """The moment the event was recorded (UTC, to the microsecond), then its stream and version (the order of
        one stream's events recorded at the same moment), then what of the event it is about (a document's id)."""
        moment = recorded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return f"{moment}~{stream_id}~{version:010d}~{detail}"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """A feed entry with its application's current audit heads."""

    entry: FeedEntry
    audit_heads: tuple[StreamHead, ...]


@dataclass(frozen=True, slots=True)
class FeedPage:
    items: list[FeedItem]
    total: int  # entries in the feed (of the councils asked for)
    has_more: bool  # entries after the page's last (forwards) / before its first (backwards)
    has_earlier: bool = False  # entries before the page's first


@dataclass(frozen=True, slots=True)
class FeedQuery:
    """Entries after `after` (a key, exclusive), oldest first; or, with `before`, the `limit` entries just before it.
    `until` (a key, inclusive) hides entries recorded later (the settle window: see services.publication.feed)."""

    after: str | None = None
    before: str | None = None
    limit: int = 100
    councils: frozenset[str] = frozenset()
    until: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_RESULTS_PER_PAGE:
            raise ValueError(f"limit must be between 1 and {MAX_RESULTS_PER_PAGE}")
        if self.after is not None and self.before is not None:
            raise ValueError("a feed page is after one key or before one, not both")


@dataclass(frozen=True)
class PublicCouncil:
    """What the public faces show of a council (its slug for `x-client`, the base URL of its links), kept in the
    register so that they never read the council's stream. Made from the council's effective settings at the council
    stream's `version`, with the deployment config whose fingerprint is `deployment` (`deployment_fingerprint`): a
    face takes it only when its own deployment config is the same one."""

    code: str
    slug: str
    public_base_url: str
    version: int
    deployment: str


class PublicRegister(Protocol):
    # The projection's side.
    def version(self, council: str, reference: str) -> int:
        """The version of the stored record (0: none)."""
        ...

    def put(
        self, application: PublicApplication, entries: Sequence[FeedEntry], *, replace_same_version: bool = False
    ) -> bool:
        """Store the record and its feed entries (the whole set: entries no longer given are removed) unless a record
        at the same or a later version is stored already, or the application was taken out at its version or later
        (then False, nothing changed). With `replace_same_version` a record of the same version is replaced (the
        council's settings changed, not the application)."""
        ...

    def remove(self, council: str, reference: str, version: int) -> bool:
        """Take an application out (it is no longer public), with its feed entries, unless the stored record is at
        `version` or later. Returns whether anything was removed. Either way, a put at `version - 1` or earlier
        changes nothing afterwards: deliveries run concurrently, and one that read the application while it was
        still public must not bring it back once another took it out."""
        ...

    def put_council(self, council: PublicCouncil) -> None:
        """Store a council's facts unless facts of a later council stream version are stored already."""
        ...

    # The public's side.
    def get(self, council: str, reference: str) -> PublicApplication | None: ...

    def find(self, reference: str, councils: frozenset[str] = frozenset()) -> list[PublicApplication]:
        """Applications with this reference in any of `councils` (every council when empty), by council."""
        ...

    def search(self, query: PublicSearch) -> SearchPage: ...

    def feed(self, query: FeedQuery) -> FeedPage: ...

    def council(self, code: str) -> PublicCouncil | None:
        """The council's stored facts (None: none stored yet)."""
        ...


def words(text: str) -> list[str]:
    """Lower-case words of letters and digits (what the text index holds, and what a query is cut into)."""
    return _WORD.findall(text.lower())


def normalise_postcode(text: str) -> str | None:
    """`SE1 2AB` for a text that is a full UK postcode in any spacing and case, else None."""
    found = _POSTCODE.match(text.strip().lower())
    return f"{found.group(1)} {found.group(2)}".upper() if found else None


def normalise_reference(text: str) -> str:
    return text.strip().upper()


@dataclass(frozen=True, slots=True)
class ReferenceText:
    """What a free text asks of references: the whole reference (any council, any case), or, for a text typed as a
    reference, its leading part (the year and number, then the suffix as far as typed) in the council whose code the
    text begins with (None: any council)."""

    whole: str
    leading: str | None = None
    council: str | None = None

    @property
    def year_and_number(self) -> str | None:
        """The list the leading part is looked up in (`26-00042` of `26-00042-HA`)."""
        return year_and_number(self.leading) if self.leading is not None else None


def reference_text(text: str) -> ReferenceText:
    """How the reference stage reads a free text (`DEMO-26-00042-ha` → 26-00042-HA of DEMO)."""
    whole = normalise_reference(text)
    typed = _TYPED_REFERENCE.fullmatch(whole)
    if typed is None:
        return ReferenceText(whole)
    suffix = typed.group("suffix")
    leading = typed.group("number") + (f"-{suffix}" if suffix else "")
    return ReferenceText(whole, leading, typed.group("council"))


def year_and_number(reference: str) -> str | None:
    """`26-00042` of a reference `26-00042-HAPP` (or of a leading part of one); None for a reference of another form."""
    found = _REFERENCE.fullmatch(reference)
    return found.group("number") if found else None


def leading_parts(reference: str) -> list[str]:
    """The leading parts a reference is found by: its year and number, then each longer cut of its suffix, the whole
    reference last (`26-00042`, `26-00042-H`, ..., `26-00042-HAPP`); none for a reference of another form."""
    found = _REFERENCE.fullmatch(reference)
    if found is None:
        return []
    number, suffix = found.group("number"), found.group("suffix") or ""
    return [number, *(f"{number}-{suffix[:length]}" for length in range(1, len(suffix) + 1))]


def reference_matches(council: str, reference: str, wanted: ReferenceText) -> bool:
    """Whether an application (its council and reference) is what the reference stage of a text asks for."""
    if reference == wanted.whole:
        return True
    if wanted.leading is None or wanted.council not in (None, council):
        return False
    return wanted.leading in leading_parts(reference)


def date_value(application: PublicApplication, name: DateField) -> date | None:
    value = getattr(application, name)
    return value.date() if isinstance(value, datetime) else value


def sort_value(application: PublicApplication, sort_by: SortField) -> str:
    return getattr(application, sort_by).isoformat()


def matches_filters(application: PublicApplication, query: PublicSearch) -> bool:
    """Every filter of the query but the free text, in Python."""
    if query.councils and application.council not in query.councils:
        return False
    if query.reference is not None and application.reference != normalise_reference(query.reference):
        return False
    if query.application_types and application.application_type not in query.application_types:
        return False
    if query.statuses and application.status not in query.statuses:
        return False
    if query.decisions and application.decision not in query.decisions:
        return False
    for wanted in query.date_ranges:
        value = date_value(application, wanted.field)
        if wanted.start is not None and (value is None or value < wanted.start):
            return False
        if wanted.end is not None and (value is None or value > wanted.end):
            return False
    return True


def address_text(application: PublicApplication) -> str:
    site = application.site
    return " ".join(part for part in (site.address, site.town or "", site.postcode or "") if part)


def text_matches(application: PublicApplication, stage: TextStage, text: str) -> bool:
    """Whether an application matches a free-text query at one stage: the reference (whole, or its leading part with
    or without the council's code: `reference_text`; any case), the postcode (whole, any spacing), every word of the
    text among the address's words (the last one as a prefix), or among the description's."""
    if stage == "reference":
        return reference_matches(application.council, application.reference, reference_text(text))
    if stage == "postcode":
        postcode = normalise_postcode(text)
        return postcode is not None and normalise_postcode(application.postcode) == postcode
    wanted = words(text)
    if not wanted:
        return False
    have = words(address_text(application) if stage == "address" else application.description)
    return contains_words(have, wanted)


def contains_words(have: Iterable[str], wanted: Sequence[str]) -> bool:
    """Every wanted word is one of `have`, the last also as the start of one (what a search box types)."""
    present = set(have)
    *whole, last = wanted
    return all(word in present for word in whole) and any(word.startswith(last) for word in present)


def councils_only(query: PublicSearch) -> bool:
    """A search with no filter but its councils: its total is every application of those councils."""
    return not (
        query.text.strip()
        or query.reference is not None
        or query.application_types
        or query.statuses
        or query.decisions
        or query.date_ranges
    )


def order_key(query: PublicSearch) -> tuple[SortField, bool]:
    return query.sort_by, query.order == "desc"


def select(applications: Iterable[PublicApplication], query: PublicSearch, count_cap: int | None = None) -> SearchPage:
    """The page a query asks for, from every application (the meaning every adapter implements; a full scan).
    With `count_cap`, a total over the cap is given as the cap (not exact)."""
    kept = [application for application in applications if matches_filters(application, query)]
    stage: TextStage | None = None
    if query.text.strip():
        for candidate in TEXT_STAGES:
            found = [application for application in kept if text_matches(application, candidate, query.text)]
            if found:
                kept, stage = found, candidate
                break
        else:
            kept = []
    sort_by, descending = order_key(query)
    kept.sort(key=lambda a: (a.council, a.reference), reverse=descending)
    kept.sort(key=lambda a: sort_value(a, sort_by), reverse=descending)
    page = kept[query.offset : query.offset + query.limit]
    if count_cap is not None and len(kept) > count_cap:
        return SearchPage(page, count_cap, stage, exact=False)
    return SearchPage(page, len(kept), stage)


def feed_select(items: Iterable[FeedItem], query: FeedQuery) -> FeedPage:
    """The feed page a query asks for, from every entry with its heads (the meaning every adapter implements)."""
    kept = sorted(
        (i for i in items if not query.councils or i.entry.council in query.councils), key=lambda i: i.entry.key
    )
    if query.until is not None:
        kept = [i for i in kept if i.entry.key <= query.until]
    total = len(kept)
    if query.before is not None:
        earlier = [i for i in kept if i.entry.key < query.before]
        page = earlier[-query.limit :]
        return FeedPage(page, total, has_more=True, has_earlier=len(earlier) > len(page))
    later = [i for i in kept if query.after is None or i.entry.key > query.after]
    page = later[: query.limit]
    return FeedPage(page, total, has_more=len(later) > len(page), has_earlier=len(later) < total)


__all__ = [
    "DATE_FIELDS",
    "DateRange",
    "FeedEntry",
    "FeedItem",
    "FeedPage",
    "FeedQuery",
    "PublicRegister",
    "PublicSearch",
    "ReferenceText",
    "SearchPage",
]
