"""Acknowledging a failed notification from the application page: `POST /applications/{reference}/actions/
acknowledge_notification` with the notification's id as a form field (the actions route; no route of its own).

Who may: the domain's case-work roles (assessors and reviewers, `domain.guards.CASE_WORK`); an administrator does no
case work and gets 403, as for every case command but assigning. The append is `shared.notification_records.
acknowledge_failure`, which reads the notifications stream and appends `NotificationFailureAcknowledged` at the version
it read: a failure already acknowledged (or acknowledged at the same moment by someone else) appends nothing and is
answered with a page saying so (409); an id that is no failure of this application is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler.api_gateway import Response

from services.assessment.console.refusals import ConsoleRefusal

if TYPE_CHECKING:
    from services.assessment.domain.state import PlanningApplication
    from shared.officer_identity import SignedInOfficer

ACTION = "acknowledge_notification"
DONE = "Failed notification acknowledged: it is no longer counted on the dashboard"
WHAT = "acknowledge a failed notification"


def _handler() -> Any:
    from services.assessment.console import handler

    return handler


def may_acknowledge(state: PlanningApplication, officer: SignedInOfficer) -> bool:
    """Whether the domain lets this officer acknowledge the application's failed notifications."""
    from services.assessment.domain import guards
    from services.assessment.domain.errors import AssessmentRefusal

    try:
        guards.case_work(state, officer, WHAT)
    except AssessmentRefusal:
        return False
    return True


def show(reference: str) -> Response:
    """No form of its own: the button is on the application page, beside each failure."""
    from services.assessment.console.application import load_application

    handler = _handler()
    load_application(handler.casework(), handler.officer(), reference)
    location = f"/applications/{quote(reference)}#notifications"
    return Response(303, None, "", headers={"Location": location, "Cache-Control": "no-store"})


def run(reference: str) -> Response:
    from services.assessment.console.action_pages import posted_form
    from services.assessment.console.application import load_application
    from services.assessment.domain import guards
    from services.assessment.domain.errors import NotPermitted
    from shared.eventstore.port import ConcurrencyError
    from shared.notification_records import acknowledge_failure

    handler = _handler()
    signed_in = handler.officer()
    form = posted_form()  # the CSRF token first
    work = handler.casework()
    state = load_application(work, signed_in, reference)  # another council's: 404
    try:
        guards.case_work(state, signed_in, WHAT)
    except NotPermitted as refused:
        raise ConsoleRefusal(403, _sentence(refused.message)) from None
    notification_id = form.get("notification_id", "").strip()
    try:
        acknowledge_failure(work.store, signed_in.council, reference, notification_id, signed_in.actor(), work.now())
    except (LookupError, ConcurrencyError):
        raise _not_acknowledged(work, signed_in.council, reference, notification_id) from None
    location = f"/applications/{quote(reference)}?done={ACTION}"
    return Response(303, None, "", headers={"Location": location, "Cache-Control": "no-store"})


def _not_acknowledged(work: Any, council: str, reference: str, notification_id: str) -> ConsoleRefusal:
    """Why nothing was appended: acknowledged already (by whom), or no such failure."""
    from events.streams import application_side_stream
    from shared.notification_records import SIDE, read_stream

    stream = read_stream(work.store, application_side_stream(council, reference, SIDE))
    record = stream.records.get(notification_id) if stream else None
    if record is not None and record.failed is not None and record.acknowledged_by:
        return ConsoleRefusal(
            409,
            f"{record.acknowledged_by} already acknowledged this failed notification: nothing more to do.",
            "Already acknowledged",
        )
    return ConsoleRefusal(404, f"There is no failed notification {notification_id} on {reference}.")


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
