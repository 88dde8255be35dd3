"""The BOPS-compatible public API (Powertools resolver behind API Gateway, and behind `bops serve`): a thin handler.

No authentication (a bearer key some registers send is ignored), CORS for GET, cache headers. The council is the one
the `x-client` header or the `council` query parameter names (slug or code), else every council served. Unknown
reference → 404, bad parameters → 400 with every reason, both as `{"error": {"code", "message", "reasons"}}`.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

from functools import cache  # noqa: E402
from importlib import resources  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

import orjson  # noqa: E402
from aws_lambda_powertools.event_handler import content_types  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import (  # noqa: E402
    APIGatewayRestResolver,
    CORSConfig,
    Response,
)

from services.publication import PUBLIC_FILE_CACHE, VARY_BY_COUNCIL  # noqa: E402
from services.publication.bops_v2 import APPLICATIONS, PUBLIC_V2, params, render  # noqa: E402
from services.publication.councils import UnknownCouncil, public_base_url, requested_councils  # noqa: E402
from services.publication.parameters import path_parameter  # noqa: E402
from services.publication.read_model.port import PublicSearch, councils_only  # noqa: E402
from shared.documents.port import DocumentNotFound  # noqa: E402
from shared.observability import count, logger, observed  # noqa: E402

if TYPE_CHECKING:
    from services.publication.read_model.port import PublicRegister
    from services.publication.record import PublicApplication
    from shared.wiring import Dependencies

CACHE_OK = "public, max-age=60"
CACHE_FILE = PUBLIC_FILE_CACHE  # a file or the decision notice (withdrawable), or a redirect to one
CACHE_REFERENCE = "public, max-age=300"  # the API's own description (OpenAPI, docs page)
CACHE_ERROR = "no-store"
# A file or the decision notice is never an active page of this origin (the officers' console's, embedded): scripts
# sandboxed away, as every other face serves documents (the notice's inline styles still apply).
DOCUMENT_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
}
TITLE = "BOPS-compatible public planning API"
SWAGGER_PACKAGE = "aws_lambda_powertools.event_handler.openapi.swagger_ui"
SWAGGER_JS, SWAGGER_CSS = "swagger-ui-bundle.min.js", "swagger-ui.min.css"
ASSET_TYPES = {SWAGGER_JS: "text/javascript; charset=utf-8", SWAGGER_CSS: "text/css; charset=utf-8"}

app = APIGatewayRestResolver(
    cors=CORSConfig(allow_origin="*", allow_headers=["x-client", "Authorization"], max_age=600),
)


class PublicRefusal(Exception):
    def __init__(self, status: int, message: str, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.reasons = status, message, reasons or [message]


def dependencies() -> Dependencies:
    from shared.wiring import dependencies

    return dependencies()


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients and the register."""
    register()


def register() -> PublicRegister:
    from services.publication.read_model.wiring import public_register

    return public_register(dependencies())


def query() -> tuple[dict[str, str], dict[str, list[str]]]:
    event = app.current_event
    return dict(event.query_string_parameters or {}), dict(event.multi_value_query_string_parameters or {})


def councils() -> frozenset[str]:
    """The councils the request names (x-client or council; empty: every council); 404 for one not served here."""
    event = app.current_event
    try:
        return requested_councils(dependencies(), event.headers, event.query_string_parameters)
    except UnknownCouncil as error:
        raise PublicRefusal(404, f"No council {str(error)[:63]!r} is served here") from None


def base_url(council: str) -> str:
    """The council's public base URL (its links are absolute, as BOPS's are), as the register keeps it."""
    return public_base_url(dependencies(), council, app.current_event.raw_event.get("requestContext"))


def path_value(name: str, matched: str) -> str:
    """A path parameter percent-decoded, as API Gateway gives it (`parameters.path_parameter`)."""
    return path_parameter(app.current_event.path_parameters, name, matched)


