"""The application page's data: the officer API's own view of the application (`domain.view.application_view`), its
audit trail (`officer_api.audit.audit_entries`) and the notifications sent, read from the application's own streams
only; the task list links each task to its action's form when the domain would take that action now from this
officer (`actions.offers`: the domain asked once per state and officer), so a role or a state that does not allow
it shows no link."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from services.assessment.console.labels import DECISIONS, application_type_label, days_left_tag, status_tag

if TYPE_CHECKING:
    from events import RecordedEvent
    from services.assessment.casework import Casework
    from services.assessment.console.boundary import BoundaryDrawing
    from services.assessment.domain.state import PlanningApplication
    from shared.officer_identity import SignedInOfficer

VALIDATION_DONE = {"in_assessment", "awaiting_determination", "to_be_reviewed", "in_committee", "determined"}
NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
CANNOT_START_YET = {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"}
# Actions offered beside the task list (not steps of it).
OTHER_ACTIONS = (
    "constraints",
    "constraints_remove",
    "site_notice",
    "press_notice",
    "time_extension",
    "withdraw",
    "return",
    "close",
)


def task_state(state: str) -> dict[str, Any]:
    """`govukTaskList` status: a tag while there is something to do, plain text once completed."""
    if state == COMPLETED:
        return {"text": "Completed"}
    if state == IN_PROGRESS:
        return {"tag": {"text": "In progress", "classes": "govuk-tag--light-blue"}}
    return {"tag": {"text": "Not started", "classes": "govuk-tag--blue"}}


def _state(done: bool, started: bool = False) -> str:
    return COMPLETED if done else IN_PROGRESS if started else NOT_STARTED


def _tasks(view: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The task list's sections: (heading, [(action, task, state)])."""
    status = view["status"]
    requests = view["validationRequests"]
    live = any(r["state"] in ("pending", "open") for r in requests)
    checks = view["checks"]
    recommendation = view["recommendation"]
    review = view["review"] or {}
    committee = view["committee"]
    decided = view["decision"] is not None
    challenged = review.get("status") == "challenged"
    sections = [
        (
            "Validation",
            [
                ("assign", "Assign the case officer", _state(view["caseOfficer"] is not None)),
                (
                    "red_line_boundary_check",
                    "Check the red-line boundary",
                    _state(checks["redLineBoundary"]["valid"] is not None),
                ),
                ("fee_check", "Check the fee", _state(checks["fee"]["valid"] is not None)),
                ("validation_requests", "Make a validation request", _state(bool(requests) and not live, live)),
                ("invalidate", "Invalidate and send the requests", _state(view["invalidatedOn"] is not None)),
                ("validate", "Validate the application", _state(status in VALIDATION_DONE, status == "invalidated")),
            ],
        ),
        (
            "Assessment",
            [
                ("assessment", "Assess the application", _state(view["assessment"] is not None)),
                (
                    "recommendation",
                    "Make a recommendation",
                    _state(recommendation is not None and not challenged, challenged),
                ),
            ],
        ),
        (
            "Review",
            [
                (
                    "review",
                    "Review the recommendation",
                    _state(review.get("status") == "agreed" or decided, recommendation is not None and review != {}),
                ),
            ],
        ),
        (
            "Determination",
            [
                ("committee", "Send to committee", _state(committee is not None)),
                (
                    "committee_decision",
                    "Record the committee's decision",
                    _state(bool(committee and committee["decision"])),
                ),
                ("determine", "Determine the application", _state(decided)),
            ],
        ),
    ]
    return sections


def load_application(work: Casework, officer: SignedInOfficer, reference: str) -> PlanningApplication:
    """The application of the officer's council, or the 404 page (another council's reference is not found)."""
    from services.assessment.console.refusals import ConsoleRefusal
    from services.assessment.domain import NotFound

    try:
        return work.load(officer.council, reference)
    except NotFound:
        raise ConsoleRefusal(404, f"There is no planning application {reference} in your council.") from None


