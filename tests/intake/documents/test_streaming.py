"""Files are streamed from the host to the document store: memory stays bounded whatever their size."""

from __future__ import annotations

import hashlib
import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events.application import DocumentFetchFailed, DocumentReceived
from services.intake.documents import policy
from services.intake.documents.fetcher import SafeHttpFetcher
from services.intake.documents.service import RetryPolicy, fetch_file
from shared.documents.local import LocalDocumentStore
from shared.odp.model import SubmittedFile

SIZE = 40 * policy.MB
HEAD = b"%PDF-1.7\n"
BLOCK = b"\0" * (256 * 1024)  # sent again and again: the server allocates nothing per block


def expected_sha256(size: int) -> str:
    digest = hashlib.sha256(HEAD)
    sent = len(HEAD)
    while sent < size:
        part = BLOCK[: min(len(BLOCK), size - sent)]
        digest.update(part)
        sent += len(part)
    return digest.hexdigest()


class LargeFileHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        declared = not self.path.startswith("/undeclared")
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if declared:
            self.send_header("Content-Length", str(SIZE))
        self.end_headers()
        self.wfile.write(HEAD)
        sent = len(HEAD)
        try:
            while sent < SIZE:
                part = BLOCK if SIZE - sent >= len(BLOCK) else BLOCK[: SIZE - sent]
                self.wfile.write(part)
                sent += len(part)
        except OSError:
            pass  # the fetcher stopped reading (over its cap)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def large_file_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), LargeFileHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def fetch(port: int, path: str, documents: LocalDocumentStore, max_bytes: int):
    return fetch_file(
        0,
        SubmittedFile(url=f"http://localhost:{port}{path}"),
        "DEMO",
        "26-00001-HAPP",
        fetcher=SafeHttpFetcher((f"localhost:{port}",), max_bytes=max_bytes, timeout=60, allow_loopback=True),
        documents=documents,
        allowlist=policy.parse_allowlist([f"localhost:{port}"]),
        headers={},
        retry=RetryPolicy(attempts=1),
        new_document_id=lambda: "d1",
    )


def test_a_40_mb_file_is_stored_without_holding_it_in_memory(large_file_server, tmp_path):
    documents = LocalDocumentStore(tmp_path / "documents")
    tracemalloc.start()
    try:
        outcome = fetch(large_file_server, "/plans/site-plan.pdf", documents, 50 * policy.MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(outcome, DocumentReceived), outcome
    assert (outcome.size, outcome.sha256) == (SIZE, expected_sha256(SIZE))
    assert (tmp_path / "documents" / outcome.key).stat().st_size == SIZE
    assert peak < 4 * policy.MB, f"peak {peak / policy.MB:.1f} MB while storing a {SIZE // policy.MB} MB file"


@pytest.mark.parametrize("path", ["/declared.pdf", "/undeclared.pdf"])
def test_the_size_cap_holds_while_streaming_and_leaves_nothing_stored(large_file_server, tmp_path, path):
    outcome = fetch(large_file_server, path, LocalDocumentStore(tmp_path / "documents"), 5 * policy.MB)
    assert isinstance(outcome, DocumentFetchFailed)
    assert outcome.reason == "larger than 5 MB"
    assert not [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
