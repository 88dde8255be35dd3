"""The intake API (Powertools resolver behind API Gateway, and behind `bops serve`): a thin handler.

`POST /api/v2/planning_applications` takes an ODP submission; `GET /api/v2/planning_applications/{reference}` returns
the council's own record. API keys are checked by the authorizer; the council and scopes arrive in the request context.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

from collections.abc import Mapping  # noqa: E402
from functools import cache  # noqa: E402
from importlib import resources  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from aws_lambda_powertools.event_handler import content_types  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response  # noqa: E402

from events import Actor  # noqa: E402
from services.intake import READ_SCOPE, WRITE_SCOPE  # noqa: E402
from services.intake.body import parse_json, raw_body  # noqa: E402
from services.intake.errors import (  # noqa: E402
    Forbidden,
    IntakeRefusal,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
)
from shared.observability import count, logger, observed  # noqa: E402

if TYPE_CHECKING:  # the service and the adapters are built on the first request, not at import (cold starts)
    from services.intake.accept import IntakeService
    from shared.wiring import Dependencies

app = APIGatewayRestResolver()
COLLECTION = "/api/v2/planning_applications"
TITLE = "BOPS intake API"
DESCRIPTION = """Councils' online services (PlanX) submit Open Digital Planning applications and read them back.

Authenticate with `Authorization: Bearer <API key>`. A key carries **scopes**, and each operation names the one it
needs: `planning_application:write` to submit, `planning_application:read` to read an application back (with the
documents downloaded so far). An online service that submits and then checks its submissions needs both:

    bops api-keys create --council LBH --name PlanX \\
        --scope planning_application:write --scope planning_application:read

A key without an operation's scope gets 403 with the scope it lacks."""
API_KEY = "apiKey"  # the security scheme's name in the OpenAPI document
# Powertools' Swagger UI files, served by this API (no CDN); relative to /api/v2/docs, so that they are found under an
# API Gateway stage's path prefix too.
SWAGGER_PACKAGE = "aws_lambda_powertools.event_handler.openapi.swagger_ui"
SWAGGER_JS, SWAGGER_CSS = "swagger-ui-bundle.min.js", "swagger-ui.min.css"
ASSETS = "docs/assets"
ASSET_TYPES = {SWAGGER_JS: "text/javascript; charset=utf-8", SWAGGER_CSS: "text/css; charset=utf-8"}


def security(scope: str) -> list[dict[str, list[str]]]:
    """The operation's security requirement: the API key with the scope its route is declared with (the same name:
    the declaration is not imported here, so a cold start never defines the declarations)."""
    return [{API_KEY: [scope]}]


def intake() -> IntakeService:
    from shared.wiring import dependencies

    return dependencies().memo("intake", build_intake)


def build_intake(deps: Dependencies) -> IntakeService:
    from services.intake.accept import IntakeService
    from shared.odp import OdpValidator

    schema_dir = deps.settings.odp_schema_dir
    if schema_dir is None or not schema_dir.is_dir():
        where = f"expected at {schema_dir}" if schema_dir else "BOPS_ODP_SCHEMA_DIR is not set"
        raise ServiceUnavailable(f"Intake cannot validate ODP submissions: its schemas are missing ({where})")
    return IntakeService(
        deps.event_store, deps.documents, deps.clock, OdpValidator(deps.settings.odp_schema_dir), deps.council_settings
    )


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients, the service and every compiled ODP schema of the first request."""
    service = intake()
    service.validator.compile_all()


def caller() -> tuple[str, set[str], Actor]:
    """The council, scopes and identity the authorizer put in the request context."""
    context: Mapping[str, Any] = app.current_event.request_context.authorizer or {}
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
    security=security(WRITE_SCOPE),
)
def submit_application():
    from shared.wiring import dependencies

    council, actor = require(WRITE_SCOPE)
    event = app.current_event
    content_type = (event.headers.get("content-type") or event.headers.get("Content-Type") or "").split(";")[0]
    if content_type.strip().lower() != "application/json":
        raise UnsupportedMediaType(f"Content-Type must be application/json, not {content_type or 'missing'!r}")
    body = raw_body(event.body, bool(event.is_base64_encoded))
    limit = dependencies().settings.max_body_bytes
    if len(body) > limit:
        raise PayloadTooLarge(f"The body is {len(body)} bytes; the limit is {limit}")
    payload = parse_json(body)
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
    responses={
        200: {"description": "The application, with the documents received and the files that failed"},
        401: {"description": "No, unknown or revoked API key"},
        403: {"description": "The key lacks the planning_application:read scope"},
        404: {"description": "No such application"},
    },
    tags=["Planning applications"],
    security=security(READ_SCOPE),
)
def show_application(reference: str) -> dict[str, Any]:
    from services.intake.records import application_record
    from shared.wiring import dependencies

    council, _ = require(READ_SCOPE)
    if reference.startswith(f"{council}-"):
        reference = reference[len(council) + 1 :]
    deps = dependencies()
    record = application_record(deps.event_store, deps.documents, council, reference)
    if record is None:
        raise NotFound(f"No application {reference} for council {council}")
    return {**record, "links": links(reference)}


# The API reference. Built on first request, not at import: the OpenAPI models cost a submission's cold start ~50 ms.
@app.get("/api/v2/docs", include_in_schema=False)
def docs():
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    if (app.current_event.query_string_parameters or {}).get("format") == "json":  # the page's own link to its spec
        return openapi()
    spec = openapi_document().replace("</", "<\\/")  # as Powertools embeds it: no `</script>` inside the script
    page = generate_swagger_html(spec, f"{ASSETS}/{SWAGGER_JS}", f"{ASSETS}/{SWAGGER_CSS}", ASSETS, None)
    return Response(
        200, "text/html; charset=utf-8", page.replace("<title>Swagger UI</title>", f"<title>{TITLE}</title>")
    )


@app.get("/api/v2/docs/assets/<asset>", include_in_schema=False)
def swagger_asset(asset: str):
    if asset not in ASSET_TYPES:
        raise NotFound(f"No asset {asset}")
    body = (resources.files(SWAGGER_PACKAGE) / asset).read_text(encoding="utf-8")
    return Response(200, ASSET_TYPES[asset], body, headers={"Cache-Control": "public, max-age=86400"})


@app.get("/api/v2/openapi.json", include_in_schema=False)
def openapi():
    return Response(200, content_types.APPLICATION_JSON, openapi_document())


@cache
def openapi_document() -> str:
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    bearer = HTTPBearer(
        bearerFormat="bops_<key id>_<secret>",
        description="A council's API key (`bops api-keys create`), sent as `Authorization: Bearer <key>`. "
        "Its scopes decide which operations it may call.",
    )
    return app.get_openapi_json_schema(
        title=TITLE, version="2", description=DESCRIPTION, security_schemes={API_KEY: bearer}
    )


@app.exception_handler(IntakeRefusal)
def refused(error: IntakeRefusal) -> Response:
    logger.info("refused", extra={"status": error.status, "reason": error.message})
    count("RequestsRefused")
    return Response(error.status, content_types.APPLICATION_JSON, error.body())


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
