"""The console's documents pages: an application's documents with their tags and state, one document's page (preview,
check, tags, publish / unpublish, redacted copy, new version, archive) and the upload form; the submitted files that
failed to arrive, each with a form asking for it to be fetched again (`DocumentFetchRequested`, which intake's document
fetcher answers with the file's outcome).

Each form runs the officer API's command (`officer_api.commands`: the same domain functions, the same file checks) in
process, against the documents' version the page showed (`documents_version`): only a change to the same document
since makes it stale. Forms carry the session's CSRF token, checked before anything else; roles are the domain's
(administrators read, case officers act). Files are posted as multipart/form-data and checked by content. The
routes are declared as a function of their own (`console-documents`) whose handler is the console's resolver with
this router included (`lambda_handler` below).
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

import base64  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402
from urllib.parse import parse_qs  # noqa: E402

from aws_lambda_powertools.event_handler.api_gateway import Response, Router  # noqa: E402

if TYPE_CHECKING:
    from services.assessment.domain.state import DocumentView, PlanningApplication
    from shared.officer_identity import SignedInOfficer

router = Router()
APPLICATION = "/applications/<reference>"
DOCUMENTS = f"{APPLICATION}/documents"
DOCUMENT = f"{DOCUMENTS}/<document_id>"
MAX_PARTS = 10
MAX_TEXT_BYTES = 40_000
MAX_FILE_BYTES = 4 * 1024 * 1024  # the file check itself tells the officer the limit (3 MB)
ACTIONS = ("check", "tags", "publish", "unpublish", "redacted_copy", "replace", "archive")
SOURCES = {"submission": "Submitted", "applicant": "Applicant", "officer": "Officer", "decision_notice": "Decision"}


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the documents pages' templates (the console's handler module, imported below,
    registers its own hook: the clients, the calendar and the shell)."""
    from shared.pages.compiled import load_templates
    from shared.pages.rendering import page_environment

    load_templates(page_environment(_handler().TEMPLATES), "documents.html", "document.html")


def _handler() -> Any:
    from services.assessment.console import handler

    return handler


