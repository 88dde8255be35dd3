"""Invalidating (sending every pending request at once) and validating (the statutory clock starts)."""

from __future__ import annotations

from datetime import date

from events import EventPayload
from events.assessment import PlanningApplicationInvalidated, PlanningApplicationValidated, ValidationRequestSent
from services.assessment.domain import guards
from services.assessment.domain.errors import Conflict
from services.assessment.domain.state import PlanningApplication
from shared.calendar.periods import response_due
from shared.officer_identity import SignedInOfficer

MAX_DETERMINATION_DAYS = 3650


def invalidate(state: PlanningApplication, officer: SignedInOfficer, *, today: date) -> list[EventPayload]:
    """The application is invalid: send all its pending requests, each with its response due date."""
    guards.case_work(state, officer, "invalidate applications")
    guards.status(state, {"not_started"}, "invalidate the application")
    pending = state.requests_in("pending")
    if not pending:
        raise Conflict("cannot invalidate the application: it has no pending validation requests to send")
    sent = [
        ValidationRequestSent(request_id=r.id, sent_on=today, response_due=response_due(today, r.type)) for r in pending
    ]
    return [PlanningApplicationInvalidated(invalidated_on=today, request_ids=tuple(r.id for r in pending)), *sent]


def validate(
    state: PlanningApplication,
    officer: SignedInOfficer,
    *,
    valid_from: date | None = None,
    determination_period_days: int,
    today: date,
) -> list[EventPayload]:
    """The application is valid from `valid_from` (by default the business day after the last request closed, or
    the received date when none was needed): never in the future, never before the application was received."""
    guards.case_work(state, officer, "validate applications")
    guards.status(state, guards.BEFORE_VALIDATION, "validate the application")
    live = state.live_requests()
    if live:
        states = ", ".join(sorted({r.state for r in live}))
        raise Conflict(
            f"cannot validate the application: {len(live)} validation request(s) are still {states} "
            "(wait for the answers, or cancel them)"
        )
    chosen = valid_from or state.default_valid_from()
    fields = guards.Fields()
    if chosen is None:
        fields.add("validFrom", "is required")
    fields.not_future("validFrom", chosen, today)
    fields.not_before("validFrom", chosen, state.received_date, "the received date")
    if not isinstance(determination_period_days, int) or not 0 < determination_period_days <= MAX_DETERMINATION_DAYS:
        fields.add("determinationPeriodDays", f"must be a number of days from 1 to {MAX_DETERMINATION_DAYS}")
    fields.check()
    assert chosen is not None
    return [
        PlanningApplicationValidated(
            valid_from=chosen, validated_on=today, determination_period_days=determination_period_days
        )
    ]
