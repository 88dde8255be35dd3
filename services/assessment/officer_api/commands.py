"""One POST per domain command: its path under the application, its body and how the body becomes the command's
keyword inputs. Ids (validation requests, the decision notice) and dates are made here, so the commands stay pure."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from services.assessment.officer_api import bodies

if TYPE_CHECKING:
    from events import EventPayload
    from services.assessment.domain.applicant import UploadedDocument
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
    # Stores a file in the document store: (key, content, content type).
    store_file: Callable[[str, bytes, str], None] | None = None


Run = Callable[["PlanningApplication", Any, Request], "Sequence[EventPayload]"]


@dataclass(frozen=True)
class Command:
    path: str  # under /planning_applications/{reference}
    body: type[bodies.Camel]
    summary: str
    run: Run
    # "documents": the command appends to the documents side stream, against the `documentsVersion` the officer saw
    stream: Literal["main", "documents"] = "main"


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


def officer_file(council: str, reference: str, name: str, content: bytes) -> UploadedDocument:
    """An officer's file checked as the applicant's are (by content: PDF, PNG or JPEG; size-limited), with a new id and
    the key to store it under (by its sha256, so storing it again is harmless); a bad file is refused with 422."""
    from services.assessment.applicant.uploads import UploadedFile, file_problem, safe_file_name, sniff
    from services.assessment.domain.applicant import UploadedDocument
    from services.assessment.domain.errors import InvalidCommand

    problem = file_problem(UploadedFile(name, content))
    if problem is not None:
        raise InvalidCommand({"file": problem}, problem)
    content_type = sniff(content) or ""
    sha256 = hashlib.sha256(content).hexdigest()
    safe = safe_file_name(name, content_type)
    return UploadedDocument(
        document_id=str(uuid.uuid4()),
        file_name=safe,
        key=f"{council}/{reference}/officer-documents/{sha256}/{safe}",
        sha256=sha256,
        size=len(content),
        content_type=content_type,
    )


def with_file(
    state: PlanningApplication,
    body: bodies.DocumentFile,
    request: Request,
    decide: Callable[[UploadedDocument], Sequence[EventPayload]],
) -> Sequence[EventPayload]:
    """Check the file, ask the command, store the file, and give the command's events: a refused command stores
    nothing, and the events never name a file that is not stored."""
    file = officer_file(state.council, state.reference, body.file_name, body.content)
    events = decide(file)
    if request.store_file is None:
        raise RuntimeError("this request cannot store files")
    request.store_file(file.key, body.content, file.content_type)
    return events


def _upload(state: PlanningApplication, body: bodies.UploadDocument, request: Request) -> Sequence[EventPayload]:
    domain = _domain()
    return with_file(
        state, body, request, lambda file: domain.upload_document(state, request.officer, document=file, tags=body.tags)
    )


def _replace(state: PlanningApplication, body: bodies.ReplaceDocument, request: Request) -> Sequence[EventPayload]:
    domain = _domain()
    old_id = request.parameters["document_id"]
    old = state.documents.get(old_id)
    tags = body.tags if body.tags is not None else (old.tags if old else ())

    def decide(file: UploadedDocument) -> Sequence[EventPayload]:
        return domain.upload_document(state, request.officer, document=file, tags=tags, replaces=old_id)

    return with_file(state, body, request, decide)


def _redacted(state: PlanningApplication, body: bodies.DocumentFile, request: Request) -> Sequence[EventPayload]:
    domain = _domain()
    document_id = request.parameters["document_id"]
    return with_file(
        state,
        body,
        request,
        lambda file: domain.upload_redacted_copy(state, request.officer, document_id=document_id, copy=file),
    )


def _on_document(name: str) -> Run:
    """A document command whose inputs are the body's fields and the path's document id."""

    def run(state: PlanningApplication, body: bodies.Camel, request: Request) -> Sequence[EventPayload]:
        inputs = body.model_dump(exclude={"documents_version"})
        return getattr(_domain(), name)(state, request.officer, document_id=request.parameters["document_id"], **inputs)

    return run


DOCUMENT_COMMANDS: tuple[Command, ...] = (
    Command("documents", bodies.UploadDocument, "Upload a document (PDF, PNG or JPEG)", _upload, "documents"),
    Command(
        "documents/{document_id}/replace",
        bodies.ReplaceDocument,
        "Upload a new version of a document (the old one stops being current)",
        _replace,
        "documents",
    ),
    Command(
        "documents/{document_id}/tags",
        bodies.DocumentTags,
        "Set a document's tags",
        _on_document("change_document_tags"),
        "documents",
    ),
    Command(
        "documents/{document_id}/publish",
        bodies.Publish,
        "Publish a document (the public sees it, or its redacted copy)",
        _on_document("publish_document"),
        "documents",
    ),
    Command(
        "documents/{document_id}/unpublish",
        bodies.Unpublish,
        "Take a document out of public view",
        _on_document("unpublish_document"),
        "documents",
    ),
    Command(
        "documents/{document_id}/redacted_copy",
        bodies.DocumentFile,
        "Upload a redacted copy of a document (the public sees it instead)",
        _redacted,
        "documents",
    ),
    Command(
        "documents/{document_id}/archive",
        bodies.Archive,
        "Archive a document, saying why",
        _on_document("archive_document"),
        "documents",
    ),
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
    *DOCUMENT_COMMANDS,
)
