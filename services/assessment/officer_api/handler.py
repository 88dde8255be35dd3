"""The officer JSON API (Powertools resolver behind API Gateway, and behind `bops serve`): a thin handler.

Every route but the OpenAPI document is `auth="officer"`: the authorizer (AWS) or the embedded server has verified
the officer's token and put the officer in the request context (`shared.officer_identity`). Everything is the signed-in
officer's council's: another council's reference is not found.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

from datetime import date  # noqa: E402
from functools import cache  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

import orjson  # noqa: E402
from aws_lambda_powertools.event_handler import content_types  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from services.assessment.officer_api.bodies import Body, Camel, DocumentBody  # noqa: E402
from services.assessment.officer_api.commands import COMMANDS, Command, Request  # noqa: E402
from services.assessment.officer_api.refusals import ApiRefusal, Unauthorized, refusal_body  # noqa: E402
from shared.observability import count, logger, observed  # noqa: E402
from shared.officer_identity import NotSignedIn, SignedInOfficer, signed_in_officer  # noqa: E402

if TYPE_CHECKING:
    from services.assessment.casework import Casework
    from services.assessment.domain.state import PlanningApplication
    from shared.wiring import Dependencies


def _json(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


app = APIGatewayRestResolver(serializer=_json)  # orjson: the state answered after each command is a large document
BASE = "/api/officer/v1"
COLLECTION = f"{BASE}/planning_applications"
OPENAPI_PATH = f"{BASE}/openapi.json"
TITLE = "BOPS officer API"
OFFICER = "officerToken"  # the security scheme's name in the OpenAPI document
DESCRIPTION = """What planning officers do with applications: the case list, one application's whole state and audit
trail, and one POST per command (assign, validation requests, checks, validate, assess, recommend, review, determine).

Sign in with `POST /api/officer/v1/session` (`{"email", "password"}`) and send the token it answers as
`Authorization: Bearer <token>`. Each command's body carries the `version` of the application the officer saw: if it
changed since, the command is refused with 409 saying what changed. Refusals are
`{"message": "...", "errors": [{"field": "...", "message": "..."}]}` with 401 (not signed in), 403 (the role does not
allow it), 404 (no such application in your council), 409 (wrong state or stale version) or 422 (bad input)."""


def officer() -> SignedInOfficer:
    try:
        return signed_in_officer(app.current_event.request_context.authorizer)
    except NotSignedIn as error:
        raise Unauthorized("Sign in as an officer to use this API") from error


def casework() -> Casework:
    from shared.wiring import dependencies

    return dependencies().memo("casework", build_casework)


def build_casework(deps: Dependencies) -> Casework:
    from services.assessment.casework import Casework

    return Casework(deps.event_store, deps.clock)


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients and what every request uses (the domain, its view, the case list, the
    bodies' validators)."""
    from services.assessment.case_list.wiring import case_list as adapter
    from services.assessment.domain import view as _view  # noqa: F401
    from services.assessment.officer_api.bodies import build_all
    from shared.wiring import dependencies

    casework()
    adapter(dependencies())
    build_all()


def parse_body(model: type[Camel]) -> Camel:
    from shared.request_body import MalformedBody, parse_json, raw_body
    from shared.typed_text import UntypableText, typed_json

    event = app.current_event
    try:
        data = parse_json(raw_body(event.body, bool(event.is_base64_encoded)) or b"{}")
    except MalformedBody as malformed:
        raise ApiRefusal(400, str(malformed)) from None
    if not isinstance(data, dict):
        raise ApiRefusal(422, "The body must be a JSON object", {"": "must be an object"})
    try:
        data = typed_json(data)  # what the console's forms keep of typed text, the API keeps too
    except UntypableText as refused:
        raise ApiRefusal(422, refused.sentence, refused.fields) from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = {".".join(str(part) for part in e["loc"]) or "": e["msg"] for e in error.errors()}
        raise ApiRefusal(422, "The request has invalid fields", fields) from None


def view(state: PlanningApplication, today: date) -> dict[str, Any]:
    from services.assessment.domain.view import application_view

    return {**application_view(state, today), "links": links(state.reference)}


