"""Site and press notices: each extends the consultation to 21 days after its date (types that consult only)."""

from __future__ import annotations

from datetime import date

from events import EventPayload
from events.assessment import PressNoticeRecorded, SiteNoticeRecorded
from services.assessment.domain import guards
from services.assessment.domain.errors import Conflict
from services.assessment.domain.state import PlanningApplication
from shared.officer_identity import SignedInOfficer


def _check(state: PlanningApplication, officer: SignedInOfficer, what: str, name: str, on: date, today: date) -> None:
    guards.case_work(state, officer, f"record a {what}")
    guards.status(state, guards.VALIDATED_OPEN, f"record a {what}")
    if not state.consults:
        raise Conflict(f"a {state.application_type} application has no consultation, so no {what}")
    fields = guards.Fields()
    if not guards.is_day(on):
        fields.add(name, "is required (a date)")
    else:
        fields.not_future(name, on, today)
        fields.not_before(name, on, state.received_date, "the received date")
    fields.check()


def record_site_notice(
    state: PlanningApplication, officer: SignedInOfficer, *, displayed_on: date, today: date
) -> list[EventPayload]:
    _check(state, officer, "site notice", "displayedOn", displayed_on, today)
    if displayed_on in state.site_notices:
        raise Conflict(f"a site notice displayed on {displayed_on.isoformat()} is already recorded")
    return [SiteNoticeRecorded(displayed_on=displayed_on)]


def record_press_notice(
    state: PlanningApplication, officer: SignedInOfficer, *, published_on: date, today: date
) -> list[EventPayload]:
    _check(state, officer, "press notice", "publishedOn", published_on, today)
    if published_on in state.press_notices:
        raise Conflict(f"a press notice published on {published_on.isoformat()} is already recorded")
    return [PressNoticeRecorded(published_on=published_on)]