@dataclass
class Posted:
    """A posted form: its text fields and at most one file."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    file_name: str | None = None
    file: bytes | None = None

    def text(self, name: str) -> str:
        return (self.fields.get(name) or [""])[0]


def _refuse(status: int, message: str) -> Exception:
    from services.assessment.console.refusals import ConsoleRefusal

    return ConsoleRefusal(status, message)


def posted_form() -> Posted:
    """The form (urlencoded or multipart), refused with 400 when it cannot be read or its CSRF token is wrong."""
    from shared.pages.session import CSRF_FIELD, csrf_matches
    from shared.request_body import MalformedBody, raw_body
    from shared.typed_text import UntypableText, typed_fields

    event = router.current_event
    try:
        body = raw_body(event.body, bool(event.is_base64_encoded))
    except MalformedBody:
        raise _refuse(400, "The form could not be read") from None
    content_type = next((v for k, v in (event.headers or {}).items() if k.lower() == "content-type"), "") or ""
    if content_type.lower().startswith("multipart/form-data"):
        posted = _multipart(body, content_type)
    else:
        try:
            posted = Posted(parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50))
        except (UnicodeDecodeError, ValueError):
            raise _refuse(400, "The form could not be read") from None
    if not csrf_matches(_handler().session_csrf(), posted.text(CSRF_FIELD)):
        raise _refuse(400, "The form has expired or did not come from this service: go back, reload and try again")
    try:
        posted.fields = typed_fields(posted.fields)
    except UntypableText as refused:
        raise _refuse(422, f"{refused.sentence}: go back, remove them and try again") from None
    return posted


def _multipart(body: bytes, content_type: str) -> Posted:
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary or len(boundary) > 200:
        raise _refuse(400, "The form could not be read")
    parts: list[tuple[dict[bytes, bytes], bytearray]] = []
    state: dict[str, Any] = {}

    def begin() -> None:
        if len(parts) >= MAX_PARTS:
            raise _refuse(400, "The form has too many fields")
        state.update(headers={}, name=bytearray(), value=bytearray(), data=bytearray())

    def header_end() -> None:
        state["headers"][bytes(state["name"]).lower()] = bytes(state["value"])
        state["name"].clear()
        state["value"].clear()

    def data(chunk: bytes, start: int, end: int) -> None:
        state["data"].extend(chunk[start:end])
        if len(state["data"]) > MAX_FILE_BYTES:
            raise _refuse(413, "The file must be smaller than 3 MB")

    callbacks: Any = {
        "on_part_begin": begin,
        "on_header_field": lambda chunk, start, end: state["name"].extend(chunk[start:end]),
        "on_header_value": lambda chunk, start, end: state["value"].extend(chunk[start:end]),
        "on_header_end": header_end,
        "on_part_data": data,
        "on_part_end": lambda: parts.append((state["headers"], state["data"])),
    }
    try:
        parser = MultipartParser(boundary, callbacks)
        parser.write(body)
        parser.finalize()
    except MultipartParseError:
        raise _refuse(400, "The form could not be read") from None
    posted = Posted()
    for headers, content in parts:
        _, disposition = parse_options_header(headers.get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("latin-1")
        if b"filename" in disposition:
            if content or disposition[b"filename"]:
                posted.file_name = disposition[b"filename"].decode("utf-8", "replace")
                posted.file = bytes(content)
            continue
        if len(content) > MAX_TEXT_BYTES:
            raise _refuse(413, f"The {name} field is too long")
        posted.fields.setdefault(name, []).append(content.decode("utf-8", "replace"))
    return posted


# --- reading ---------------------------------------------------------------------------------------------------------


def _load(signed_in: SignedInOfficer, reference: str) -> PlanningApplication:
    from services.assessment.domain.errors import NotFound

    try:
        return _handler().casework().load(signed_in.council, reference)
    except NotFound:
        raise _refuse(404, f"There is no planning application {reference}") from None


def _document(state: PlanningApplication, document_id: str) -> DocumentView:
    found = state.documents.get(document_id)
    if found is None:
        raise _refuse(404, f"There is no document {document_id} in this application")
    return found


def document_status(document: DocumentView) -> dict[str, str]:
    """The GOV.UK tag of what the public sees of a document."""
    if document.source == "decision_notice":
        return {"text": "Public with the decision", "classes": "govuk-tag--green"}
    if document.archived:
        return {"text": "Archived", "classes": "govuk-tag--grey"}
    if document.replaced_by:
        return {"text": "Replaced", "classes": "govuk-tag--grey"}
    if document.published:
        return {"text": "Redacted copy published" if document.redacted else "Published", "classes": "govuk-tag--green"}
    return {"text": "Not published", "classes": "govuk-tag--yellow"}


def check_status(document: DocumentView) -> dict[str, str]:
    if document.check.valid is None:
        return {"text": "Not checked", "classes": "govuk-tag--grey"}
    if document.check.valid:
        return {"text": "Valid", "classes": "govuk-tag--green"}
    return {"text": "Invalid", "classes": "govuk-tag--red"}


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def _context(state: PlanningApplication) -> dict[str, Any]:
    return {
        "reference": state.reference,
        "address": state.site.address if state.submission else "",
        "documents_version": state.documents_version,
        "version": state.version,
        "document_status": document_status,
        "check_status": check_status,
        "size_text": size_text,
        "sources": SOURCES,
    }


def documents_page(
    signed_in: SignedInOfficer, state: PlanningApplication, *, status: int = 200, **context: Any
) -> Response:
    context.setdefault("given", {})
    documents = sorted(state.documents.values(), key=lambda d: (not d.current, d.source == "decision_notice"))
    return _handler().page(
        "documents.html",
        http_status=status,
        title=f"Documents of {state.reference}",
        documents=documents,
        can_act=signed_in.role in ("assessor", "reviewer"),
        files_not_fetched=state.files_not_fetched,
        wide=True,
        **_context(state),
        **context,
    )


def document_page(
    signed_in: SignedInOfficer, state: PlanningApplication, document: DocumentView, *, status: int = 200, **context: Any
) -> Response:
    context.setdefault("given", {})
    return _handler().page(
        "document.html",
        http_status=status,
        title=document.name,
        document=document,
        can_act=signed_in.role in ("assessor", "reviewer") and document.source != "decision_notice",
        is_image=document.content_type.startswith("image/"),
        **_context(state),
        **context,
    )


@router.get(DOCUMENTS)
def list_documents(reference: str) -> Response:
    signed_in = _handler().officer()
    return documents_page(signed_in, _load(signed_in, reference))


@router.get(DOCUMENT)
def show_document(reference: str, document_id: str) -> Response:
    signed_in = _handler().officer()
    state = _load(signed_in, reference)
    return document_page(signed_in, state, _document(state, document_id))


# A document is served as stored, never as an active page of the console's origin (as the officer API serves it).
FILE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@router.get(f"{DOCUMENT}/file")
def document_file(reference: str, document_id: str):  # no annotation: Powertools would model the Response type
    from shared.documents import DocumentNotFound
    from shared.wiring import dependencies

    signed_in = _handler().officer()
    found = _document(_load(signed_in, reference), document_id)
    key, name, content_type = found.key, found.name, found.content_type
    if (router.current_event.query_string_parameters or {}).get("copy") == "redacted":
        if found.redacted is None:
            raise _refuse(404, "This document has no redacted copy")
        key, name, content_type = found.redacted.key, found.redacted.file_name, found.redacted.content_type
    try:
        content = dependencies().documents.get(key)
    except DocumentNotFound:
        raise _refuse(404, "The document's file is not in the document store") from None
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name) or "document"
    headers = {**FILE_HEADERS, "Content-Disposition": f'inline; filename="{safe}"'}
    return Response(200, content_type, content, headers=headers)


# --- acting ----------------------------------------------------------------------------------------------------------


class _FormProblem(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _tags(text: str) -> list[str]:
    return [tag.strip() for tag in text.replace("\n", ",").split(",") if tag.strip()]


def _file_fields(posted: Posted) -> dict[str, Any]:
    if posted.file is None:
        raise _FormProblem({"file": "Select a file"})
    return {"fileName": posted.file_name or "document", "content": base64.b64encode(posted.file).decode("ascii")}


def _number(posted: Posted, name: str) -> int:
    from shared.whole_numbers import whole_number

    number = whole_number(posted.text(name))
    return -1 if number is None else number


def _body(action: str | None, posted: Posted) -> tuple[str, dict[str, Any]]:
    """The officer API command's path and its JSON body, from the form (the page's hidden `version` of the application
    for a check, which is a main-stream command, and `documents_version` for the others)."""
    version = _number(posted, "documents_version")
    if action is None:
        return "documents", {"documentsVersion": version, "tags": _tags(posted.text("tags")), **_file_fields(posted)}
    path = f"documents/{{document_id}}/{action}"
    if action == "check":
        verdict = posted.text("valid")
        if verdict not in ("yes", "no"):
            raise _FormProblem({"valid": "Select whether the document is valid"})
        reason = posted.text("invalid_reason").strip() or None
        return path, {"version": _number(posted, "version"), "valid": verdict == "yes", "invalidReason": reason}
    body: dict[str, Any] = {"documentsVersion": version}
    if action == "tags":
        body["tags"] = _tags(posted.text("tags"))
    elif action in ("unpublish", "archive"):
        body["reason"] = posted.text("reason")
    elif action in ("redacted_copy", "replace"):
        body.update(_file_fields(posted))
    return path, body


FIELD_NAMES = {"invalidReason": "invalid_reason", "file": "file", "tags": "tags", "reason": "reason", "valid": "valid"}
REQUIRED = {"reason": "Enter a reason", "invalid_reason": "Enter why the document is invalid"}


def _errors(fields: dict[str, str]) -> dict[str, str]:
    """The domain's and the body's field problems, worded for the page and keyed by the form's field ids."""
    errors: dict[str, str] = {}
    for name, message in fields.items():
        key = FIELD_NAMES.get(name.split(".")[0], "file")
        text = REQUIRED[key] if key in REQUIRED and message == "is required" else _sentence(message)
        errors.setdefault(key, text)
    return errors


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def act(reference: str, document_id: str | None, action: str | None) -> Response:
    from pydantic import ValidationError

    from services.assessment.domain.errors import AssessmentRefusal, Conflict, NotPermitted
    from services.assessment.officer_api.commands import COMMANDS
    from services.assessment.officer_api.handler import perform

    handler = _handler()
    signed_in = handler.officer()
    posted = posted_form()
    state = _load(signed_in, reference)
    try:
        path, data = _body(action, posted)
        command = next(c for c in COMMANDS if c.path == path)
        body = command.body.model_validate(data)
    except _FormProblem as problem:
        return _again(signed_in, state, document_id, 422, problem.errors, action)
    except ValidationError as error:
        fields = {".".join(str(p) for p in e["loc"]): e["msg"] for e in error.errors()}
        return _again(signed_in, state, document_id, 422, _errors(fields), action)
    parameters = {"document_id": document_id} if document_id else {}
    work = handler.casework()
    try:
        after = perform(work, signed_in, command, reference, parameters, body, work.today())
    except NotPermitted as refused:
        raise _refuse(403, refused.message) from None
    except Conflict as conflict:
        fresh = _load(signed_in, reference)
        return _again(signed_in, fresh, document_id, 409, {"conflict": _sentence(conflict.message)})
    except AssessmentRefusal as refused:
        if refused.status == 404:
            raise _refuse(404, refused.message) from None
        errors = _errors(refused.fields) or {"file": _sentence(refused.message)}
        return _again(signed_in, state, document_id, refused.status, errors, action)
    return Response(
        303, None, "", headers={"Location": _landing(after, document_id, action), "Cache-Control": "no-store"}
    )