def links(reference: str) -> dict[str, str]:
    return {"self": f"{COLLECTION}/{reference}", "audit": f"{COLLECTION}/{reference}/audit"}


@app.get(
    COLLECTION,
    summary="The case list",
    description="The council's applications sorted by expiry date (undated last), filtered by `status` (repeat or "
    "comma-separate), `assignedTo` (`me` or an officer id), `overdue` (true/false), `dueWithinDays` (business days), "
    "`type` (ODP application type codes) and `q` (reference, address or postcode); `counts` are per status over "
    "every filter but `status`; `page` and `perPage` (at most 100) paginate.",
    tags=["Case list"],
    security=[{OFFICER: []}],
)
def case_list() -> dict[str, Any]:
    from services.assessment.case_list.wiring import case_list as adapter
    from services.assessment.officer_api.case_list import case_list_answer, parse_case_query
    from shared.calendar import london_date
    from shared.wiring import dependencies

    signed_in = officer()
    deps = dependencies()
    today = london_date(deps.clock.now())  # only the case list: no casework (its domain and event log)
    query = parse_case_query(app.current_event, signed_in, today)
    return case_list_answer(adapter(deps).query(query), query, COLLECTION)


@app.get(
    f"{COLLECTION}/<reference>",
    summary="One application's whole state",
    tags=["Planning applications"],
    security=[{OFFICER: []}],
)
def show(reference: str) -> dict[str, Any]:
    signed_in = officer()
    work = casework()
    return view(work.load(signed_in.council, reference), work.today())


@app.get(
    f"{COLLECTION}/<reference>/audit",
    summary="The application's audit trail",
    description="Every event of the application's streams (main, documents, notifications) in time order, as who, "
    "when and what in plain English.",
    tags=["Planning applications"],
    security=[{OFFICER: []}],
)
def audit(reference: str) -> dict[str, Any]:
    from services.assessment.officer_api.audit import audit_entries

    signed_in = officer()
    events = casework().events(signed_in.council, reference)
    if not any(e.event_type == "PlanningApplicationSubmitted" for e in events):
        raise ApiRefusal(404, f"No planning application {reference}")
    return {"reference": reference, "entries": audit_entries(events)}


# A document is served as it was stored, but never as an active page of the API's origin: a submitted file's content
# type came from elsewhere, so scripts are sandboxed away (the decision notice's inline styles still apply).
INLINE_DOCUMENT_BYTES = 1024 * 1024  # larger files: a redirect to a short-lived link that streams them
DOCUMENT_HEADERS = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
}


@app.get(
    f"{COLLECTION}/<reference>/documents/<document_id>",
    summary="One document's content",
    description="A document of the application (submitted, uploaded by the applicant or an officer, or the decision "
    "notice) with its content type, read from the document store; `?copy=redacted`: its redacted copy. A file over "
    "1 MB is answered 307 to a link that works for 5 minutes and streams it from the store (on AWS a presigned S3 "
    "URL).",
    tags=["Planning applications"],
    security=[{OFFICER: []}],
)
def document(reference: str, document_id: str):  # no annotation: Powertools would model the Response type
    from shared.documents import DocumentNotFound
    from shared.documents.port import inline_disposition
    from shared.wiring import dependencies

    signed_in = officer()
    state = casework().load(signed_in.council, reference)
    found = state.documents.get(document_id) if state.exists and state.council == signed_in.council else None
    if found is None:
        raise ApiRefusal(404, f"No document {document_id} of planning application {reference}")
    key, name, content_type = found.key, found.name, found.content_type
    if app.current_event.get_query_string_value("copy") == "redacted":
        if found.redacted is None:
            raise ApiRefusal(404, f"Document {document_id} has no redacted copy")
        key, name, content_type = found.redacted.key, found.redacted.file_name, found.redacted.content_type
    documents = dependencies().documents
    try:
        if documents.size(key) > INLINE_DOCUMENT_BYTES:
            # Streamed from the store by a short-lived link: S3's presigned URL (a function's answer is at most 6 MB),
            # or `bops serve`'s signed path that streams the file from disk.
            link = documents.link(key, file_name=name, content_type=content_type)
            return Response(307, None, b"", headers={"Location": link, "Cache-Control": "private, no-store"})
        content = documents.get(key)
    except DocumentNotFound:
        raise ApiRefusal(404, f"The file of document {document_id} is not in the document store") from None
    headers = {**DOCUMENT_HEADERS, "Content-Disposition": inline_disposition(name)}
    return Response(200, content_type, content, headers=headers)


