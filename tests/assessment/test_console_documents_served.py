"""The console's documents pages through `bops serve`: list, preview, upload, check, tag, publish / unpublish,
redacted copy, archive, new version; each an event in the audit trail; CSRF on every form, roles on the server,
council isolation, output escaped, a stale form answered with what changed."""

from __future__ import annotations

import re

import pytest

from tests.assessment.api_support import receive_document, submit
from tests.assessment.console_pages import Browser
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

REFERENCE = "26-00001-HH"
DOCUMENTS = f"/applications/{REFERENCE}/documents"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def documents_version(page: str) -> str:
    found = re.search(r'name="documents_version" value="(\d+)"', page)
    assert found, page
    return found.group(1)


def audit(server: Served, token: str) -> list[str]:
    status, _, body = server.client.request(
        "GET", f"/api/officer/v1/planning_applications/{REFERENCE}/audit", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200
    return [entry["what"] for entry in body["entries"] if entry["stream"] == "documents"]


@pytest.fixture
def console(served: Served):  # noqa: F811
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    served.officer("DEMO", "bob@demo.example", "assessor", "Bob Assessor")
    served.officer("DEMO", "ada@demo.example", "administrator", "Ada Admin")
    served.officer("LBH", "zed@hackney.example", "assessor", "Zed Hackney")
    deps = served.runtime.deps
    submit(deps.event_store, REFERENCE)
    receive_document(deps.event_store, REFERENCE, 0)
    deps.documents.put(f"DEMO/{REFERENCE}/documents/0.pdf", PDF, "application/pdf")
    served.caught_up()
    browsers = {
        who: Browser(served.runtime.base_url, served.token(email))
        for who, email in (
            ("ann", "ann@demo.example"),
            ("bob", "bob@demo.example"),
            ("ada", "ada@demo.example"),
            ("zed", "zed@hackney.example"),
        )
    }
    return served, browsers


def test_an_officer_publishes_a_submitted_document_and_the_audit_trail_says_so(console):
    server, browsers = console
    ann = browsers["ann"]
    status, headers, page = ann.get(DOCUMENTS)
    assert status == 200, page
    assert "plan-0.pdf" in page and "Not published" in page
    assert headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in headers["content-security-policy"]
    status, headers, content = ann.get(f"{DOCUMENTS}/doc-0/file")
    assert status == 200 and content == PDF and headers["content-security-policy"].startswith("sandbox")
    status, _, page = ann.get(f"{DOCUMENTS}/doc-0")
    assert status == 200 and 'action="/applications/26-00001-HH/documents/doc-0/publish"' in page
    status, headers, _ = ann.post(f"{DOCUMENTS}/doc-0/publish", {"documents_version": documents_version(page)})
    assert status == 303 and headers["location"] == f"{DOCUMENTS}/doc-0"
    status, _, page = ann.get(f"{DOCUMENTS}/doc-0")
    assert "Unpublish" in page and re.search(r">\s*Published\s*<", page)
    assert audit(server, ann.token)[-1] == "Document doc-0 published"


def test_every_action_is_an_event_and_bad_input_shows_the_error_summary(console):
    server, browsers = console
    ann = browsers["ann"]
    _, _, page = ann.get(DOCUMENTS)
    status, _, page = ann.upload(DOCUMENTS, {"documents_version": documents_version(page)}, ("x.pdf", b"<html>"))
    assert status == 422 and "govuk-error-summary" in page and "must be a PDF, PNG or JPEG" in page
    status, _, _ = ann.upload(
        DOCUMENTS, {"documents_version": documents_version(page), "tags": "photographs"}, ("Site photo.png", PNG)
    )
    assert status == 303
    status, _, page = ann.post(f"{DOCUMENTS}/doc-0/check", {"version": "1", "valid": "no"})
    assert status == 422 and 'href="#invalid_reason"' in page and "Enter why the document is invalid" in page
    steps = [
        ("check", {"version": "1", "valid": "no", "invalid_reason": "Scale bar missing"}, None),
        ("tags", {"tags": "sitePlan.proposed, photographs"}, None),
        ("redacted_copy", {}, ("redacted.png", PNG)),
        ("publish", {}, None),
        ("unpublish", {"reason": "<script>alert(1)</script>"}, None),
        ("replace", {}, ("plan v2.pdf", PDF)),
    ]
    for action, fields, file in steps:
        _, _, page = ann.get(f"{DOCUMENTS}/doc-0")
        fields = {"documents_version": documents_version(page), **fields}
        if file:
            status, headers, answer = ann.upload(f"{DOCUMENTS}/doc-0/{action}", fields, file)
        else:
            status, headers, answer = ann.post(f"{DOCUMENTS}/doc-0/{action}", fields)
        assert status == 303, (action, answer)
    new_version_page = headers["location"]
    assert new_version_page != f"{DOCUMENTS}/doc-0"
    _, _, page = ann.get(f"{DOCUMENTS}/doc-0")
    assert "Replaced" in page and "Scale bar missing" in page and "<script>alert(1)" not in page
    status, _, page = ann.post(
        f"{new_version_page}/archive", {"documents_version": documents_version(page), "reason": ""}
    )
    assert status == 422 and 'href="#archive_reason"' in page
    status, _, _ = ann.post(
        f"{new_version_page}/archive", {"documents_version": documents_version(page), "reason": "Wrong site"}
    )
    assert status == 303
    trail = audit(server, ann.token)
    assert trail[-6:] == [
        "Document doc-0 tagged sitePlan.proposed, photographs",
        "Redacted copy redacted.png of document doc-0 uploaded",
        "Document doc-0 published",
        "Document doc-0 unpublished: <script>alert(1)</script>",
        "Document plan_v2.pdf uploaded as a new version of document doc-0, tagged sitePlan.proposed, photographs",
        f"Document {new_version_page.rsplit('/', 1)[1]} archived: Wrong site",
    ]
    assert any(what.startswith("Document Site_photo.png uploaded") for what in trail)


def test_characters_no_one_types_are_refused_naming_the_field_in_either_kind_of_form(console):
    server, browsers = console
    ann = browsers["ann"]
    before = audit(server, ann.token)
    _, _, page = ann.get(f"{DOCUMENTS}/doc-0")
    version = documents_version(page)
    check = {"documents_version": version, "version": "1", "valid": "no", "invalid_reason": "Scale\x00 bar"}
    status, _, page = ann.post(f"{DOCUMENTS}/doc-0/check", check)
    assert status == 422 and "invalid_reason field has characters that cannot be typed" in page
    upload = {"documents_version": version, "tags": "photographs\u202e"}
    status, _, page = ann.upload(DOCUMENTS, upload, ("Site photo.png", PNG))
    assert status == 422 and "tags field has characters that cannot be typed" in page
    assert audit(server, ann.token) == before


def test_forms_without_the_csrf_token_roles_and_other_councils_are_refused(console):
    server, browsers = console
    store = server.runtime.deps.event_store
    stream = f"application:DEMO:{REFERENCE}:documents"
    before = store.stream_version(stream)
    status, _, _ = browsers["ann"].post(f"{DOCUMENTS}/doc-0/publish", {"documents_version": str(before)}, csrf=False)
    assert status == 400
    status, _, _ = browsers["ann"].upload(DOCUMENTS, {"documents_version": str(before)}, ("a.pdf", PDF), csrf=False)
    assert status == 400
    status, _, page = browsers["ada"].get(f"{DOCUMENTS}/doc-0")
    assert status == 200 and "/publish" not in page  # administrators read; case officers act
    status, _, _ = browsers["ada"].post(f"{DOCUMENTS}/doc-0/publish", {"documents_version": str(before)})
    assert status == 403
    assert browsers["zed"].get(DOCUMENTS)[0] == 404
    assert browsers["zed"].get(f"{DOCUMENTS}/doc-0/file")[0] == 404
    assert Browser(server.runtime.base_url, None).get(DOCUMENTS)[0] in (302, 303, 401)
    assert store.stream_version(stream) == before


def test_a_form_posted_on_a_stale_page_says_what_changed(console):
    _served, browsers = console
    _, _, page = browsers["ann"].get(f"{DOCUMENTS}/doc-0")
    seen = documents_version(page)
    assert browsers["bob"].post(f"{DOCUMENTS}/doc-0/publish", {"documents_version": seen})[0] == 303
    status, _, page = browsers["ann"].post(f"{DOCUMENTS}/doc-0/archive", {"documents_version": seen, "reason": "dup"})
    assert status == 409 and "a document was published by Bob Assessor" in page and 'href="#conflict"' in page


@pytest.mark.parametrize("version", ["²", "9" * 5000])
def test_a_version_that_is_not_a_plain_number_is_bad_input_and_stores_nothing(console, version):
    """`"²".isdigit()` is true and `int("²")` fails, as does `int()` of more than 4,300 digits: both were a 500."""
    server, browsers = console
    store = server.runtime.deps.event_store
    streams = (f"application:DEMO:{REFERENCE}", f"application:DEMO:{REFERENCE}:documents")
    before = [store.stream_version(stream) for stream in streams]
    status, _, page = browsers["ann"].post(f"{DOCUMENTS}/doc-0/publish", {"documents_version": version})
    assert status == 422 and "govuk-error-summary" in page
    status, _, page = browsers["ann"].upload(DOCUMENTS, {"documents_version": version}, ("a.pdf", PDF))
    assert status == 422 and "govuk-error-summary" in page
    status, _, page = browsers["ann"].post(f"{DOCUMENTS}/doc-0/check", {"version": version, "valid": "yes"})
    assert status == 422 and "govuk-error-summary" in page
    assert [store.stream_version(stream) for stream in streams] == before
