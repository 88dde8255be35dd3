"""The case list's query string and answer: parameters to a `CaseQuery` (422 naming a bad one), rows to JSON with the
days left and overdue flag of today (business days, as the application's own view counts them)."""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache
from typing import Any

from services.assessment.case_list.port import MAX_PER_PAGE, CasePage, CaseQuery, CaseRow
from services.assessment.officer_api.refusals import ApiRefusal
from shared.application_status import STATUSES
from shared.officer_identity import SignedInOfficer

Q_LIMIT = 100
MAX_DUE_WITHIN_DAYS = 365
KNOWN = {"status", "assignedTo", "overdue", "dueWithinDays", "type", "q", "page", "perPage"}


def _values(event: Any, name: str) -> list[str]:
    """Every value of a parameter, repeated or comma-separated."""
    multi = event.multi_value_query_string_parameters or {}
    single = event.query_string_parameters or {}
    raw = multi.get(name) or ([single[name]] if name in single else [])
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def _one(event: Any, name: str) -> str | None:
    values = (event.multi_value_query_string_parameters or {}).get(name) or []
    single = (event.query_string_parameters or {}).get(name)
    return values[-1] if values else single


def _integer(text: str | None, name: str, low: int, high: int, fields: dict[str, str]) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        fields[name] = "must be a whole number"
        return None
    if not low <= value <= high:
        fields[name] = f"must be between {low} and {high}"
        return None
    return value


def parse_case_query(event: Any, officer: SignedInOfficer, today: date) -> CaseQuery:
    from shared.calendar import ENGLAND_AND_WALES

    fields: dict[str, str] = {}
    unknown = set(event.query_string_parameters or {}) - KNOWN
    for name in sorted(unknown):
        fields[name] = "is not a filter of the case list"
    statuses = frozenset(_values(event, "status"))
    if bad := sorted(statuses - set(STATUSES)):
        fields["status"] = f"unknown status {', '.join(bad)}; one of {', '.join(STATUSES)}"
    assigned = _one(event, "assignedTo")
    if assigned == "me":
        assigned = officer.id
    overdue_text = _one(event, "overdue")
    overdue = None
    if overdue_text is not None:
        if overdue_text.lower() not in ("true", "false"):
            fields["overdue"] = "must be true or false"
        overdue = overdue_text.lower() == "true"
    due_within = _integer(_one(event, "dueWithinDays"), "dueWithinDays", 0, MAX_DUE_WITHIN_DAYS, fields)
    page = _integer(_one(event, "page"), "page", 1, 1_000_000, fields) or 1
    per_page = _integer(_one(event, "perPage"), "perPage", 1, MAX_PER_PAGE, fields) or 25
    q = (_one(event, "q") or "").strip()
    if len(q) > Q_LIMIT:
        fields["q"] = f"must be at most {Q_LIMIT} characters"
    if fields:
        raise ApiRefusal(422, "The case list's query has invalid parameters", fields)
    # Business days left ≤ N exactly when the expiry date is before the (N+1)-th business day after today.
    due_before = ENGLAND_AND_WALES.add_business_days(today, due_within + 1) if due_within is not None else None
    return CaseQuery(
        council=officer.council,
        today=today,
        statuses=statuses,
        assigned_to=assigned or None,
        application_types=frozenset(_values(event, "type")),
        q=q,
        overdue=overdue,
        due_before=due_before,
        page=page,
        per_page=per_page,
    )


@lru_cache(maxsize=4096)
def business_days_left(today: date, expiry: date) -> int:
    """Business days from today to the expiry date (negative once past): many rows share an expiry date, and the
    calendar counts day by day."""
    from shared.calendar import ENGLAND_AND_WALES

    return ENGLAND_AND_WALES.business_days_between(today, expiry)


def row_json(row: CaseRow, today: date, collection: str) -> dict[str, Any]:
    days_left = business_days_left(today, row.expiry_date) if row.expiry_date and row.is_open() else None
    return {
        "reference": row.reference,
        "status": row.status,
        "version": row.version,
        "applicationType": row.application_type,
        "description": row.description,
        "address": {"singleLine": row.address, "postcode": row.postcode},
        "receivedAt": row.received_at,
        "validFrom": _iso(row.valid_from),
        "expiryDate": _iso(row.expiry_date),
        "targetDate": _iso(row.target_date),
        "daysLeft": days_left,
        "overdue": bool(row.is_open() and days_left is not None and days_left < 0),
        "caseOfficer": {"id": row.case_officer_id, "name": row.case_officer_name} if row.case_officer_id else None,
        "links": {"self": f"{collection}/{row.reference}"},
    }


def case_list_answer(page: CasePage, query: CaseQuery, collection: str) -> dict[str, Any]:
    return {
        "data": [row_json(row, query.today, collection) for row in page.rows],
        "counts": {status: page.counts.get(status, 0) for status in STATUSES},
        "pagination": {
            "page": query.page,
            "perPage": query.per_page,
            "totalResults": page.total,
            "totalPages": math.ceil(page.total / query.per_page),
        },
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
