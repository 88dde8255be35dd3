"""One POST per domain command: its path under the application, its body and how the body becomes the command's
keyword inputs. Ids (validation requests, the decision notice) and dates are made here, so the commands stay pure."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from services.assessment.officer_api import bodies

if TYPE_CHECKING:
    from events import EventPayload
    from services.assessment.domain.state import PlanningApplication
    from services.assessment.officers import CouncilOfficer
    from shared.officer_identity import SignedInOfficer


@dataclass(frozen=True)
class Request:
    """What a command gets besides its body: who, when, the path's parameters, and the handler's services."""

    officer: SignedInOfficer
    today: date
    parameters: dict[str, str]
    determination_period_days: Callable[[PlanningApplication], int]
    # The rendered notice (a DecisionNoticeFile) and the call that stores it.
    decision_notice: Callable[[PlanningApplication, date], tuple[Any, Callable[[], None]]]
    # The council's officer with an id, as the officers read model has them now (None: no such officer).
    council_officer: Callable[[str], CouncilOfficer | None]


Run = Callable[["PlanningApplication", Any, Request], "Sequence[EventPayload]"]


@dataclass(frozen=True)
class Command:
    path: str  # under /planning_applications/{reference}
    body: type[bodies.Body]
    summary: str
    run: Run


def _domain() -> Any:
    import services.assessment.domain as domain

    return domain


def _assign(state: PlanningApplication, body: bodies.Assign, request: Request) -> Sequence[EventPayload]:
    """The case officer is looked up (name, role, active) in the council's officer records: an unknown or deactivated
    officer, or an administrator account (which does no case work), is refused with 422."""
    from services.assessment.domain import guards
    from services.assessment.domain.errors import InvalidCommand

    officer = request.officer
    guards.application(state, officer)  # the domain's refusals (404, 403, 409) come before the lookup's 422
    guards.role(officer, guards.ALLOCATION, "assign a case officer")
    guards.status(state, guards.OPEN, "assign a case officer")
    officer_id = officer.id if body.officer_id == "me" else body.officer_id
    assignee = request.council_officer(officer_id) if officer_id else None
    if assignee is None or not assignee.active:
        raise InvalidCommand({"officerId": "must be an active officer of the council"}, "No such active officer")
    if assignee.role not in guards.CASE_WORK:
        raise InvalidCommand(
            {"officerId": f"{assignee.name} is an {assignee.role}, who cannot be a case officer"},
            "Only assessors and reviewers can be case officers",
        )
    return _domain().assign(state, officer, officer_id=assignee.id, officer_name=assignee.name)


def _draft(state: PlanningApplication, body: bodies.DraftValidationRequest, request: Request) -> Sequence[EventPayload]:
    details = body.model_dump(exclude={"version", "type", "reason"}, exclude_none=True)
    return _domain().draft_validation_request(
        state,
        request.officer,
        request_id=str(uuid.uuid4()),
        request_type=body.type,
        reason=body.reason,
        today=request.today,
        **details,
    )


def _validate(state: PlanningApplication, body: bodies.Validate, request: Request) -> Sequence[EventPayload]:
    return _domain().validate(
        state,
        request.officer,
        valid_from=body.valid_from,
        determination_period_days=request.determination_period_days(state),
        today=request.today,
    )


def _determine(state: PlanningApplication, body: bodies.Determine, request: Request) -> Sequence[EventPayload]:
    domain = _domain()

    def determine(notice: Any) -> Sequence[EventPayload]:
        return domain.determine(
            state, request.officer, decision_date=body.decision_date, today=request.today, notice=notice
        )

    # The command is pure: ask it first with a placeholder file, so a refused determination renders and stores nothing.
    determine(domain.DecisionNoticeFile(document_id="pending", key="pending", sha256="0" * 64, size=1))
    notice, store = request.decision_notice(state, body.decision_date or request.today)
    events = determine(notice)
    store()  # before the append, so the DecisionNoticeIssued event always names a stored file
    return events


def _plain(name: str, *, today: bool = False, **renamed: str) -> Run:
    """A command whose inputs are the body's fields (snake_case), optionally renamed, and maybe today."""

    def run(state: PlanningApplication, body: bodies.Body, request: Request) -> Sequence[EventPayload]:
        inputs = body.model_dump(exclude={"version"})
        inputs = {renamed.get(key, key): value for key, value in inputs.items()}
        if today:
            inputs["today"] = request.today
        return getattr(_domain(), name)(state, request.officer, **inputs)

    return run


