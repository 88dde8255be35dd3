"""The application page's data: the officer API's own view of the application (`domain.view.application_view`) and
its audit trail (`officer_api.audit.audit_entries`), read from the application's own streams only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from services.assessment.console.labels import application_type_label, days_left_tag, status_tag

if TYPE_CHECKING:
    from services.assessment.casework import Casework
    from shared.officer_identity import SignedInOfficer

VALIDATION_DONE = {"in_assessment", "awaiting_determination", "to_be_reviewed", "in_committee", "determined"}


def task_state(done: bool, started: bool) -> dict[str, Any]:
    if done:
        return {"text": "Completed"}
    if started:
        return {"tag": {"text": "In progress", "classes": "govuk-tag--light-blue"}}
    return {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}}


def application_context(work: Casework, officer: SignedInOfficer, reference: str) -> dict[str, Any]:
    from services.assessment.console.refusals import ConsoleRefusal
    from services.assessment.domain import NotFound
    from services.assessment.domain.view import application_view
    from services.assessment.officer_api.audit import audit_entries

    try:
        state = work.load(officer.council, reference)
    except NotFound:
        raise ConsoleRefusal(404, f"There is no planning application {reference} in your council.") from None
    today = work.today()
    view = application_view(state, today)
    status = view["status"]
    checks = view["checks"]
    tasks = [
        {
            "title": {"text": "Check and validate"},
            "status": task_state(
                status in VALIDATION_DONE, bool(checks["documents"]["checked"] or view["validationRequests"])
            ),
        },
        {
            "title": {"text": "Assess the application"},
            "status": task_state(view["recommendation"] is not None, view["assessment"] is not None),
        },
        {
            "title": {"text": "Review the recommendation"},
            "status": task_state(
                (view["review"] or {}).get("action") == "agree" or view["decision"] is not None,
                view["review"] is not None,
            ),
        },
    ]
    return {
        "title": f"Planning application {reference}",
        "wide": True,
        "application": view,
        "type_label": application_type_label(view["applicationType"]),
        "status_tag": status_tag(status),
        "days_left": days_left_tag(view["daysLeft"]),
        "tasks": tasks,
        "audit": audit_entries(work.events(officer.council, reference)),
    }