def json_response(body: Any, cache_control: str = CACHE_OK) -> Response:
    return Response(
        200,
        content_types.APPLICATION_JSON,
        orjson.dumps(body).decode("utf-8"),
        headers={**VARY_BY_COUNCIL, "Cache-Control": cache_control},
    )


def application(reference: str) -> PublicApplication:
    """The published application with this reference (or full reference, `<council>-<reference>`) in the councils
    the request is about; 404 if there is none."""
    reference = path_value("reference", reference)
    chosen = councils()
    wanted = reference.strip().upper()
    candidates = [(chosen, wanted)]
    council, _, rest = wanted.partition("-")
    if rest and (not chosen or council in chosen) and not council.isdigit():
        candidates.insert(0, (frozenset({council}), rest))
    if len(wanted) <= 100:
        for scope, ref in candidates:
            found = register().find(ref, scope)
            if found:
                return found[0]
    raise PublicRefusal(404, f"No published planning application {reference[:100]!r}")


@app.get(f"{APPLICATIONS}/search")
def search() -> Response:
    chosen = councils()
    single, multi = query()
    try:
        wanted, page = params.search_query(single, multi, chosen)
    except params.BadParameters as error:
        raise PublicRefusal(400, "Bad query parameters", error.reasons) from None
    store = register()
    found = store.search(wanted)
    available = found.total if councils_only(wanted) else store.search(PublicSearch(councils=chosen, limit=0)).total
    body = render.search(
        found.applications,
        {council: base_url(council) for council in {record.council for record in found.applications}},
        page=page.page,
        results_per_page=page.results_per_page,
        total=found.total,
        available=available,
    )
    count("PublicSearches")
    return json_response(body)


@app.get(f"{APPLICATIONS}/<reference>")
def show(reference: str) -> Response:
    record = application(reference)
    return json_response(render.show(record, base_url(record.council)))


@app.get(f"{APPLICATIONS}/<reference>/documents")
def documents(reference: str) -> Response:
    _page()  # registers send page=1&resultsPerPage=1: checked, and (as BOPS does) not paged
    record = application(reference)
    return json_response(render.documents(record, base_url(record.council)))


@app.get(f"{APPLICATIONS}/<reference>/documents/<document_id>")
def document_file(reference: str, document_id: str) -> Response:
    record = application(reference)
    document_id = path_value("document_id", document_id)
    document = record.document(document_id)
    if document is None:
        raise PublicRefusal(404, f"No public document {document_id[:100]!r} of {record.reference}")
    from shared.documents.port import temporary_link

    link = temporary_link(
        dependencies().documents, document.key, file_name=document.name, content_type=document.content_type
    )
    if link is not None:  # on AWS the file comes from S3 (a Lambda answer holds at most 6 MB)
        return Response(302, None, "", headers={**VARY_BY_COUNCIL, "Location": link, "Cache-Control": CACHE_FILE})
    content = dependencies().documents.get(document.key)
    from shared.documents.port import inline_disposition

    disposition = inline_disposition(document.name)
    headers = {**VARY_BY_COUNCIL, **DOCUMENT_HEADERS, "Cache-Control": CACHE_FILE, "Content-Disposition": disposition}
    return Response(200, document.content_type, content, headers=headers)


@app.get(f"{APPLICATIONS}/<reference>/decision_notice")
def decision_notice(reference: str) -> Response:
    record = application(reference)
    notice = record.decision_notice
    if notice is None:
        raise PublicRefusal(404, f"{record.reference} has no decision notice")
    content = dependencies().documents.get(notice.key)
    headers = {**VARY_BY_COUNCIL, **DOCUMENT_HEADERS, "Cache-Control": CACHE_FILE}
    if notice.content_type.startswith("text/html"):
        return Response(200, "text/html; charset=utf-8", content.decode("utf-8"), headers=headers)
    return Response(200, notice.content_type, content, headers=headers)


