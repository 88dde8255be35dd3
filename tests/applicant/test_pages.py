"""The applicant pages and their JSON twin through the embedded HTTP server (`bops serve`'s), on a real application
whose requests were made by the domain's commands."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from services.assessment.applicant.uploads import MAX_UPLOAD_BYTES
from tests.applicant.support import COUNCIL, JPEG, PDF, PNG, invalid_application, multipart

pytestmark = pytest.mark.xdist_group("applicant-pages")


@pytest.fixture
def case(runtime):
    return invalid_application(runtime)


def text(body) -> str:
    return body.decode() if isinstance(body, bytes) else str(body)


def post_form(case, request_type, fields, files=None, link=None):
    body, content_type = multipart(fields, files)
    return case.runtime.client.request("POST", link or case.link(request_type), body, {"Content-Type": content_type})


def post_json(case, request_type, body, content_type="application/json"):
    data = body if isinstance(body, bytes) else __import__("json").dumps(body).encode()
    return case.runtime.client.request(
        "POST", case.link(request_type, json_twin=True), data, {"Content-Type": content_type}
    )


# Showing the request


def test_the_page_shows_what_is_asked_why_and_by_when(case):
    status, headers, body = case.runtime.client.request("GET", case.link("description_change"))
    page = text(body)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Check a change to the description of your proposal" in page
    assert "Single storey rear extension, 3 m deep" in page  # what the council asks
    assert "We need this (description_change)" in page  # why
    due = case.state().requests[case.requests["description_change"]].response_due
    assert f"{due.day} {due:%B %Y}" in page  # by when
    assert "Testshire District Council" in page
    assert re.search(r"<textarea[^>]*>\s*</textarea>", page)  # an empty answer box, not "None"
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"


def test_the_json_twin_shows_the_same(case):
    status, _, body = case.runtime.client.request("GET", case.link("additional_document", json_twin=True))
    assert status == 200
    assert body["reference"] == case.reference and body["council"] == COUNCIL
    request = body["request"]
    assert request["id"] == case.requests["additional_document"] and request["state"] == "open"
    assert request["type"] == "additional_document" and request["reason"] == "We need this (additional_document)"
    assert {"label": "Document we need", "text": "A floor plan of the extension"} in request["asks"]
    assert request["dueDate"] == case.state().requests[request["id"]].response_due.isoformat()
    assert body["answer"]["kind"] == "document"


def test_a_replacement_request_names_the_document_to_replace(runtime):
    """The page of a request naming a document reads the documents side stream too (other requests' pages do not)."""
    case = invalid_application(runtime, ("description_change",), replaced_file="site-plan.pdf")
    status, _, body = case.runtime.client.request("GET", case.link("replacement_document", json_twin=True))
    assert status == 200
    assert {"label": "Document to replace", "text": "site-plan.pdf"} in body["request"]["asks"]
    status, _, body = case.runtime.client.request("GET", case.link("replacement_document"))
    assert status == 200 and "site-plan.pdf" in text(body)


# Links that do not work


@pytest.mark.parametrize("json_twin", [False, True])
def test_a_forged_missing_or_borrowed_token_is_404_and_reveals_nothing(case, json_twin):
    client = case.runtime.client
    good = case.link("description_change", json_twin)
    path = case.path("description_change", json_twin)
    other_token = case.link("other_change").split("token=")[1]  # the token of another request of the same case
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    unknown_council = good.replace(f"/{COUNCIL}/", "/ZZZ/")
    for link in (forged, path, f"{path}?token=", f"{path}?token={other_token}", unknown_council, good[:-1]):
        status, _, body = client.request("GET", link)
        assert status == 404, link
        if not json_twin:
            assert "Page not found" in text(body) and "Testshire" not in text(body)
    before = case.versions()
    status, _, _ = post_form(
        case, "description_change", {"agreed": "yes"}, link=forged.replace("/api/applicant/v1", "/applicant")
    )
    assert status == 404 and case.versions() == before


# Answering


def test_agreeing_closes_the_request_and_applies_the_change(case):
    status, _, body = post_form(case, "description_change", {"agreed": "yes", "reason": ""})
    assert status == 200 and "Answer sent" in text(body)
    state = case.state()
    request = state.requests[case.requests["description_change"]]
    assert request.state == "closed" and request.answer.agreed is True
    assert state.description == "Single storey rear extension, 3 m deep"
    # The link stops working: the page says so, and the JSON twin answers 410.
    status, _, body = case.runtime.client.request("GET", case.link("description_change"))
    assert status == 410 and "This request is closed" in text(body)
    status, _, body = case.runtime.client.request("GET", case.link("description_change", json_twin=True))
    assert status == 410 and "closed" in body["message"]
    before = case.versions()
    status, _, _ = post_form(case, "description_change", {"agreed": "no", "reason": "changed my mind"})
    assert status == 410 and case.versions() == before


def test_disagreeing_needs_a_reason_and_the_page_says_so(case):
    before = case.versions()
    status, _, body = post_form(case, "description_change", {"agreed": "no", "reason": "  "})
    page = text(body)
    assert status == 422 and case.versions() == before
    assert "<title>Error: " in page and 'class="govuk-error-summary"' in page
    assert re.search(r'<a href="#reason">[^<]+</a>', page)
    assert 'id="reason-error"' in page  # the message beside the field too
    assert 'value="no" checked' in page  # what the applicant chose is kept
    status, _, body = post_form(case, "description_change", {"agreed": "no", "reason": "The extension is 4 m deep"})
    assert status == 200
    request = case.state().requests[case.requests["description_change"]]
    assert request.state == "closed" and request.answer.agreed is False
    assert request.answer.reason == "The extension is 4 m deep"


def test_a_document_is_stored_and_recorded_on_the_documents_stream_with_the_answer(case):
    status, _, body = post_form(
        case, "additional_document", {"response": "Here is the plan"}, {"document": ("../../floor plan.pdf", PDF)}
    )
    assert status == 200, text(body)
    documents = case.deps.event_store.read(f"application:{COUNCIL}:{case.reference}:documents")
    [uploaded] = [event for event in documents if event.event_type == "ApplicantDocumentUploaded"]
    assert uploaded.actor.kind == "applicant"
    assert uploaded.payload.request_id == case.requests["additional_document"]
    assert uploaded.payload.sha256 == hashlib.sha256(PDF).hexdigest() and uploaded.payload.size == len(PDF)
    assert uploaded.payload.content_type == "application/pdf" and uploaded.payload.file_name == "floor_plan.pdf"
    assert case.deps.documents.get(uploaded.payload.key) == PDF
    state = case.state()
    request = state.requests[case.requests["additional_document"]]
    assert request.state == "closed" and request.answer.document_id == uploaded.payload.document_id
    assert state.documents[uploaded.payload.document_id].source == "applicant"
    [answered] = [
        e
        for e in case.deps.event_store.read(f"application:{COUNCIL}:{case.reference}")
        if e.event_type == "ValidationRequestAnswered"
    ]
    assert answered.recorded_at == uploaded.recorded_at  # one atomic append


@pytest.mark.parametrize(
    ("name", "content", "stored_as"),
    [("plan.pdf", PNG, ("image/png", "plan.png")), ("photo.txt", JPEG, ("image/jpeg", "photo.jpg"))],
)
def test_the_file_type_comes_from_the_content_not_the_name(case, name, content, stored_as):
    status, _, _ = post_form(case, "additional_document", {}, {"document": (name, content)})
    assert status == 200
    [uploaded] = [e for e in case.deps.event_store.read(f"application:{COUNCIL}:{case.reference}:documents")]
    assert (uploaded.payload.content_type, uploaded.payload.file_name) == stored_as


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a" + b"\x00" * 32, "must be a PDF, PNG or JPEG"),
        (b"<html>%PDF-</html>", "must be a PDF, PNG or JPEG"),
        (b"", None),  # an empty file input: no file, and the request needs one
        (b"%PDF-" + b"0" * MAX_UPLOAD_BYTES, "must be smaller than 3 MB"),
    ],
)
def test_a_wrong_or_too_large_file_is_refused_on_the_page_and_nothing_is_stored(case, content, message):
    before = case.versions()
    status, _, body = post_form(case, "additional_document", {}, {"document": ("plan.pdf" if content else "", content)})
    page = text(body)
    assert status == 422 and case.versions() == before
    assert 'class="govuk-error-summary"' in page and '<a href="#document">' in page
    if message:
        assert message in page
    assert not list((case.runtime.options.data_dir / "documents").rglob("applicant-documents/*"))


