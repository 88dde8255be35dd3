"""Withdrawing, returning and closing an application (a reason each). Its pending and open requests are cancelled
with it, so no applicant's link stays live and the daily job never closes a request of a finished application."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from events import EventPayload
from events.assessment import (
    PlanningApplicationClosed,
    PlanningApplicationReturned,
    PlanningApplicationWithdrawn,
    ValidationRequestCancelled,
)
from services.assessment.domain import guards
from services.assessment.domain.state import PlanningApplication
from shared.application_status import ApplicationStatus
from shared.officer_identity import SignedInOfficer


def _finish(
    state: PlanningApplication,
    officer: SignedInOfficer,
    reason: str,
    today: date,
    verb: str,
    allowed: frozenset[ApplicationStatus],
    make: Callable[[str], EventPayload],
) -> list[EventPayload]:
    guards.case_work(state, officer, f"{verb} applications")
    guards.status(state, allowed, f"{verb} the application")
    fields = guards.Fields()
    text = fields.text("reason", reason)
    fields.check()
    assert text is not None
    cancelled: list[EventPayload] = [
        ValidationRequestCancelled(
            request_id=request.id, reason=f"the application was {_past(verb)}: {text}"[:2000], cancelled_on=today
        )
        for request in state.live_requests()
    ]
    return [*cancelled, make(text)]


def _past(verb: str) -> str:
    return {"withdraw": "withdrawn", "return": "returned", "close": "closed"}[verb]


def withdraw(state: PlanningApplication, officer: SignedInOfficer, *, reason: str, today: date) -> list[EventPayload]:
    """The applicant withdrew the application (any open status)."""
    return _finish(
        state,
        officer,
        reason,
        today,
        "withdraw",
        guards.OPEN,
        lambda text: PlanningApplicationWithdrawn(reason=text, withdrawn_on=today),
    )


def return_application(
    state: PlanningApplication, officer: SignedInOfficer, *, reason: str, today: date
) -> list[EventPayload]:
    """Return an invalid application (before validation only: a valid one is withdrawn or closed instead)."""
    return _finish(
        state,
        officer,
        reason,
        today,
        "return",
        guards.BEFORE_VALIDATION,
        lambda text: PlanningApplicationReturned(reason=text, returned_on=today),
    )


def close(state: PlanningApplication, officer: SignedInOfficer, *, reason: str, today: date) -> list[EventPayload]:
    """Close the application without a decision (any open status)."""
    return _finish(
        state,
        officer,
        reason,
        today,
        "close",
        guards.OPEN,
        lambda text: PlanningApplicationClosed(reason=text, closed_on=today),
    )