def _landing(state: PlanningApplication, document_id: str | None, action: str | None) -> str:
    base = f"/applications/{state.reference}/documents"
    if action == "replace" and document_id:
        new = state.documents[document_id].replaced_by
        return f"{base}/{new}" if new else base
    return f"{base}/{document_id}" if document_id else base


# Forms on one page whose fields share a name have their own ids.
FIELD_IDS = {"replace": {"file": "new_version"}, "archive": {"reason": "archive_reason"}}


def _again(
    signed_in: SignedInOfficer,
    state: PlanningApplication,
    document_id: str | None,
    status: int,
    errors: dict[str, str],
    action: str | None = None,
) -> Response:
    """The page again, with the error summary and the inline errors (a conflict says what changed)."""
    ids = FIELD_IDS.get(action or "", {})
    errors = {ids.get(name, name): message for name, message in errors.items()}
    if document_id is None:
        return documents_page(signed_in, state, status=status, errors=errors)
    return document_page(signed_in, state, _document(state, document_id), status=status, errors=errors)


@router.post(DOCUMENTS)
def upload(reference: str) -> Response:
    return act(reference, None, None)


@router.post(f"{DOCUMENTS}/fetch_again")
def fetch_again(reference: str) -> Response:
    """Ask for a submitted file that failed to arrive to be fetched again, against the documents' version the page
    showed: a second click changes nothing, a file received or asked for since is refused with what changed."""
    from services.assessment.domain.documents import request_document_fetch
    from services.assessment.domain.errors import AssessmentRefusal, NotPermitted

    handler = _handler()
    signed_in = handler.officer()
    posted = posted_form()
    _load(signed_in, reference)
    file_index = _number(posted, "file_index")
    try:
        handler.casework().act_on_documents(
            signed_in,
            reference,
            _number(posted, "documents_version"),
            lambda state: request_document_fetch(state, signed_in, file_index=file_index),
        )
    except NotPermitted as refused:
        raise _refuse(403, refused.message) from None
    except AssessmentRefusal as refused:
        if refused.status == 404:
            raise _refuse(404, _sentence(refused.message)) from None
        fresh = _load(signed_in, reference)
        return documents_page(signed_in, fresh, status=refused.status, errors={"conflict": _sentence(refused.message)})
    location = f"/applications/{reference}/documents#files-not-fetched"
    return Response(303, None, "", headers={"Location": location, "Cache-Control": "no-store"})


@router.post(f"{DOCUMENT}/<action>")
def document_action(reference: str, document_id: str, action: str) -> Response:
    if action not in ACTIONS:
        raise _refuse(404, "There is no such action")
    return act(reference, document_id, action)


def _joined() -> Any:
    """The console's resolver with these pages' routes: the documents function serves them with the console's shell,
    its refusals and security headers (the console's handler module is the one resolver)."""
    from services.assessment.console import handler

    handler.app.include_router(router)
    return handler.lambda_handler


lambda_handler = _joined()