@app.get(f"{APPLICATIONS}/<reference>/submission")
def submission(reference: str) -> Response:
    from services.publication.bops_v2.submission import public_submission

    record = application(reference)
    data = None
    if record.original is not None:
        data = public_submission(
            record.original.payload_key,
            dependencies().documents,
            names=record.applicant_name is not None or record.agent_company is not None,
            boundary=record.boundary,
        )
    return json_response(render.submission(record, base_url(record.council), data))


@app.get(f"{APPLICATIONS}/<reference>/comments/public")
def public_comments(reference: str) -> Response:
    page = _page()
    application(reference)
    return json_response(render.public_comments(page.page, page.results_per_page))


@app.get(f"{APPLICATIONS}/<reference>/comments/specialist")
def specialist_comments(reference: str) -> Response:
    page = _page()
    application(reference)
    return json_response(render.specialist_comments(page.page, page.results_per_page))


@app.get(f"{PUBLIC_V2}/application_types")
def application_types() -> Response:
    from shared.odp.catalogue import APPLICATION_TYPES

    chosen = councils()
    settings = dependencies().council_settings(next(iter(chosen))) if len(chosen) == 1 else None  # else the defaults
    rows = (
        (code, kind.name, settings.reference_suffix(code) if settings else kind.default_suffix)
        for code, kind in APPLICATION_TYPES.items()
    )
    return json_response(render.application_types(rows), "public, max-age=3600")


@app.get(f"{PUBLIC_V2}/openapi.json")
def openapi() -> Response:
    return Response(200, content_types.APPLICATION_JSON, openapi_document(), headers={"Cache-Control": CACHE_REFERENCE})


@app.get(f"{PUBLIC_V2}/docs")
def docs() -> Response:
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    spec = openapi_document().replace("</", "<\\/")  # as Powertools embeds it: no `</script>` inside the script
    assets = "docs/assets"  # relative to /api/v2/public/docs: found under an API Gateway stage's prefix too
    page = generate_swagger_html(spec, f"{assets}/{SWAGGER_JS}", f"{assets}/{SWAGGER_CSS}", assets, None)
    page = page.replace("<title>Swagger UI</title>", f"<title>{TITLE}</title>")
    return Response(200, "text/html; charset=utf-8", page, headers={"Cache-Control": CACHE_REFERENCE})


@app.get(f"{PUBLIC_V2}/docs/assets/<asset>")
def swagger_asset(asset: str) -> Response:
    if asset not in ASSET_TYPES:
        raise PublicRefusal(404, f"No asset {asset[:100]!r}")
    body = (resources.files(SWAGGER_PACKAGE) / asset).read_text(encoding="utf-8")
    return Response(200, ASSET_TYPES[asset], body, headers={"Cache-Control": "public, max-age=86400"})


@cache
def openapi_document() -> str:
    from services.publication.bops_v2.openapi import document

    return document()


@app.exception_handler(PublicRefusal)
def refused(error: PublicRefusal) -> Response:
    logger.info("refused", extra={"status": error.status, "reason": error.message})
    count("PublicRequestsRefused")
    body = {"error": {"code": error.status, "message": error.message, "reasons": error.reasons}}
    return Response(
        error.status,
        content_types.APPLICATION_JSON,
        orjson.dumps(body).decode("utf-8"),
        headers={**VARY_BY_COUNCIL, "Cache-Control": CACHE_ERROR},
    )


@app.exception_handler(DocumentNotFound)
def file_missing(_: DocumentNotFound) -> Response:
    return refused(PublicRefusal(404, "The file is not available"))


@app.not_found
def not_found(_: Exception) -> Response:
    return refused(PublicRefusal(404, "No such resource"))


def _page() -> params.Page:
    try:
        return params.listing_page(*query())
    except params.BadParameters as error:
        raise PublicRefusal(400, "Bad query parameters", error.reasons) from None


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
