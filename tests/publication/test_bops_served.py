"""The BOPS-compatible public API through `bops serve`: search with its filters, paging and council choice, show, the
documents with their files and the decision notice, the submission's public fields, the comments, the application
types, 404 and 400 answers with reasons, CORS and cache headers, and the API's documentation page.

The records are put in the public register directly (the projection that writes them has its own tests); the files
are put in the document store."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest

from services.publication.read_model.wiring import public_register
from shared import wiring
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)
from tests.publication.register_contract import application
from tests.publication.register_contract import determined as determined_application

pytestmark = pytest.mark.slow

V2 = "/api/v2/public"
SEARCH = f"{V2}/planning_applications/search"
SECRET = "ann.applicant.canary@example.com"


def one(reference: str) -> str:
    return f"{V2}/planning_applications/{reference}"


@pytest.fixture
def register(served: Served):  # noqa: F811
    deps = wiring.dependencies()
    store = public_register(deps)
    determined = determined_application(description="Loft conversion with a dormer")
    records = [
        determined,
        *(
            application(n, site=replace(determined.site, address=f"{n} Orchard Road", postcode="EX9 9ZZ"))
            for n in (2, 3)
        ),
        application(4, application_type="ldc.proposed", reference="26-00004-LDCP"),
        application(1, council="LBH", description="A shed"),
    ]
    for record in records:
        assert store.put(record, [])
    deps.documents.put("DEMO/26-00001-HAPP/plan-redacted.pdf", b"%PDF-1.4 redacted", "application/pdf")
    deps.documents.put(
        "DEMO/26-00001-HAPP/notice.html", b"<html><body>Planning permission granted</body></html>", "text/html"
    )
    original = {
        "data": {
            "applicant": {"email": SECRET, "name": {"first": "Ann"}},
            "property": {"address": {"singleLine": "1 Mill Lane", "postcode": "EX1 2AB"}, "region": "London"},
            "proposal": {"description": "Loft conversion with a dormer", "projectType": ["extend.roof.dormer"]},
        },
        "responses": [{"question": "Your phone", "responses": [{"value": "07700 900123"}]}],
        "metadata": {"submittedAt": "2026-03-03T10:00:00Z", "id": "0f0e2a2e-8a4e-4b47-9a49-3b7b1d2e0a11"},
    }
    deps.documents.put("DEMO/26-00001-HAPP/submission.json", orjson.dumps(original), "application/json")
    return served


def get(served: Served, path: str, **headers: str):  # noqa: F811
    return served.client.request("GET", path, headers=headers)


def test_search_pages_filters_and_chooses_the_council(register):
    status, headers, body = get(
        register, f"{SEARCH}?resultsPerPage=2&page=1&sortBy=receivedAt&orderBy=asc", **{"x-client": "demo"}
    )
    assert status == 200, body
    assert [item["application"]["reference"] for item in body["data"]] == ["26-00001-HAPP", "26-00002-HAPP"]
    assert body["pagination"] == {
        "resultsPerPage": 2,
        "currentPage": 1,
        "totalPages": 2,
        "totalResults": 4,
        "totalAvailableItems": 4,
    }
    assert headers["Cache-Control"] == "public, max-age=60"
    everywhere = get(register, SEARCH)[2]
    assert everywhere["pagination"]["totalResults"] == 5  # no council named: every council of the instance
    by_code = get(register, f"{SEARCH}?council=LBH")[2]
    assert [item["application"]["fullReference"] for item in by_code["data"]] == ["LBH-26-00001-HAPP"]
    statuses = get(
        register, f"{SEARCH}?applicationStatus[]=determined&applicationStatus[]=withdrawn", **{"x-client": "demo"}
    )[2]
    assert [item["application"]["status"] for item in statuses["data"]] == ["determined"]
    types = get(register, f"{SEARCH}?applicationType[]=ldc.proposed", **{"x-client": "demo"})[2]
    assert [item["application"]["reference"] for item in types["data"]] == ["26-00004-LDCP"]
    postcode = get(register, f"{SEARCH}?q=ex99zz", **{"x-client": "demo"})[2]
    assert sorted(item["application"]["reference"] for item in postcode["data"]) == ["26-00002-HAPP", "26-00003-HAPP"]
    assert postcode["pagination"]["totalAvailableItems"] == 4
    words = get(register, f"{SEARCH}?q=dormer", **{"x-client": "demo"})[2]
    assert [item["application"]["reference"] for item in words["data"]] == ["26-00001-HAPP"]
    dated = get(register, f"{SEARCH}?receivedAtFrom=2026-03-04&receivedAtTo=2026-03-05", **{"x-client": "demo"})[2]
    assert sorted(item["application"]["reference"] for item in dated["data"]) == ["26-00002-HAPP", "26-00003-HAPP"]


def test_bad_parameters_are_refused_with_every_reason(register):
    status, headers, body = get(
        register,
        f"{SEARCH}?page=0&applicationStatus[]=not_started&applicationType[]=nope&receivedAtFrom=yesterday&sortBy=x",
    )
    assert status == 400
    assert headers["Cache-Control"] == "no-store"
    reasons = body["error"]["reasons"]
    assert len(reasons) == 5, reasons
    assert any("not_started" in reason for reason in reasons)
    assert get(register, f"{one('26-00001-HAPP')}/comments/public?resultsPerPage=abc")[0] == 400
    assert get(register, SEARCH, **{"x-client": "nowhere"})[0] == 404
    capped = get(register, f"{SEARCH}?resultsPerPage=1000")[2]
    assert capped["pagination"]["resultsPerPage"] == 50


def test_show_finds_by_reference_or_full_reference_and_404s_otherwise(register):
    status, _, body = get(register, one("26-00001-HAPP"), **{"x-client": "demo"})
    assert status == 200, body
    assert body["application"]["decision"] == "granted" and body["officer"] == {"name": "Ann Officer"}
    assert body["data"] == {"appeal": None} and body["applicationFee"] is None
    assert get(register, one("LBH-26-00001-HAPP"))[2]["proposal"]["description"] == "A shed"
    assert get(register, one("26-00001-HAPP"), **{"x-client": "hackney"})[2]["application"]["fullReference"] == (
        "LBH-26-00001-HAPP"
    )
    status, _, body = get(register, one("26-99999-HAPP"))
    assert status == 404 and body["error"]["code"] == 404
    assert get(register, one("26-00004-LDCP"), **{"x-client": "hackney"})[0] == 404


def test_documents_files_and_the_decision_notice(register):
    status, _, body = get(
        register, f"{one('26-00001-HAPP')}/documents?page=1&resultsPerPage=1", Authorization="Bearer x"
    )
    assert status == 200, body
    [file] = body["files"]
    path = file["url"].split("://", 1)[1].split("/", 1)[1]
    status, headers, content = get(register, "/" + path)
    assert status == 200 and content == b"%PDF-1.4 redacted"
    assert headers["Content-Type"] == "application/pdf"
    notice = body["decisionNotice"]["url"].split("://", 1)[1].split("/", 1)[1]
    status, headers, html = get(register, "/" + notice)
    assert status == 200 and b"Planning permission granted" in html
    assert headers["Content-Type"].startswith("text/html")
    assert get(register, f"{one('26-00002-HAPP')}/decision_notice", **{"x-client": "demo"})[0] == 404
    assert get(register, f"{one('26-00001-HAPP')}/documents/other", **{"x-client": "demo"})[0] == 404


def test_the_submission_shows_only_whitelisted_fields(register):
    status, _, body = get(register, f"{one('26-00001-HAPP')}/submission", **{"x-client": "demo"})
    assert status == 200, body
    assert body["submission"] == {
        "data": {
            "property": {"address": {"singleLine": "1 Mill Lane", "postcode": "EX1 2AB"}, "region": "London"},
            "proposal": {"description": "Loft conversion with a dormer", "projectType": ["extend.roof.dormer"]},
        },
        "metadata": {"submittedAt": "2026-03-03T10:00:00Z"},
    }
    assert get(register, f"{one('26-00002-HAPP')}/submission", **{"x-client": "demo"})[2]["submission"] is None


def test_comments_types_cors_and_docs(register):
    public = get(register, f"{one('26-00001-HAPP')}/comments/public?page=1&resultsPerPage=10", **{"x-client": "demo"})[
        2
    ]
    assert public["summary"] == {"totalComments": 0, "sentiment": {"supportive": 0, "objection": 0, "neutral": 0}}
    specialist = get(register, f"{one('26-00001-HAPP')}/comments/specialist", **{"x-client": "demo"})[2]
    assert specialist["data"]["comments"] == []
    types = get(register, f"{V2}/application_types", **{"x-client": "demo"})[2]
    assert {
        "code": "pp.full.householder",
        "name": types[[t["code"] for t in types].index("pp.full.householder")]["name"],
        "suffix": "HAPP",
    } in types
    _, headers, _ = get(register, SEARCH, Origin="https://register.example")
    assert headers["Access-Control-Allow-Origin"] == "*"
    preflight = {"Origin": "https://register.example", "Access-Control-Request-Method": "GET"}
    status, headers, _ = register.client.request("OPTIONS", SEARCH, headers=preflight)
    assert status == 204 and "x-client" in headers["Access-Control-Allow-Headers"].lower()
    status, headers, page = get(register, f"{V2}/docs")
    assert status == 200 and b"swagger" in page.lower() and headers["Content-Type"].startswith("text/html")
    assert get(register, f"{V2}/docs/assets/swagger-ui-bundle.min.js")[0] == 200
    spec = get(register, f"{V2}/openapi.json")[2]
    assert f"{V2}/planning_applications/search" in spec["paths"]


def test_every_answer_that_depends_on_the_council_tells_shared_caches_so(register):
    """One URL answers for whichever council `x-client` names (another council's application, a 404 for an unknown
    council), and the answers are `public` for a minute: without `Vary: x-client` a shared cache (a CDN, a proxy)
    hands the answer given for one council to a request naming another. Both faces and the feed."""
    demo = get(register, one("26-00001-HAPP"), **{"x-client": "demo"})[2]
    hackney = get(register, one("26-00001-HAPP"), **{"x-client": "hackney"})[2]
    assert demo["proposal"]["description"] != hackney["proposal"]["description"]  # one URL, two answers
    paths = (
        SEARCH,
        one("26-00001-HAPP"),
        f"{one('26-00001-HAPP')}/documents",
        f"{one('26-00001-HAPP')}/documents/doc-1",
        f"{one('26-00001-HAPP')}/decision_notice",
        f"{one('26-00001-HAPP')}/comments/public",
        one("26-99999-HAPP"),
        f"{V2}/application_types",
        "/api/@next/public/applications?resultsPerPage=1",
        "/api/@next/public/applications/26-99999-HAPP",
        "/api/@next/public/feed",
    )
    for path in paths:
        for council in ("demo", "nowhere"):
            status, headers, _ = get(register, path, **{"x-client": council})
            assert status in (200, 404), (path, council, status)
            varies = [name.strip().lower() for name in (headers.get("Vary") or "").split(",")]
            assert "x-client" in varies, (path, council, status, headers.get("Vary"))


def test_the_feed_answers_the_preflight_of_a_page_that_names_the_council(register):
    """The feed chooses the council by x-client like both faces, and a page's request with that header is preceded by
    a CORS preflight: refused (405), the browser never sends the request."""
    preflight = {
        "Origin": "https://register.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-client",
    }
    status, headers, _ = register.client.request("OPTIONS", "/api/@next/public/feed", headers=preflight)
    assert status == 204, status
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "x-client" in headers["Access-Control-Allow-Headers"].lower()
    assert "GET" in headers["Access-Control-Allow-Methods"]
    status, headers, body = get(
        register, "/api/@next/public/feed", Origin="https://register.example", **{"x-client": "demo"}
    )
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*" and body["status"]["code"] == 200


def test_the_submission_scrubs_contact_details_its_texts_quote_as_the_odp_face_does(register):
    """The description is whitelisted: one that quotes the applicant's own e-mail, or a phone number, must have them
    scrubbed, as the ODP face's submission and the record's description have."""
    deps = wiring.dependencies()
    quoting = application(5, description="Porch")
    assert public_register(deps).put(quoting, [])
    original = {
        "data": {
            "applicant": {"email": SECRET, "phone": {"primary": "+1 555 0100"}},
            "proposal": {"description": f"Porch; ring 07700 900123 or +1 555 0100, or write to {SECRET}"},
        },
        "metadata": {"submittedAt": "2026-03-03T10:00:00Z"},
    }
    deps.documents.put("DEMO/26-00005-HAPP/submission.json", orjson.dumps(original), "application/json")
    status, _, body = get(register, f"{one('26-00005-HAPP')}/submission", **{"x-client": "demo"})
    assert status == 200, body
    description = body["submission"]["data"]["proposal"]["description"]
    assert description == "Porch; ring [redacted] or [redacted], or write to [redacted]"


def test_files_and_the_decision_notice_are_never_active_pages_of_the_origin(register):
    """Embedded, the public faces share their origin with the officers' console: a served file or notice (HTML) must
    be sandboxed, as the ODP face, the officer API and document links serve them, so no script in one runs there."""
    for path in (f"{one('26-00001-HAPP')}/documents/doc-1", f"{one('26-00001-HAPP')}/decision_notice"):
        status, headers, _ = get(register, path, **{"x-client": "demo"})
        assert status == 200, path
        policy = [part.strip() for part in (headers.get("Content-Security-Policy") or "").split(";")]
        assert "sandbox" in policy and "default-src 'none'" in policy, (path, policy)
        assert headers["X-Content-Type-Options"] == "nosniff"
