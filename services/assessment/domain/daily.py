"""The daily job's command: close, as accepted, the requests unanswered until their auto-close day."""

from __future__ import annotations

from datetime import date

from events import EventPayload
from events.assessment import ValidationRequestAutoClosed
from services.assessment.domain.applicant import applied_change
from services.assessment.domain.state import PlanningApplication
from shared.calendar.periods import auto_closes_on


def auto_close_due(state: PlanningApplication, *, today: date) -> list[EventPayload]:
    """Every open request whose auto-close day is today or past, closed on that day (not on the day the job ran, so
    a late or repeated run gives the same dates); empty when nothing is due, so running it twice changes nothing."""
    if not state.exists or not state.is_open:
        return []
    events: list[EventPayload] = []
    for request in state.requests_in("open"):
        if request.sent_on is None:
            continue
        closes_on = auto_closes_on(request.sent_on, request.type)
        if closes_on is not None and closes_on <= today:
            events.append(ValidationRequestAutoClosed(request_id=request.id, closed_on=closes_on))
            events.extend(applied_change(request))
    return events
