"""The ODP public API (`/api/@next/public/...`): what Open Digital Planning registers read (public routes).

Every answer is ODP's envelope `{"data", "pagination", "status": {"code", "message"}}`; lists' pagination is
`{resultsPerPage, currentPage, totalPages, totalResults, totalAvailableItems}` (one item's: all ones); a refusal has
`data: null`, `pagination: null` and the reasons in `status.detail` (400 for bad parameters, 404 for an unknown
application, document or council). A register names the council by its slug in the `x-client` header (or the
`council` query parameter, slug or code); without either every council this instance serves is searched.

On API Gateway the `@next` segment is a path variable (it allows no `@` in a path part: `cdk/http_api.py`); the
resolver routes on the real path, so any other version is 404. Answers are cacheable for a minute
(`Cache-Control`), and readable from any web page (CORS for GET, the `x-client` header allowed).
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

import math  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from datetime import date  # noqa: E402
from functools import cache  # noqa: E402
from importlib import resources  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

import orjson  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, CORSConfig, Response  # noqa: E402

from services.publication import PUBLIC_FILE_CACHE, VARY_BY_COUNCIL  # noqa: E402
from services.publication.odp.parameters import BadParameters, Page, reader  # noqa: E402
from shared.observability import observed  # noqa: E402

if TYPE_CHECKING:
    from services.publication.odp.builder import Links
    from services.publication.odp.submissions import PublicSubmissions
    from services.publication.read_model.port import PublicRegister
    from services.publication.record import PublicApplication
    from shared.wiring import Dependencies

ODP = "/api/@next/public"
APPLICATIONS = f"{ODP}/applications"
APPLICATION = f"{APPLICATIONS}/<reference>"
CACHE_CONTROL = "public, max-age=60"
# Public data: every answer may be read by any page, whether or not the request said where it came from (a shared
# cache may hand an answer given to one request to another), and each answer depends on the council x-client names.
CORS = {"Access-Control-Allow-Origin": "*", **VARY_BY_COUNCIL}
DOCUMENT_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
}
SWAGGER_PACKAGE = "aws_lambda_powertools.event_handler.openapi.swagger_ui"
SWAGGER_JS, SWAGGER_CSS = "swagger-ui-bundle.min.js", "swagger-ui.min.css"
ASSET_TYPES = {SWAGGER_JS: "text/javascript; charset=utf-8", SWAGGER_CSS: "text/css; charset=utf-8"}

app = APIGatewayRestResolver(
    cors=CORSConfig(allow_origin="*", allow_headers=["x-client"], max_age=600), enable_validation=False
)


class Refusal(Exception):
    """An answer other than 200: its status code, message and reasons."""

    def __init__(self, code: int, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.errors = code, message, errors or []


MESSAGES = {400: "Bad Request", 404: "Not Found", 503: "Service Unavailable"}


def envelope(data: Any, pagination: dict[str, int] | None, code: int = 200, message: str = "OK") -> Response:
    body = {"data": data, "pagination": pagination, "status": {"code": code, "message": message}}
    return Response(
        code,
        "application/json",
        orjson.dumps(body).decode("utf-8"),
        headers={**CORS, "Cache-Control": CACHE_CONTROL if code == 200 else "no-store"},
    )


@app.exception_handler(Refusal)
def refused(error: Refusal) -> Response:
    status: dict[str, Any] = {"code": error.code, "message": f"{MESSAGES.get(error.code, 'Error')}: {error.message}"}
    if error.errors:
        status["detail"] = error.errors
    body = {"data": None, "pagination": None, "status": status}
    return Response(
        error.code,
        "application/json",
        orjson.dumps(body).decode("utf-8"),
        headers={**CORS, "Cache-Control": "no-store"},
    )


@app.not_found
def not_found(_: Exception) -> Response:
    return refused(Refusal(404, f"no route {app.current_event.path}"))


@app.exception_handler(BadParameters)
def bad_parameters(error: BadParameters) -> Response:
    return refused(Refusal(400, "the query parameters are not valid", error.errors))


def pagination(page: Page, total: int, available: int) -> dict[str, int]:
    pages = math.ceil(total / page.per_page) if page.per_page else 0
    return {
        "resultsPerPage": page.per_page,
        "currentPage": page.number,
        "totalPages": pages,
        "totalResults": total,
        "totalAvailableItems": available,
    }


ONE = {"resultsPerPage": 1, "currentPage": 1, "totalPages": 1, "totalResults": 1, "totalAvailableItems": 1}


# Wiring, built on first use.


def _deps() -> Dependencies:
    from shared.wiring import dependencies

    return dependencies()


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients, the register and what a search's answer is built with."""
    from services.publication.odp import builder as _builder  # noqa: F401
    from services.publication.odp.parameters import application_search as _search  # noqa: F401

    register()
    file_types()