def application_context(work: Casework, officer: SignedInOfficer, reference: str, done: str = "") -> dict[str, Any]:
    from services.assessment.console import acknowledge
    from services.assessment.console.actions import ACTIONS, offers
    from services.assessment.domain.view import application_view
    from services.assessment.officer_api.audit import audit_entries

    state = load_application(work, officer, reference)
    today = work.today()
    view = application_view(state, today)
    base = f"/applications/{reference}/actions"

    on_offer = offers(state, officer, today)

    def offered(name: str) -> bool:
        return name in on_offer.actions

    past_validation = view["status"] not in ("not_started", "invalidated")
    sections = []
    for heading, items in _tasks(view):
        tasks: list[dict[str, Any]] = []
        for name, text, progress in items:
            href = f"{base}/{name}" if offered(name) else None
            if href is None and progress == NOT_STARTED:
                if name in ("committee", "committee_decision") or (heading == "Validation" and past_validation):
                    continue  # a step this case did not take (committee, invalidation, a check)
                tasks.append({"title": {"text": text}, "status": CANNOT_START_YET})
                continue
            tasks.append({"title": {"text": text}, "href": href, "status": task_state(progress)})
        sections.append({"heading": heading, "id": heading.lower(), "tasks": tasks})
    requests = [
        {
            **r,
            "cancel": f"{base}/validation_requests_cancel?request_id={r['id']}"
            if r["id"] in on_offer.cancellable
            else None,
        }
        for r in view["validationRequests"]
    ]
    others = [{"text": ACTIONS[name].title, "href": f"{base}/{name}"} for name in OTHER_ACTIONS if offered(name)]
    events = work.events(officer.council, reference)
    boundary = red_line_boundary(events)
    decision = view["decision"]
    notice = (
        f"/applications/{reference}/documents/{decision['noticeDocumentId']}/file"
        if decision and decision["noticeDocumentId"]
        else None
    )
    return {
        "title": f"Planning application {reference}",
        "wide": True,
        "application": view,
        "type_label": application_type_label(view["applicationType"]),
        "status_tag": status_tag(view["status"]),
        "days_left": days_left_tag(view["daysLeft"]),
        "sections": sections,
        "requests": requests,
        "other_actions": others,
        "decision_text": DECISIONS.get(decision["decision"], decision["decision"]) if decision else None,
        "notice_href": notice,
        "notifications": with_outbox_messages(notifications(events)),
        "done": ACTIONS[done].done if done in ACTIONS else acknowledge.DONE if done == acknowledge.ACTION else None,
        "acknowledge_to": f"{base}/{acknowledge.ACTION}" if acknowledge.may_acknowledge(state, officer) else None,
        "audit": audit_entries(events),
        "boundary": boundary,
    }


def red_line_boundary(events: list[Any]) -> BoundaryDrawing | None:
    """The drawing of the boundary in the submission's claim-checked original (`console.boundary`)."""
    from events.application import PlanningApplicationSubmitted
    from services.assessment.console.boundary import original_boundary
    from shared.wiring import dependencies

    submitted = next((e.payload for e in events if isinstance(e.payload, PlanningApplicationSubmitted)), None)
    return original_boundary(dependencies().documents.get, submitted.payload_key) if submitted else None


def with_outbox_messages(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each notification written to the local outbox gets the message kept there (`message`: subject and body),
    looked up by its id (the outbox's reference); on AWS there is no outbox, so no message."""
    from shared.wiring import dependencies

    wanted = [entry["id"] for entry in entries if entry.get("in_outbox")]
    outbox = dependencies().outbox if wanted else None
    kept = outbox.by_references(wanted) if outbox else {}
    for entry in entries:
        if entry["id"] in kept:
            entry["message"] = {"subject": kept[entry["id"]].subject, "body": kept[entry["id"]].body}
    return entries


def notifications(events: Iterable[RecordedEvent]) -> list[dict[str, Any]]:
    """The messages sent about the application (its notifications stream, `events/notifications.py`), each with its
    latest delivery status; a failure nobody acknowledged yet is flagged."""
    from events.notifications import (
        NotificationDelivered,
        NotificationFailed,
        NotificationFailureAcknowledged,
        NotificationSent,
    )
    from events.serialization import format_time
    from services.assessment.officer_api.audit import NOTIFICATION_KINDS

    found: dict[str, dict[str, Any]] = {}
    for event in events:
        p = event.payload
        if isinstance(p, NotificationSent | NotificationFailed):
            entry = found.setdefault(
                p.notification_id,
                {
                    "id": p.notification_id,
                    "what": NOTIFICATION_KINDS.get(p.kind, p.kind.replace("_", " ")),
                    "to": f"{p.recipient_role.replace('_', ' ').capitalize()} ({p.masked_address})",
                    "at": format_time(event.recorded_at),
                    "status": "Sent",
                    "failed": False,
                    "unacknowledged": False,
                },
            )
            if isinstance(p, NotificationSent):
                entry["status"] = "Sent" if p.channel == "notify" else "Written to the local outbox"
                entry["in_outbox"] = p.channel == "outbox"
            else:
                entry.update(
                    status=("Failed: " if p.permanent else "Not delivered yet: ") + p.reason,
                    failed=True,
                    unacknowledged=True,
                )
        elif isinstance(p, NotificationDelivered) and p.notification_id in found:
            found[p.notification_id].update(
                status=p.status.replace("-", " ").capitalize(), failed=False, unacknowledged=False
            )
        elif isinstance(p, NotificationFailureAcknowledged) and p.notification_id in found:
            found[p.notification_id]["unacknowledged"] = False
            found[p.notification_id]["status"] += f" (seen by {p.officer_name})"
    return list(found.values())