def _with_path(name: str, parameter: str, keyword: str, *, today: bool = False) -> Run:
    """A command that also takes a path parameter (the document or request it acts on)."""

    def run(state: PlanningApplication, body: bodies.Body, request: Request) -> Sequence[EventPayload]:
        inputs = body.model_dump(exclude={"version"})
        inputs[keyword] = request.parameters[parameter]
        if today:
            inputs["today"] = request.today
        return getattr(_domain(), name)(state, request.officer, **inputs)

    return run


def _time_extension(state: PlanningApplication, body: bodies.TimeExtension, request: Request) -> Sequence[EventPayload]:
    return _domain().request_time_extension(
        state,
        request.officer,
        request_id=str(uuid.uuid4()),
        proposed_expiry_date=body.proposed_expiry_date,
        reason=body.reason,
        today=request.today,
    )


COMMANDS: tuple[Command, ...] = (
    Command("assign", bodies.Assign, "Assign (or reassign) the case officer", _assign),
    Command(
        "documents/{document_id}/check",
        bodies.Check,
        "Check a document: valid, or invalid with a reason",
        _with_path("check_document", "document_id", "document_id"),
    ),
    Command("red_line_boundary/check", bodies.Check, "Check the red-line boundary", _plain("check_red_line_boundary")),
    Command("fee/check", bodies.Check, "Check the fee", _plain("check_fee")),
    Command("constraints", bodies.AddConstraint, "Add a planning constraint", _plain("add_constraint")),
    Command("constraints/remove", bodies.RemoveConstraint, "Remove a planning constraint", _plain("remove_constraint")),
    Command(
        "validation_requests",
        bodies.DraftValidationRequest,
        "Make a validation request (pending until the application is invalidated; sent at once after validation)",
        _draft,
    ),
    Command(
        "validation_requests/{request_id}/cancel",
        bodies.Reason,
        "Cancel a pending or open validation request",
        _with_path("cancel_validation_request", "request_id", "request_id", today=True),
    ),
    Command("invalidate", bodies.Nothing, "Invalidate: send every pending request", _plain("invalidate", today=True)),
    Command("validate", bodies.Validate, "Validate the application", _validate),
    Command(
        "site_notice", bodies.SiteNotice, "Record a site notice's display", _plain("record_site_notice", today=True)
    ),
    Command(
        "press_notice",
        bodies.PressNotice,
        "Record a press notice's publication",
        _plain("record_press_notice", today=True),
    ),
    Command("assessment", bodies.Assessment, "Record the assessment", _plain("record_assessment")),
    Command("recommendation", bodies.Recommendation, "Submit the recommendation", _plain("submit_recommendation")),
    Command("review", bodies.Review, "Agree with or challenge the recommendation (reviewers)", _plain("review")),
    Command("committee", bodies.Reason, "Send the application to committee", _plain("send_to_committee")),
    Command(
        "committee_decision",
        bodies.CommitteeDecision,
        "Record the committee's decision",
        _plain("record_committee_decision", today=True),
    ),
    Command("determine", bodies.Determine, "Determine: issue the decision and its notice", _determine),
    Command("withdraw", bodies.Reason, "Withdraw the application", _plain("withdraw", today=True)),
    Command("return", bodies.Reason, "Return the invalid application", _plain("return_application", today=True)),
    Command("close", bodies.Reason, "Close the application", _plain("close", today=True)),
    Command("time_extension", bodies.TimeExtension, "Ask the applicant for a time extension", _time_extension),
)