def test_a_typed_response_answers_a_request(case):
    status, _, _ = post_form(case, "other_change", {"response": "The wall is 1.8 m high"})
    assert status == 200
    request = case.state().requests[case.requests["other_change"]]
    assert request.state == "closed" and request.answer.response == "The wall is 1.8 m high"


UNTYPABLE = ["nul\x00byte", "escape \x1b[31mred", "bell\x07", "c1 \x85 next line", "mirror \u202eevil", "iso \u2066x"]


@pytest.mark.parametrize("typed", UNTYPABLE)
def test_an_answer_holding_characters_no_one_types_is_refused_naming_the_field_and_nothing_is_stored(case, typed):
    before = case.versions()
    status, _, body = post_form(case, "description_change", {"agreed": "no", "reason": typed})
    page = text(body)
    assert status == 422 and case.versions() == before
    assert '<a href="#reason">' in page and 'id="reason-error"' in page and "cannot be typed" in page
    assert typed.split()[0][:3] in page and 'value="no" checked' in page  # what was typed is kept, without those
    status, _, answer = post_json(case, "other_change", {"response": typed})
    assert status == 422 and case.versions() == before
    assert answer["errors"] == [{"field": "response", "message": answer["errors"][0]["message"]}]
    assert "cannot be typed" in answer["errors"][0]["message"]


