"""The applicant pages and their JSON twin (Powertools resolver behind API Gateway and `bops serve`): a thin handler.

`GET/POST /applicant/{council}/{reference}/validation_requests/{request_id}?token=...` (HTML, GOV.UK Design System)
and `GET/POST /api/applicant/v1/{council}/{reference}/validation_requests/{request_id}?token=...` (JSON). The routes
are public: the link's token is the credential, checked here before anything is read (a bad one is 404, whatever
exists). `GET /assets/{path+}` serves the GOV.UK Frontend files the pages use.

No CSRF token: a forged cross-site POST needs the link's token in its URL, and whoever has the token can answer
directly; the pages set no cookie and the browser holds no credential of the applicant's for a forger to borrow.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

from collections.abc import Mapping  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402
from urllib.parse import quote  # noqa: E402

from aws_lambda_powertools.event_handler import content_types  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response  # noqa: E402

from services.assessment.applicant.refusals import (  # noqa: E402
    ApplicantRefusal,
    BadRequest,
    LinkNotFound,
    RequestClosed,
)
from shared.observability import count, logger, observed  # noqa: E402

# The domain (and through the calendar `holidays` → dateutil → six, which adds an import hook) is imported on the first
# request, never at import: a handler module's import changes nothing of the process (tests/aws/test_startup.py).
if TYPE_CHECKING:
    from services.assessment.applicant.forms import AnswerInput
    from services.assessment.applicant.service import ApplicantAnswers, OpenRequest
    from shared.wiring import Dependencies

app = APIGatewayRestResolver()
PAGE = "/applicant/<council>/<reference>/validation_requests/<request_id>"
JSON_TWIN = "/api/applicant/v1/<council>/<reference>/validation_requests/<request_id>"
TEMPLATES = "services.assessment.applicant"
CONTACT = "If you have a question about your application, contact the council's planning team."
FIRST_FIELD = {"agree": "agreed", "document": "document", "response": "response"}


def answers() -> ApplicantAnswers:
    from shared.wiring import dependencies

    return dependencies().memo("applicant-answers", build_answers)


def build_answers(deps: Dependencies) -> ApplicantAnswers:
    from services.assessment.applicant.service import ApplicantAnswers

    return ApplicantAnswers(deps.event_store, lambda: deps.documents, deps.secrets, deps.clock)


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients, the answers service, this year's calendar and the page templates."""
    from datetime import date

    from services.assessment.applicant import forms as _forms  # noqa: F401
    from shared.calendar.business_days import england_and_wales_bank_holidays
    from shared.pages.compiled import load_templates
    from shared.pages.rendering import page_environment

    answers().documents()  # the S3 client too: an upload after a restore does not build it
    england_and_wales_bank_holidays(date.today().year)
    load_templates(page_environment(TEMPLATES), "request.html", "message.html")


def token() -> str | None:
    return (app.current_event.query_string_parameters or {}).get("token")


def body_bytes() -> bytes:
    from shared.request_body import MalformedBody, raw_body

    event = app.current_event
    try:
        return raw_body(event.body, bool(event.is_base64_encoded))
    except MalformedBody as malformed:
        raise BadRequest(str(malformed)) from None


def content_type() -> str | None:
    headers = app.current_event.headers or {}
    return next((value for name, value in headers.items() if name.lower() == "content-type"), None)


def wants_json() -> bool:
    return app.current_event.path.startswith("/api/")


# Pages


def council_name(council: str) -> str:
    from shared.wiring import dependencies

    return dependencies().council_name(council)


def page(template: str, status: int, council: str, **context: Any) -> Response:
    from shared.pages.rendering import HTML_CONTENT_TYPE, page_environment, render_page

    rendered = render_page(page_environment(TEMPLATES), template, serviceName=council_name(council), **context)
    return Response(status, HTML_CONTENT_TYPE, rendered.html, headers=rendered.headers)


def request_page(
    found: OpenRequest, status: int = 200, errors: Mapping[str, str] | None = None, given: Any = None
) -> Response:
    from services.assessment.applicant.view import page_context

    path = app.current_event.path
    action = f"{quote(path)}?token={quote(token() or '', safe='')}"
    given_values = given or {"agreed": None, "reason": None, "response": None}
    return page(
        "request.html",
        status,
        found.council,
        action=action,
        errors=dict(errors or {}),
        given=given_values,
        **page_context(found),
    )


@app.get(PAGE)
def show_page(council: str, reference: str, request_id: str) -> Response:
    return request_page(answers().open(council, reference, request_id, token()))


