"""Large documents through `bops serve`: the officer API answers 307 to a short-lived signed link, which the embedded
server streams from disk in chunks (on AWS the same answer carries a presigned S3 URL: the contract suite checks it)."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from bops.asgi import LINK_CHUNK_BYTES, HttpLimits, ProxyApp
from events import Actor, NewEvent
from events.application import DocumentReceived
from events.streams import application_side_stream
from services.assessment.officer_api.handler import INLINE_DOCUMENT_BYTES
from tests.assessment.api_support import RECEIVED, receive_document, submit
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)
from tests.runtime.serving import call_asgi

pytestmark = pytest.mark.slow

REFERENCE = "26-00001-HH"
DOCUMENT = f"/api/officer/v1/planning_applications/{REFERENCE}/documents"
LARGE = b"%PDF-1.7\n" + bytes(range(256)) * (7 * 1024 * 4)  # 7 MB: over Lambda's 6 MB answer


def large_document(server: Served) -> None:
    deps = server.runtime.deps
    deps.documents.put(f"DEMO/{REFERENCE}/documents/big.pdf", LARGE, "application/pdf")
    payload = DocumentReceived(
        document_id="doc-big",
        file_index=1,
        source_url="https://files.example.org/big.pdf",
        file_name="site survey.pdf",
        key=f"DEMO/{REFERENCE}/documents/big.pdf",
        sha256="0" * 64,
        size=len(LARGE),
        content_type="application/pdf",
        tags=("otherEvidence",),
    )
    stream = application_side_stream("DEMO", REFERENCE, "documents")
    version = deps.event_store.stream_version(stream)
    deps.event_store.append(stream, version, [NewEvent(payload, "DEMO", Actor.system(), RECEIVED)])


def get(server: Served, path: str, token: str | None = None) -> http.client.HTTPResponse:
    parts = urlsplit(server.runtime.base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
    return connection.getresponse()


def test_a_large_document_is_answered_with_a_link_that_streams_it(served: Served):  # noqa: F811
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    served.officer("LBH", "zed@hackney.example", "assessor", "Zed Hackney")
    deps = served.runtime.deps
    submit(deps.event_store, REFERENCE)
    receive_document(deps.event_store, REFERENCE, 0)
    deps.documents.put(f"DEMO/{REFERENCE}/documents/0.pdf", b"%PDF-1.7 small", "application/pdf")
    large_document(served)
    token = served.token("ann@demo.example")

    small = get(served, f"{DOCUMENT}/doc-0", token)
    assert small.status == 200 and small.read() == b"%PDF-1.7 small"

    answer = get(served, f"{DOCUMENT}/doc-big", token)
    assert answer.status == 307 and answer.read() == b""
    assert answer.getheader("Cache-Control") == "private, no-store"
    link = answer.getheader("Location")
    assert link.startswith("/_files/DEMO/")

    streamed = get(served, link)  # the link is the credential: no token needed, as with S3's presigned URLs
    assert streamed.status == 200
    assert streamed.getheader("Content-Type") == "application/pdf"
    assert streamed.getheader("Content-Length") == str(len(LARGE))
    assert (
        streamed.getheader("Content-Disposition")
        == "inline; filename=\"site_survey.pdf\"; filename*=UTF-8''site_survey.pdf"
    )
    assert streamed.getheader("X-Content-Type-Options") == "nosniff"
    assert streamed.getheader("Content-Security-Policy").startswith("sandbox")
    assert streamed.read() == LARGE

    forged = get(served, link.replace("signature=", "signature=0"))
    assert forged.status == 403 and b"not valid" in forged.read()
    assert get(served, link.replace("type=application%2Fpdf", "type=text%2Fhtml")).status == 403
    assert get(served, f"{DOCUMENT}/doc-big").status == 401  # the API still wants the officer
    other = get(served, f"{DOCUMENT}/doc-big", served.token("zed@hackney.example"))
    assert other.status == 404  # another council's application: no link


def test_the_embedded_server_streams_a_linked_file_in_chunks(tmp_path, monkeypatch):
    """Never the whole file in one piece: the ASGI answer is a sequence of chunks of at most LINK_CHUNK_BYTES."""
    from shared import wiring

    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    wiring.reset()
    documents = wiring.dependencies().documents
    documents.put("DEMO/R1/big.pdf", LARGE, "application/pdf")
    assert len(LARGE) > INLINE_DOCUMENT_BYTES
    parts = urlsplit(documents.link("DEMO/R1/big.pdf", file_name="big.pdf", content_type="application/pdf"))
    app = ProxyApp(None, "", dict, HttpLimits(max_body_bytes=1024), lambda: None)  # type: ignore[arg-type]
    scope = {
        "type": "http",
        "method": "GET",
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "headers": [],
    }
    start, *bodies = call_asgi(app, scope)
    assert start["status"] == 200
    assert len(bodies) == -(-len(LARGE) // LINK_CHUNK_BYTES) > 1
    assert all(len(b["body"]) <= LINK_CHUNK_BYTES for b in bodies)
    assert b"".join(b["body"] for b in bodies) == LARGE
    assert [b["more_body"] for b in bodies] == [True] * (len(bodies) - 1) + [False]
    wiring.reset()