def register() -> PublicRegister:
    from services.publication.read_model.wiring import public_register

    return public_register(_deps())


def schema_dir() -> Any:
    found = _deps().settings.odp_schema_dir
    if found is None or not found.is_dir():
        raise Refusal(503, "the ODP schemas are missing, so no ODP document can be built")
    return found


def submissions() -> PublicSubmissions:
    from services.publication.odp.submissions import PublicSubmissions

    return _deps().memo("odp-public-submissions", lambda d: PublicSubmissions(d.documents, schema_dir()))


def file_types() -> frozenset[str]:
    from shared.odp.published import file_type_codes

    return file_type_codes(schema_dir())


def links(records: Iterable[PublicApplication]) -> Links:
    """The links of these records' councils, from each council's public base URL as the BOPS face's (a request's
    Host header named another site in answers cached publicly for a minute)."""
    from services.publication.councils import public_base_url
    from services.publication.odp.builder import Links

    gateway = app.current_event.raw_event.get("requestContext")
    return Links({code: public_base_url(_deps(), code, gateway) for code in {record.council for record in records}})


def councils() -> frozenset[str]:
    from services.publication.councils import UnknownCouncil, requested_councils

    event = app.current_event
    try:
        return requested_councils(_deps(), event.headers, event.query_string_parameters)
    except UnknownCouncil as error:
        raise Refusal(404, f"no council {error.args[0]!r} is served here") from None


def query_reader() -> Any:
    event = app.current_event
    return reader(event.query_string_parameters, event.multi_value_query_string_parameters)


def today() -> date:
    """Today in London (the consultation stage is a matter of London days)."""
    from zoneinfo import ZoneInfo

    return _deps().clock.now().astimezone(ZoneInfo("Europe/London")).date()


def odp_document(record: PublicApplication, where: Links) -> dict[str, Any]:
    from services.publication.odp.builder import published_application, submission_files

    kinds = file_types() if record.documents else frozenset()  # only documents' tags are matched against them
    files = submission_files(record, where, kinds)
    if record.submission is not None:  # made once by the projection: only the links to the files are the request's
        submission = {**record.submission, "files": files}
    else:
        submission = submissions().public(record, files)
    return published_application(
        record, submission, links=where, file_types=kinds, generated_at=_deps().clock.now(), today=today()
    )


def path_value(name: str, matched: str) -> str:
    """A path parameter percent-decoded, as API Gateway gives it (`parameters.path_parameter`)."""
    from services.publication.parameters import path_parameter

    return path_parameter(app.current_event.path_parameters, name, matched)


def application_of(reference: str) -> PublicApplication:
    from services.publication.read_model.port import normalise_reference

    reference = path_value("reference", reference)
    found = register().find(normalise_reference(reference), councils())
    if not found:
        raise Refusal(404, f"no published application {reference}")
    if len(found) > 1:
        named = ", ".join(sorted(record.council for record in found))
        raise Refusal(400, f"{reference} is an application of several councils ({named}): name one with x-client")
    return found[0]


# The routes.


@app.get(APPLICATIONS)
def applications() -> Response:
    from services.publication.odp.parameters import application_search
    from services.publication.read_model.port import PublicSearch, councils_only

    served = councils()
    search, page = application_search(query_reader(), served)
    found = register().search(search)
    if councils_only(search) and search.councils == served:  # every application of the councils: the same count
        available = found.total
    else:
        available = register().search(PublicSearch(councils=served, limit=0)).total
    where = links(found.applications)
    data = [odp_document(record, where) for record in found.applications]
    return envelope(data, pagination(page, found.total, available))


@app.get(APPLICATION)
def application(reference: str) -> Response:
    record = application_of(reference)
    return envelope(odp_document(record, links([record])), ONE)


def _files(record: PublicApplication) -> list[dict[str, Any]]:
    from services.publication.odp.builder import file_records

    return file_records(record, links([record]), file_types(), with_url=True)


@app.get(f"{APPLICATION}/documents")
def documents(reference: str) -> Response:
    from services.publication.odp.parameters import document_query

    record = application_of(reference)
    query = document_query(query_reader(), file_types())
    files = _files(record)
    kept = [file for file in files if query.matches(file)]
    if query.sort_by == "name":
        kept.sort(key=lambda file: str(file["name"]).lower(), reverse=query.order == "desc")
    else:
        kept.sort(key=lambda file: str(file["metadata"].get("publishedAt") or ""), reverse=query.order == "desc")
    page = query.page
    shown = kept[page.offset : page.offset + page.per_page]
    return envelope(shown, pagination(page, len(kept), len(files)))