@app.post(PAGE)
def answer_page(council: str, reference: str, request_id: str) -> Response:
    from services.assessment.applicant.forms import UntypableAnswer, parse_form, require_media_type

    service = answers()
    service.check_link(council, reference, request_id, token())
    given: AnswerInput | None = None
    try:
        require_media_type(content_type(), "multipart/form-data")
        given = parse_form(body_bytes(), content_type() or "")
        service.answer(council, reference, request_id, token(), given)
    except (LinkNotFound, RequestClosed):
        raise
    except ApplicantRefusal as refusal:
        count("ApplicantAnswersRefused")
        found = service.open(council, reference, request_id, token())
        if isinstance(refusal, UntypableAnswer):
            given = refusal.given  # what was typed, without what cannot be: the applicant need not type it again
        return request_page(found, refusal.status, page_errors(found, refusal), form_values(given))
    count("ApplicantAnswersRecorded")
    return page(
        "message.html",
        200,
        council,
        title="Answer sent",
        panel=True,
        paragraphs=[
            f"We have your answer about planning application {reference}.",
            "The case officer will look at it. We will contact you if we need anything else.",
        ],
    )


def page_errors(found: OpenRequest, refusal: ApplicantRefusal) -> dict[str, str]:
    """The refusal's fields as the page's fields (`document.file_name` is the file input), each message a sentence;
    a refusal without fields points at the form's first field."""
    from services.assessment.applicant.view import answer_kind

    first = FIRST_FIELD[answer_kind(found.request.type)]
    errors: dict[str, str] = {}
    for name, message in refusal.fields.items():
        field = name.split(".", 1)[0]
        field = field if field in ("agreed", "reason", "response", "document") else first
        errors.setdefault(field, message[:1].upper() + message[1:])
    return errors or {first: refusal.message}


def form_values(given: AnswerInput | None) -> dict[str, Any]:
    if given is None:
        return {"agreed": None, "reason": None, "response": None}
    agreed = None if given.agreed is None else ("yes" if given.agreed else "no")
    return {"agreed": agreed, "reason": given.reason, "response": given.response}


# The JSON twin


@app.get(JSON_TWIN)
def show_json(council: str, reference: str, request_id: str) -> dict[str, Any]:
    from services.assessment.applicant.view import json_view

    return json_view(answers().open(council, reference, request_id, token()))


@app.post(JSON_TWIN)
def answer_json(council: str, reference: str, request_id: str) -> Response:
    from services.assessment.applicant.forms import parse_json_answer, require_media_type
    from services.assessment.applicant.view import request_summary

    service = answers()
    service.check_link(council, reference, request_id, token())
    require_media_type(content_type(), "application/json")
    answered = service.answer(council, reference, request_id, token(), parse_json_answer(body_bytes()))
    count("ApplicantAnswersRecorded")
    request = answered.request
    body = {
        "message": "Answer recorded",
        "request": {
            **request_summary(request),
            "closedOn": request.closed_on.isoformat() if request.closed_on else None,
        },
    }
    return Response(200, content_types.APPLICATION_JSON, body)


# The GOV.UK Frontend files (API Gateway's `{path+}` is one Powertools segment per level here)


@app.get("/assets/<name>")
def asset(name: str) -> Response:
    return asset_response(name)


@app.get("/assets/<folder>/<name>")
def folder_asset(folder: str, name: str) -> Response:
    return asset_response(f"{folder}/{name}")


def asset_response(path: str) -> Response:
    from shared.pages.assets import CACHE_CONTROL, find_asset

    found = find_asset(path)
    if found is None:
        return Response(404, "text/plain; charset=utf-8", "Not found")
    return Response(200, found.content_type, found.content, headers={"Cache-Control": CACHE_CONTROL})


# Refusals


@app.exception_handler(ApplicantRefusal)
def refused(error: ApplicantRefusal) -> Response:
    return refusal_response(error.status, error.message, error.fields, closed=isinstance(error, RequestClosed))


def refusal_response(status: int, message: str, fields: Mapping[str, str], closed: bool = False) -> Response:
    logger.info("applicant request refused", extra={"status": status, "reason": message})
    if wants_json():
        errors = [{"field": field, "message": text} for field, text in fields.items()]
        return Response(status, content_types.APPLICATION_JSON, {"message": message, "errors": errors})
    council = app.current_event.path.split("/")[2] if status != 404 else None
    if closed and council:
        paragraphs = ["You do not need to do anything else with this link.", CONTACT]
        return page("message.html", status, council, title="This request is closed", paragraphs=paragraphs)
    if status == 404 or council is None:
        return not_found_page(message)
    return page("message.html", status, council, title="Sorry, there is a problem", paragraphs=[message])


def not_found_page(message: str) -> Response:
    """The 404 page names no council: a bad link reveals nothing, not even whether the council exists."""
    from shared.pages.rendering import HTML_CONTENT_TYPE, page_environment, render_page

    rendered = render_page(
        page_environment(TEMPLATES),
        "message.html",
        serviceName="Planning",
        title="Page not found",
        paragraphs=[message],
    )
    return Response(404, HTML_CONTENT_TYPE, rendered.html, headers=rendered.headers)


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
