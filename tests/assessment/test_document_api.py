"""The officer API's document commands: upload (checked by content, stored, served back), publish, unpublish, tags,
redacted copy, archive, new version; each an event in the audit trail; refusals as 4xx; two officers publishing one
document at the same moment give exactly one 409 (SQLite and DynamoDB), while a submitted file arriving meanwhile
makes no document command stale."""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.assessment.api_support import (
    ADMIN,
    ASSESSOR,
    ELSEWHERE,
    OTHER_ASSESSOR,
    call,
    enlist,
    others_may_run,
    receive_document,
    submit,
)
from tests.assessment.test_concurrency import BASE, REFERENCE, BothReadFirst, dynamodb_deps  # noqa: F401 (a fixture)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def encoded(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


class FirstAppendsTogether(BothReadFirst):
    """Both officers' first appends wait for each other (a true race); the loser's retry goes straight through."""

    def __init__(self, store) -> None:
        super().__init__(store)
        self.waited = threading.local()

    def append_streams(self, appends):
        if not getattr(self.waited, "done", False):
            self.waited.done = True
            with others_may_run():
                self.barrier.wait()
        return self.store.append_streams(appends)


def race(deps, bodies, first_appends_only: bool = False):
    from services.assessment.officer_api.handler import casework

    work = casework()
    work.store = (FirstAppendsTogether if first_appends_only else BothReadFirst)(deps.event_store)
    try:
        with ThreadPoolExecutor(2) as pool:
            futures = [
                pool.submit(call, "POST", f"{BASE}/{REFERENCE}/{path}", body, officer) for officer, path, body in bodies
            ]
            return sorted((f.result() for f in futures), key=lambda result: result[0])
    finally:
        work.store = deps.event_store


def post(path: str, body: dict, officer=ASSESSOR):
    return call("POST", f"{BASE}/{REFERENCE}/{path}", body, officer)


def document(state: dict, document_id: str) -> dict:
    return next(d for d in state["documents"] if d["id"] == document_id)


@pytest.fixture
def application(deps):
    submit(deps.event_store, REFERENCE)
    receive_document(deps.event_store, REFERENCE, 0)
    return deps


def upload(documents_version: int = 1, content: bytes = PDF, name: str = "../Floor plan é.pdf", **more):
    body = {"documentsVersion": documents_version, "fileName": name, "content": encoded(content), **more}
    return post("documents", body)


def test_an_uploaded_document_is_stored_checked_by_content_and_served_back(application):
    status, state = upload(tags=["floorPlan.proposed"])
    assert status == 200, state
    assert state["documentsVersion"] == 2 and state["version"] == 1
    [new] = [d for d in state["documents"] if d["source"] == "officer"]
    assert new["name"] == "Floor_plan_e.pdf" and new["tags"] == ["floorPlan.proposed"]
    assert (new["published"], new["public"], new["contentType"], new["size"]) == (
        False,
        False,
        "application/pdf",
        len(PDF),
    )
    from tests.assessment.api_support import call as get

    status, content = raw_get(f"{BASE}/{REFERENCE}/documents/{new['id']}")
    assert status == 200 and content == PDF
    assert get("GET", f"{BASE}/{REFERENCE}/documents/{new['id']}", officer=ELSEWHERE)[0] == 404


def raw_get(path: str, query=()):
    from services.assessment.officer_api.handler import lambda_handler
    from shared.apigateway import proxy_event, response_body

    event = proxy_event("GET", path, path, None, [], list(query), b"")
    event["requestContext"]["authorizer"] = {**ASSESSOR.context(), "principalId": f"officer:{ASSESSOR.id}"}
    response = lambda_handler(event, None)
    return response["statusCode"], response_body(response)


@pytest.mark.parametrize(
    ("content", "field"),
    [(b"<html><script>alert(1)</script></html>", "file"), (b"", "file"), (b"%PDF" + b"x" * (3 * 1024 * 1024), "file")],
)
def test_a_file_that_is_not_a_pdf_png_or_jpeg_or_too_big_is_refused_and_nothing_is_stored(application, content, field):
    status, body = upload(content=content)
    assert status == 422, body
    assert [e["field"] for e in body["errors"]] == [field]
    assert application.event_store.stream_version(f"application:DEMO:{REFERENCE}:documents") == 1


