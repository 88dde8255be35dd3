"""The intake API (Powertools resolver behind API Gateway, and behind `bops serve`): a thin handler.

`POST /api/v2/planning_applications` takes an ODP submission; `GET /api/v2/planning_applications/{reference}` returns
the council's own record. API keys are checked by the authorizer; the council and scopes arrive in the request context.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import orjson
from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response

from events import Actor
from services.intake.errors import (
    Forbidden,
    IntakeRefusal,
    MalformedRequest,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from shared.observability import count, logger, observed

app = APIGatewayRestResolver()
COLLECTION = "/api/v2/planning_applications"
TITLE = "BOPS intake API"


def intake() -> Any:
    from shared.wiring import dependencies

    return dependencies().memo("intake", build_intake)


def build_intake(deps: Any) -> Any:
    from services.intake.accept import IntakeService
    from shared.odp import OdpValidator

    if deps.settings.odp_schema_dir is None:
        raise RuntimeError("BOPS_ODP_SCHEMA_DIR is not set: intake cannot validate ODP submissions")
    return IntakeService(
        deps.event_store, deps.documents, deps.clock, OdpValidator(deps.settings.odp_schema_dir), deps.council_settings
    )


def caller() -> tuple[str, set[str], Actor]:
    """The council, scopes and identity the authorizer put in the request context."""
    context = app.current_event.request_context.authorizer or {}
    council = context.get("council")
    if not council:
        raise Forbidden("This API needs an API key")
    actor = Actor(kind="api_client", id=str(context.get("key_id", "")), display_name=str(context.get("key_name", "")))
    return str(council), set(str(context.get("scopes", "")).split()), actor


def require(scope: str) -> tuple[str, Actor]:
    council, scopes, actor = caller()
    if scope not in scopes:
        raise Forbidden(f"This API key lacks the {scope} scope")
    return council, actor


def links(reference: str) -> dict[str, str]:
    return {"self": f"{COLLECTION}/{reference}"}


@app.post(
    COLLECTION,
    summary="Submit a planning application",
    description="Takes an ODP `application`, `prototypeApplication` or `preApplication` submission. The same "
    "`metadata.id` with the same body returns the existing application (200); with another body, 409.",
    responses={
        201: {"description": "Application created"},
        200: {"description": "This submission was already received: the existing application"},
        400: {"description": "Malformed JSON"},
        401: {"description": "No, unknown or revoked API key"},
        403: {"description": "Missing scope, or metadata.organisation is not the key's council"},
        409: {"description": "The same metadata.id was received with different content"},
        413: {"description": "Body over the size limit"},
        415: {"description": "Not application/json"},
        422: {"description": "Schema violations, as a list of {path, message}"},
    },
    tags=["Planning applications"],
)
def submit_application():
    from shared.wiring import dependencies

    council, actor = require("planning_application:write")
    event = app.current_event
    content_type = (event.headers.get("content-type") or event.headers.get("Content-Type") or "").split(";")[0]
    if content_type.strip().lower() != "application/json":
        raise UnsupportedMediaType(f"Content-Type must be application/json, not {content_type or 'missing'!r}")
    body = event.decoded_body.encode("utf-8") if event.decoded_body else b""
    limit = dependencies().settings.max_body_bytes
    if len(body) > limit:
        raise PayloadTooLarge(f"The body is {len(body)} bytes; the limit is {limit}")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise MalformedRequest(f"The body is not valid JSON: {error}") from None
    accepted = intake().submit(council, body, payload, actor)
    count("ApplicationsReceived" if accepted.created else "SubmissionsRepeated")
    answer = {
        "id": accepted.reference,
        "reference": accepted.reference,
        "fullReference": accepted.full_reference,
        "message": "Application created" if accepted.created else "Application already received",
        "links": links(accepted.reference),
    }
    return Response(
        201 if accepted.created else 200,
        content_types.APPLICATION_JSON,
        answer,
        headers={"Location": links(accepted.reference)["self"]},
    )


@app.get(
    f"{COLLECTION}/<reference>",
    summary="The council's full record of one application",
    responses={200: {"description": "The application"}, 404: {"description": "No such application"}},
    tags=["Planning applications"],
)
def show_application(reference: str) -> dict[str, Any]:
    from services.intake.records import application_record
    from shared.wiring import dependencies

    council, _ = require("planning_application:read")
    if reference.startswith(f"{council}-"):
        reference = reference[len(council) + 1 :]
    deps = dependencies()
    record = application_record(deps.event_store, deps.documents, council, reference)
    if record is None:
        raise NotFound(f"No application {reference} for council {council}")
    return {**record, "links": links(reference)}


@app.get("/api/v2/openapi.json", include_in_schema=False)
def openapi():
    return Response(200, content_types.APPLICATION_JSON, openapi_document())


@app.get("/api/v2/docs", include_in_schema=False)
def docs():
    from services.intake.docs_page import render

    return Response(200, "text/html; charset=utf-8", render(json.loads(openapi_document()), TITLE))


@cache
def openapi_document() -> str:
    return app.get_openapi_json_schema(
        title=TITLE,
        version="2",
        description="Councils' online services (PlanX) submit Open Digital Planning applications. "
        "Authenticate with `Authorization: Bearer <API key>`.",
    )


@app.exception_handler(IntakeRefusal)
def refused(error: IntakeRefusal) -> Response:
    logger.info("refused", extra={"status": error.status, "reason": error.message})
    count("RequestsRefused")
    return Response(error.status, content_types.APPLICATION_JSON, error.body())


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