@pytest.mark.parametrize("json_twin", [False, True])
def test_line_endings_are_kept_as_one_newline_and_tabs_are_kept(case, json_twin):
    typed = "First line\r\nSecond line\rThird\tline"
    if json_twin:
        status, _, _ = post_json(case, "other_change", {"response": typed})
    else:
        status, _, _ = post_form(case, "other_change", {"response": typed})
    assert status == 200
    request = case.state().requests[case.requests["other_change"]]
    assert request.answer.response == "First line\nSecond line\nThird\tline"


def test_a_cancelled_request_is_closed(case):
    case.cancel("other_change")
    status, _, body = case.runtime.client.request("GET", case.link("other_change"))
    assert status == 410 and "This request is closed" in text(body)
    status, _, _ = case.runtime.client.request("GET", case.link("other_change", json_twin=True))
    assert status == 410


# The JSON twin's answers


def test_the_json_twin_takes_a_response_and_a_base64_document(case):
    status, _, body = post_json(
        case,
        "additional_document",
        {"document": {"fileName": "plan.pdf", "contentBase64": base64.b64encode(PDF).decode()}},
    )
    assert status == 200 and body["request"]["state"] == "closed"
    status, _, body = post_json(case, "other_change", {"response": "1.8 m"})
    assert status == 200 and body["request"] == {
        "id": case.requests["other_change"],
        "type": "other_change",
        "state": "closed",
        "closedOn": case.today().isoformat(),
    }


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'{"response": "\xff\xfe"}', "application/json", 400),  # not UTF-8
        (b'{"response": ' + b"[" * 100 + b"]" * 100 + b"}", "application/json", 400),  # too deep
        (b'{"response": "x"}', "text/plain", 415),
        (b'{"answer": "x"}', "application/json", 422),  # not a field
        (b'{"agreed": "yes"}', "application/json", 422),
        (b'{"document": {"fileName": "a.pdf", "contentBase64": "!!"}}', "application/json", 422),
        (b"[]", "application/json", 422),
        (b"{}", "application/json", 422),  # the domain: a response is needed
    ],
)
def test_bad_json_answers_are_refused_with_reasons_and_store_nothing(case, body, content_type, status):
    before = case.versions()
    got, _, answer = post_json(case, "other_change", body, content_type)
    assert got == status and answer["message"]
    assert case.versions() == before


def test_a_document_over_the_limit_is_413_or_422_never_stored(case):
    big = base64.b64encode(b"%PDF-" + b"0" * MAX_UPLOAD_BYTES).decode()
    before = case.versions()
    status, _, body = post_json(case, "additional_document", {"document": {"fileName": "a.pdf", "contentBase64": big}})
    assert status == 422 and "smaller than 3 MB" in body["errors"][0]["message"] and case.versions() == before


# Assets and accessibility