def test_publish_unpublish_tag_redact_archive_and_replace_each_show_in_the_audit_trail(application):
    steps = [
        ("documents/doc-0/tags", {"tags": ["sitePlan.proposed", "photographs"]}),
        ("documents/doc-0/redacted_copy", {"fileName": "plan.png", "content": encoded(PNG)}),
        ("documents/doc-0/publish", {}),
        ("documents/doc-0/unpublish", {"reason": "shows a signature"}),
        ("documents/doc-0/replace", {"fileName": "plan v2.pdf", "content": encoded(PDF)}),
    ]
    version = 1
    for path, body in steps:
        status, state = post(path, {"documentsVersion": version, **body})
        assert status == 200, (path, state)
        version = state["documentsVersion"]
    old = document(state, "doc-0")
    [new] = [d for d in state["documents"] if d["replaces"] == "doc-0"]
    assert old["replacedBy"] == new["id"] and old["redactedCopy"]["contentType"] == "image/png"
    assert new["tags"] == ["sitePlan.proposed", "photographs"]  # a new version keeps the tags unless given
    status, refused = post(f"documents/{new['id']}/archive", {"documentsVersion": version, "reason": " "})
    assert status == 422 and refused["errors"][0]["field"] == "reason"
    status, state = post(f"documents/{new['id']}/archive", {"documentsVersion": version, "reason": "wrong site"})
    assert status == 200
    status, content = raw_get(f"{BASE}/{REFERENCE}/documents/doc-0", [("copy", "redacted")])
    assert status == 200 and content == PNG
    status, trail = call("GET", f"{BASE}/{REFERENCE}/audit")
    whats = [e["what"] for e in trail["entries"] if e["stream"] == "documents"][1:]
    assert whats == [
        "Document doc-0 tagged sitePlan.proposed, photographs",
        "Redacted copy plan.png of document doc-0 uploaded",
        "Document doc-0 published",
        "Document doc-0 unpublished: shows a signature",
        "Document plan_v2.pdf uploaded as a new version of document doc-0, tagged sitePlan.proposed, photographs",
        f"Document {new['id']} archived: wrong site",
    ]
    assert all(e["who"]["name"] == "Ann Assessor" for e in trail["entries"][-6:])


def test_refusals_are_4xx_and_store_nothing(application):
    assert post("documents/doc-0/publish", {"documentsVersion": 1}, ADMIN)[0] == 403
    assert post("documents/doc-0/publish", {"documentsVersion": 1}, ELSEWHERE)[0] == 404
    assert post("documents/nope/publish", {"documentsVersion": 1})[0] == 404
    assert post("documents/doc-0/publish", {"version": 1})[0] == 422
    assert post("documents/doc-0/publish", {"documentsVersion": 9})[0] == 409
    assert post("documents/doc-0/archive", {"documentsVersion": 1, "reason": "x" * 2001})[0] == 422
    assert application.event_store.stream_version(f"application:DEMO:{REFERENCE}:documents") == 1


def test_a_stale_documents_version_is_refused_only_for_the_same_document(application):
    receive_document(application.event_store, REFERENCE, 1)
    assert post("documents/doc-0/publish", {"documentsVersion": 2})[0] == 200
    receive_document(application.event_store, REFERENCE, 2)  # a submitted file arrives: stale for nobody
    status, body = post("documents/doc-0/unpublish", {"documentsVersion": 2}, OTHER_ASSESSOR)
    assert status == 409 and "a document was published by Ann Assessor" in body["message"], body
    status, state = post("documents/doc-1/publish", {"documentsVersion": 2}, OTHER_ASSESSOR)
    assert status == 200 and document(state, "doc-1")["public"]


@pytest.mark.parametrize("backend", ["sqlite", "dynamodb"])
def test_two_officers_publishing_one_document_at_once_give_one_409(request, backend):
    deps = request.getfixturevalue("deps" if backend == "sqlite" else "dynamodb_deps")
    submit(deps.event_store, REFERENCE)
    receive_document(deps.event_store, REFERENCE, 0)
    enlist(deps, ASSESSOR, OTHER_ASSESSOR)
    bodies = [
        (ASSESSOR, "documents/doc-0/publish", {"documentsVersion": 1}),
        (OTHER_ASSESSOR, "documents/doc-0/publish", {"documentsVersion": 1}),
    ]
    (ok, state), (refused, body) = race(deps, bodies)
    assert (ok, refused) == (200, 409), (state, body)
    assert state["documentsVersion"] == 2 and document(state, "doc-0")["published"]
    assert "published" in body["message"]
    assert deps.event_store.stream_version(f"application:DEMO:{REFERENCE}:documents") == 2


def test_two_officers_publishing_different_documents_at_once_both_succeed(deps):
    submit(deps.event_store, REFERENCE)
    receive_document(deps.event_store, REFERENCE, 0)
    receive_document(deps.event_store, REFERENCE, 1)
    bodies = [
        (ASSESSOR, "documents/doc-0/publish", {"documentsVersion": 2}),
        (OTHER_ASSESSOR, "documents/doc-1/publish", {"documentsVersion": 2}),
    ]
    results = race(deps, bodies, first_appends_only=True)
    assert [status for status, _ in results] == [200, 200], results
    _, state = call("GET", f"{BASE}/{REFERENCE}")
    assert [d["public"] for d in state["documents"]] == [True, True] and state["documentsVersion"] == 4
