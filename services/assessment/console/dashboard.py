"""The dashboard: the case list read model as the officer JSON API queries it (`officer_api.case_list`), in views
(my cases, all cases, overdue, due this week), filtered by status (with the counts per status), searched, sorted by
expiry and paginated."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from services.assessment.console.labels import application_type_label, days_left_tag, status_label
from services.assessment.console.refusals import ConsoleRefusal
from shared.application_status import STATUSES
from shared.officer_identity import SignedInOfficer

PER_PAGE = 25
DUE_THIS_WEEK_BUSINESS_DAYS = 5


@dataclass(frozen=True)
class View:
    key: str
    text: str
    parameters: dict[str, str]


VIEWS = (
    View("mine", "My cases", {"assignedTo": "me"}),
    View("all", "All cases", {}),
    View("overdue", "Overdue", {"overdue": "true"}),
    View("due", "Due this week", {"dueWithinDays": str(DUE_THIS_WEEK_BUSINESS_DAYS)}),
)
VIEW_KEYS = {view.key: view for view in VIEWS}


@dataclass(frozen=True, slots=True)
class CaseRowView:
    """One row of the dashboard's table, worded and formatted here so the template only prints it."""

    reference: str
    address: str
    type: str
    status: str
    expiry: str
    days_left: dict[str, Any] | None  # `govukTag` parameters
    case_officer: str


class _QueryEvent:
    """The dashboard's choices as the JSON API's query string (`parse_case_query` reads these two attributes)."""

    def __init__(self, parameters: dict[str, str]) -> None:
        self.query_string_parameters = parameters
        self.multi_value_query_string_parameters = {name: [value] for name, value in parameters.items()}


def dashboard_context(officer: SignedInOfficer, given: dict[str, str], today: date) -> dict[str, Any]:
    from services.assessment.case_list.wiring import case_list
    from services.assessment.officer_api.case_list import business_days_left, parse_case_query
    from services.assessment.officer_api.refusals import ApiRefusal
    from shared.wiring import dependencies

    view = VIEW_KEYS.get(given.get("view", ""), VIEWS[0] if officer.role != "administrator" else VIEWS[1])
    status = given.get("status", "")
    q = given.get("q", "").strip()
    parameters = {**view.parameters, "perPage": str(PER_PAGE), "page": given.get("page", "1")}
    if status:
        parameters["status"] = status
    if q:
        parameters["q"] = q
    try:
        query = parse_case_query(_QueryEvent(parameters), officer, today)
    except ApiRefusal as refusal:
        raise ConsoleRefusal(
            400,
            "The dashboard's filters are not right: "
            + "; ".join(f"{name} {message}" for name, message in refusal.fields.items()),
        ) from None
    found = case_list(dependencies()).query(query)
    rows = []
    for row in found.rows:
        days = business_days_left(today, row.expiry_date) if row.expiry_date and row.is_open() else None
        rows.append(
            CaseRowView(
                reference=row.reference,
                address=row.address,
                type=application_type_label(row.application_type),
                status=status_label(row.status),
                expiry=f"{row.expiry_date.day} {row.expiry_date:%b %Y}" if row.expiry_date else "Not yet valid",
                days_left=days_left_tag(days),
                case_officer=row.case_officer_name or "Not assigned",
            )
        )

    def link(**changes: str) -> str:
        chosen = {"view": view.key, "status": status, "q": q, **changes}
        return "/?" + urlencode({name: value for name, value in chosen.items() if value})

    pages = max(1, math.ceil(found.total / PER_PAGE))
    pagination = _pagination(query.page, pages, link)
    return {
        "title": "Dashboard",
        "wide": True,
        "views": [{"text": v.text, "href": link(view=v.key, status="", page=""), "current": v is view} for v in VIEWS],
        "view": view,
        "statuses": [
            {
                "text": status_label(name),
                "count": found.counts.get(name, 0),
                "href": link(status=name, page=""),
                "current": name == status,
            }
            for name in STATUSES
            if found.counts.get(name, 0) or name == status
        ],
        "all_statuses_href": link(status="", page=""),
        "all_statuses_count": sum(found.counts.values()),
        "status_filter": status,
        "status_text": status_label(status) if status else None,
        "q": q,
        "rows": rows,
        "total": found.total,
        "page": query.page,
        "pages": pages,
        "pagination": pagination,
        "search_action": "/",
    }


def _pagination(page: int, pages: int, link: Any) -> dict[str, Any] | None:
    """`govukPagination` parameters: previous, next and the numbered pages around this one."""
    if pages <= 1:
        return None
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    items: list[dict[str, Any]] = []
    last = 0
    for number in shown:
        if number > last + 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": link(page=str(number)), "current": number == page})
        last = number
    return {
        "previous": {"href": link(page=str(page - 1))} if page > 1 else None,
        "next": {"href": link(page=str(page + 1))} if page < pages else None,
        "items": items,
    }
