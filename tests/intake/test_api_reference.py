"""The intake API's reference: an OpenAPI document that declares its bearer scheme and each operation's scopes, and
Swagger UI with its files served by the API itself."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from aws_lambda_powertools.event_handler.openapi import swagger_ui

from services.intake.declaration import SERVICE
from tests.intake.support import auth, create_council, example_paths, prepared

COLLECTION = "/api/v2/planning_applications"
SCOPED_ROUTES = [route for function in SERVICE.http for route in function.routes if route.auth == "api_key"]


@pytest.fixture
def document(runtime):
    status, _, body = runtime.client.request("GET", "/api/v2/openapi.json")
    assert status == 200
    return body


def test_the_document_declares_the_bearer_scheme(document):
    assert document["components"]["securitySchemes"]["apiKey"]["type"] == "http"
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert "planning_application:read" in document["info"]["description"]
    assert "planning_application:write" in document["info"]["description"]


@pytest.mark.parametrize("route", SCOPED_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_each_operation_names_the_scopes_its_route_is_declared_with(document, route):
    operation = document["paths"][route.path][route.method.lower()]
    assert operation["security"] == [{"apiKey": list(route.scopes)}]


def test_the_reference_names_the_scope_a_write_only_key_lacks_to_read_back(runtime, document):
    key = create_council(runtime, "TST", scopes=("planning_application:write",))
    status, _, created = runtime.client.request(
        "POST", COLLECTION, prepared(example_paths()[0], "TST", None), auth(key)
    )
    assert status == 201
    status = runtime.client.request("GET", f"{COLLECTION}/{created['reference']}", headers=auth(key))[0]
    assert status == 403  # denied by the authorizer, as API Gateway does, before the handler runs
    read = document["paths"][COLLECTION + "/{reference}"]["get"]
    assert read["security"] == [{"apiKey": ["planning_application:read"]}]
    assert "403" in read["responses"]


def test_the_docs_are_swagger_ui_with_its_files_served_here(runtime):
    status, headers, page = runtime.client.request("GET", "/api/v2/docs")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = page.decode()
    assets = re.findall(r"(?:src|href)='([^']+)'", html)
    assert len(assets) == 2 and not any(urllib.parse.urlsplit(a).netloc for a in assets)  # nothing from elsewhere
    assert "planning_application:read" in html  # the document is embedded, scopes included
    for asset in assets:
        path = urllib.parse.urljoin("/api/v2/docs", asset)
        status, headers, body = runtime.client.request("GET", path)
        assert status == 200, path
        assert body == (Path(swagger_ui.__file__).parent / Path(path).name).read_bytes()
        assert headers["Content-Type"].startswith(("text/javascript", "text/css"))


def test_the_docs_page_links_its_document(runtime, document):
    assert runtime.client.request("GET", "/api/v2/docs?format=json")[2] == document


def test_only_the_swagger_files_are_served(runtime):
    for name in ("html.py", "__init__.py", "..%2F..%2Fapi_gateway.py"):
        assert runtime.client.request("GET", f"/api/v2/docs/assets/{name}")[0] == 404