def _document(record: PublicApplication, document_id: str) -> tuple[dict[str, Any], str, str]:
    """The file record, the document store key and the content type of one public file of the application."""
    from services.publication.odp.builder import odp_file_id, public_notice

    document_id = path_value("document_id", document_id)
    candidates = [(d.id, d.key, d.content_type) for d in record.documents]
    notice = public_notice(record)
    if notice is not None:
        candidates.append((notice.document_id, notice.key, notice.content_type))
    for our_id, key, content_type in candidates:
        if document_id in (our_id, str(odp_file_id(our_id))):
            [file] = [f for f in _files(record) if f["id"] == odp_file_id(our_id)]
            return file, key, content_type
    raise Refusal(404, f"no public document {document_id} of application {record.reference}")


@app.get(f"{APPLICATION}/documents/<document_id>")
def document(reference: str, document_id: str) -> Response:
    record = application_of(reference)
    return envelope(_document(record, document_id)[0], ONE)


@app.get(f"{APPLICATION}/documents/<document_id>/file")
def document_file(reference: str, document_id: str):  # no annotation: Powertools would model it
    from shared.documents import DocumentNotFound
    from shared.documents.port import inline_disposition, temporary_link

    record = application_of(reference)
    file, key, content_type = _document(record, document_id)
    link = temporary_link(_deps().documents, key, file_name=str(file["name"]), content_type=content_type)
    if link is not None:  # on AWS the file comes from S3 (a Lambda answer holds at most 6 MB)
        return Response(302, None, "", headers={**CORS, "Location": link, "Cache-Control": PUBLIC_FILE_CACHE})
    try:
        content = _deps().documents.get(key)
    except DocumentNotFound:
        raise Refusal(404, f"the file of document {document_id} is not available") from None
    headers = {
        **DOCUMENT_HEADERS,
        **CORS,
        "Cache-Control": PUBLIC_FILE_CACHE,
        "Content-Disposition": inline_disposition(str(file["name"])),
    }
    return Response(200, content_type, content, headers=headers)


def _comments(reference: str, kind: str) -> Response:
    from services.publication.odp.builder import empty_comments
    from services.publication.odp.parameters import comments_page

    application_of(reference)
    page = comments_page(query_reader())
    return envelope(empty_comments()[kind], pagination(page, 0, 0))


@app.get(f"{APPLICATION}/publicComments")
def public_comments(reference: str) -> Response:
    return _comments(reference, "public")


@app.get(f"{APPLICATION}/specialistComments")
def specialist_comments(reference: str) -> Response:
    return _comments(reference, "specialist")


@app.get(f"{APPLICATION}/specialistComments/<specialist_id>")
def specialist(reference: str, specialist_id: str) -> Response:
    """One specialist's comments: consultation is not recorded yet, so no specialist has commented on any
    application, and every id is unknown (404, as an unknown document is), never an empty 200 that says it exists."""
    record = application_of(reference)
    specialist_id = path_value("specialist_id", specialist_id)
    raise Refusal(404, f"no specialist {specialist_id[:100]!r} has commented on application {record.reference}")


# The API reference.


@app.get(f"{ODP}/openapi.json")
def openapi() -> Response:
    return Response(200, "application/json", openapi_document(), headers={"Cache-Control": "public, max-age=3600"})


@app.get(f"{ODP}/docs")
def docs() -> Response:
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    from services.publication.odp.openapi import TITLE

    spec = openapi_document().replace("</", "<\\/")
    assets = "docs/assets"
    page = generate_swagger_html(spec, f"{assets}/{SWAGGER_JS}", f"{assets}/{SWAGGER_CSS}", assets, None)
    return Response(
        200, "text/html; charset=utf-8", page.replace("<title>Swagger UI</title>", f"<title>{TITLE}</title>")
    )


@app.get(f"{ODP}/docs/assets/<asset>")
def swagger_asset(asset: str) -> Response:
    if asset not in ASSET_TYPES:
        raise Refusal(404, f"no asset {asset}")
    body = (resources.files(SWAGGER_PACKAGE) / asset).read_text(encoding="utf-8")
    return Response(200, ASSET_TYPES[asset], body, headers={"Cache-Control": "public, max-age=86400"})


@cache
def openapi_document() -> str:
    from services.publication.odp.openapi import document

    return document()


@observed
def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return app.resolve(event, context)