def test_the_govuk_frontend_files_are_served(case):
    client = case.runtime.client
    status, headers, page = client.request("GET", case.link("other_change"))
    for asset in re.findall(r'(?:href|src)="(/assets/[^"]+)"', text(page)):
        assert client.request("GET", asset)[0] == 200, asset
    status, headers, css = client.request("GET", "/assets/council.min.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    image = re.search(rb"url\(\"?/assets/(images/[^)\"]+)", css).group(1).decode()
    status, headers, content = client.request("GET", f"/assets/{image}")
    assert status == 200 and headers["Content-Type"] == "image/svg+xml" and b"<svg" in content
    status, headers, png = client.request("GET", "/assets/images/govuk-icon-180.png")  # bytes pass through intact
    assert status == 200 and headers["Content-Type"] == "image/png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    status, headers, script = client.request("GET", "/assets/govuk-frontend.min.js")
    assert status == 200 and b"initAll" in script
    for missing in ("/assets/nothing.css", "/assets/fonts/x.woff2", "/assets/..%2Fpackage.json"):
        assert client.request("GET", missing)[0] == 404


class Accessibility(HTMLParser):
    """What a screen reader needs from a form: every field labelled, ids unique, a language and a title."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[tuple[str, dict]] = []
        self.lang = None
        self.in_title = False
        self.title = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "label" and "for" in attributes:
            self.labels.add(attributes["for"])
        if tag in ("input", "textarea", "select") and attributes.get("type") != "hidden":
            self.fields.append((tag, attributes))
        self.in_title = tag == "title"

    def handle_endtag(self, tag):
        self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data


@pytest.mark.parametrize("request_type", ["description_change", "additional_document", "other_change"])
def test_the_pages_pass_an_accessibility_smoke_check(case, request_type):
    _, _, ok = case.runtime.client.request("GET", case.link(request_type))
    fields = {"agreed": "no"} if request_type == "description_change" else {}
    _, _, refused = post_form(case, request_type, fields)
    for body in (ok, refused):
        checker = Accessibility()
        checker.feed(text(body))
        assert checker.lang == "en" and checker.title.strip()
        assert len(checker.ids) == len(set(checker.ids)), "duplicate ids"
        assert checker.fields
        for _tag, attributes in checker.fields:
            assert attributes.get("id") in checker.labels, attributes  # each field has its <label for=...>
    page = text(refused)
    assert page.index("govuk-error-summary") < page.index("<form")  # the summary comes first
    for target in re.findall(r'<a href="#([^"]+)">', page[page.index("govuk-error-summary") : page.index("<form")]):
        assert f'id="{target}"' in page  # each summary link leads to a field


def raw_form_post(case, request_type, body, content_type):
    return case.runtime.client.request("POST", case.link(request_type), body, {"Content-Type": content_type})


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda: (multipart({})[0].replace(b"--\r\n", b"\r\n"), multipart({})[1]), 400),  # no closing boundary
        (lambda: (b"response=hello", "application/x-www-form-urlencoded"), 415),
        (
            lambda: (
                b'--x\r\nContent-Disposition: form-data; name="response"\r\n\r\n\xff\xfe\r\n--x--\r\n',
                "multipart/form-data; boundary=x",
            ),
            400,
        ),  # not UTF-8
        (
            lambda: (
                b'--x\r\nContent-Disposition: form-data; name="other"\r\n\r\nhi\r\n--x--\r\n',
                "multipart/form-data; boundary=x",
            ),
            400,
        ),  # a field the form does not have
        (lambda: multipart({"response": "x" * 50_000}), 413),
        (lambda: (b"", "multipart/form-data"), 400),  # no boundary
    ],
)
def test_a_bad_form_gets_the_error_summary_and_stores_nothing(case, make, status):
    body, content_type = make()
    before = case.versions()
    got, headers, page = raw_form_post(case, "other_change", body, content_type)
    assert got == status and headers["Content-Type"].startswith("text/html")
    assert 'class="govuk-error-summary"' in text(page) and '<a href="#response">' in text(page)
    assert case.versions() == before


def test_too_many_parts_are_refused(case):
    parts = b"".join(b'--x\r\nContent-Disposition: form-data; name="response"\r\n\r\nhi\r\n' for _ in range(20))
    got, _, _ = raw_form_post(case, "other_change", parts + b"--x--\r\n", "multipart/form-data; boundary=x")
    assert got == 400
