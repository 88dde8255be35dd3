"""Statutory periods of a planning application: determination, target, consultation and response deadlines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import get_args

from events.assessment import RequestType
from shared.calendar.business_days import ENGLAND_AND_WALES, BusinessCalendar

DEFAULT_DETERMINATION_DAYS = 56  # 8 weeks
EIA_DETERMINATION_DAYS = 112  # 16 weeks where an Environmental Impact Assessment applies
# By ODP application type: the most specific prefix wins (`pp.full.major.x` takes `pp.full.major`'s period).
DETERMINATION_DAYS: Mapping[str, int] = {
    "pp.full.major": 91,  # 13 weeks
    "pa.part1.classA": 42,  # prior approval, larger home extension
}
TARGET_DAYS = 35  # the council's internal target, calendar days from valid-from
CONSULTATION_DAYS = 21  # at least, from its start or from a site or press notice

REQUEST_TYPES: tuple[str, ...] = get_args(RequestType)  # the ten types of validation request
DEFAULT_RESPONSE_BUSINESS_DAYS = 15
RESPONSE_BUSINESS_DAYS: Mapping[str, int] = {"description_change": 5, "pre_commencement_condition": 10}
# Requests that close as accepted (the change applied) when unanswered this many business days after being sent.
AUTO_CLOSE_AFTER: Mapping[str, int] = {
    "description_change": 5,
    "red_line_boundary_change": 5,
    "pre_commencement_condition": 10,
}
NOT_CONSULTED_PREFIXES = ("ldc.", "preApp")  # lawful development certificates and pre-applications


def _most_specific(application_type: str, periods: Mapping[str, int]) -> int | None:
    parts = application_type.split(".")
    for length in range(len(parts), 0, -1):
        found = periods.get(".".join(parts[:length]))
        if found is not None:
            return found
    return None


def determination_period_days(
    application_type: str, overrides: Mapping[str, int] | None = None, *, eia: bool = False
) -> int:
    """Calendar days from valid-from to expiry: the council's override for the type (or a parent type) first, then
    16 weeks with an EIA, then the type's statutory period, else 8 weeks."""
    overridden = _most_specific(application_type, overrides or {})
    if overridden is not None:
        return overridden
    if eia:
        return EIA_DETERMINATION_DAYS
    return _most_specific(application_type, DETERMINATION_DAYS) or DEFAULT_DETERMINATION_DAYS


def expiry_date(valid_from: date, determination_days: int) -> date:
    return valid_from + timedelta(days=determination_days)


def target_date(valid_from: date) -> date:
    return valid_from + timedelta(days=TARGET_DAYS)


def is_consulted(application_type: str) -> bool:
    return not application_type.startswith(NOT_CONSULTED_PREFIXES)


def consultation_dates(
    validated_on: date, notices: Iterable[date] = (), calendar: BusinessCalendar = ENGLAND_AND_WALES
) -> tuple[date, date]:
    """(start, end): it starts the business day after validation and lasts 21 days, or until 21 days after the
    latest site or press notice when that is later."""
    start = calendar.next_business_day(validated_on)
    period = timedelta(days=CONSULTATION_DAYS)
    return start, max([start + period, *(notice + period for notice in notices)])


def _check_type(request_type: str) -> str:
    if request_type not in REQUEST_TYPES:
        raise ValueError(f"unknown validation request type {request_type!r}")
    return request_type


def response_due(sent_on: date, request_type: str, calendar: BusinessCalendar = ENGLAND_AND_WALES) -> date:
    """The applicant's deadline: 15 business days after the request was sent (description change 5,
    pre-commencement condition 10)."""
    days = RESPONSE_BUSINESS_DAYS.get(_check_type(request_type), DEFAULT_RESPONSE_BUSINESS_DAYS)
    return calendar.add_business_days(sent_on, days)


def auto_closes_on(sent_on: date, request_type: str, calendar: BusinessCalendar = ENGLAND_AND_WALES) -> date | None:
    """The day an unanswered request closes itself as accepted, or None for types that never do."""
    days = AUTO_CLOSE_AFTER.get(_check_type(request_type))
    return None if days is None else calendar.add_business_days(sent_on, days)