def determination_period(council: str) -> Any:
    def period(state: PlanningApplication) -> int:
        from shared.wiring import dependencies

        return dependencies().council_settings(council).determination_period_days(state.application_type)

    return period


def decision_notice(council: str) -> Any:
    def prepare(state: PlanningApplication, decision_date: date) -> Any:
        from services.assessment.notice import prepare_notice
        from shared.wiring import dependencies

        deps = dependencies()
        return prepare_notice(state, deps.council_settings(council), deps.documents, decision_date)

    return prepare


def council_officer(council: str) -> Any:
    def find(officer_id: str) -> Any:
        from services.assessment.officers import council_officer as read
        from shared.wiring import dependencies

        return read(dependencies().read_models, council, officer_id)

    return find


def run_command(command: Command, reference: str, parameters: dict[str, str]) -> dict[str, Any]:
    signed_in = officer()
    body = parse_body(command.body)
    work = casework()
    today = work.today()
    return view(perform(work, signed_in, command, reference, parameters, body, today), today)


def perform(
    work: Casework,
    signed_in: SignedInOfficer,
    command: Command,
    reference: str,
    parameters: dict[str, str],
    body: Camel,
    today: date,
) -> PlanningApplication:
    """One command on one application, as the route runs it (the benchmark calls it without HTTP too)."""
    council = signed_in.council
    request = Request(
        signed_in,
        today,
        parameters,
        determination_period(council),
        decision_notice(council),
        council_officer(council),
        store_file,
    )
    decide = lambda current: command.run(current, body, request)  # noqa: E731
    if isinstance(body, DocumentBody):
        return work.act_on_documents(signed_in, reference, body.documents_version, decide)
    assert isinstance(body, Body)
    return work.act(signed_in, reference, body.version, decide)


def store_file(key: str, content: bytes, content_type: str) -> None:
    from shared.wiring import dependencies

    dependencies().documents.put(key, content, content_type)


def _register(command: Command) -> None:
    path = f"{COLLECTION}/<reference>/" + command.path.replace("{", "<").replace("}", ">")

    def handle(reference: str, **parameters: str) -> dict[str, Any]:
        return run_command(command, reference, parameters)

    handle.__name__ = "command_" + command.path.replace("/", "_").replace("{", "").replace("}", "")
    app.post(path, summary=command.summary, tags=["Commands"], security=[{OFFICER: []}])(handle)


for _command in COMMANDS:
    _register(_command)


@app.get(OPENAPI_PATH, include_in_schema=False)
def openapi():  # no annotation: Powertools would model the Response type
    return Response(200, content_types.APPLICATION_JSON, openapi_document())


@cache
def openapi_document() -> str:
    from services.assessment.officer_api.openapi import document

    return document(app, TITLE, DESCRIPTION, OFFICER, COLLECTION)


@app.exception_handler(ApiRefusal)
def refused(error: ApiRefusal) -> Response:
    return _refusal(error.status, error.message, error.fields)


def _refusal(status: int, message: str, fields: dict[str, str]) -> Response:
    logger.info("refused", extra={"status": status, "reason": message})
    count("RequestsRefused")
    return Response(status, content_types.APPLICATION_JSON, refusal_body(message, fields))


@app.exception_handler(Exception)
def domain_refusal(error: Exception) -> Response:
    """The domain's refusals (`AssessmentRefusal`), with their status; anything else is raised on. The domain is
    imported here, not when the module loads (it brings the calendar's `holidays`, which a cold start need not)."""
    from services.assessment.domain.errors import AssessmentRefusal

    if not isinstance(error, AssessmentRefusal):
        raise error
    return _refusal(error.status, error.message, error.fields)


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
