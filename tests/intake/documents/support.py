"""A real local file server (HTTP, optionally HTTPS) and builders for the document fetcher's tests."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from events import Actor, NewEvent, RecordedEvent
from events.application import PlanningApplicationSubmitted
from events.streams import application_stream
from events.submission import FileReference, SiteSummary, SubmissionSummary
from shared import reference_data
from shared.eventstore.port import EventStore
from shared.odp.model import Submission
from shared.odp.summary import summarise

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
COUNCIL = "DEMO"
REFERENCE = "26-00001-HAPP"
CREDENTIAL = "planx-key-7f3a9c1e5b2d4f6a8c0e"
HOUSEHOLDER_EXAMPLE = reference_data.odp_examples_dir() / "application" / "planningPermission" / "fullHouseholder.json"


def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
PNG = _png_1x1()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HTML = b"<html><body>Sign in to PlanX</body></html>\n"
HUGE = b"%PDF-1.7\n" + b"0" * 200_000


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class FileServerState:
    base: str = ""
    hits: Counter[str] = field(default_factory=Counter)
    seen: list[Seen] = field(default_factory=list)
    flaky_failures: int = 1
    later_available: bool = False  # whether /files/later.pdf is there yet (404 until then)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]


# Paths always answered the same: status, body and Content-Type.
FIXED_RESPONSES: dict[str, tuple[int, bytes, str]] = {
    "/files/plan.pdf": (200, PDF, "application/octet-stream"),
    "/files/photo.png": (200, PNG, "application/octet-stream"),
    "/files/photo.jpg": (200, JPEG, "application/octet-stream"),
    "/files/plan2.pdf": (200, PDF, "application/octet-stream"),
    "/files/disguised.pdf": (200, HTML, "application/pdf"),  # claims PDF, is HTML
    "/files/empty.pdf": (200, b"", "application/pdf"),
    "/files/huge.pdf": (200, HUGE, "application/pdf"),
    "/files/missing.pdf": (404, b"not found", "text/plain"),
    "/files/forbidden.pdf": (403, b"forbidden", "text/plain"),
    "/files/down.pdf": (503, b"down", "text/plain"),
    "/files/busy.pdf": (429, b"slow down", "text/plain"),
}


class FileHandler(BaseHTTPRequestHandler):
    """Routes of the test file server (see `do_GET` and the methods it calls)."""

    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        hits = self.record()
        path = self.path
        if path in FIXED_RESPONSES:
            return self.send(*FIXED_RESPONSES[path])
        if path.startswith("/named/"):
            return self.send(200, PDF, "application/pdf")
        if path == "/files/flaky.pdf":
            return self.flaky(hits)
        if path == "/files/later.pdf":  # not found until the test makes it available
            if self.server.state.later_available:
                return self.send(200, PDF, "application/pdf")
            return self.send(404, b"not yet", "text/plain")
        if path.startswith("/redirect/"):
            return self.redirect_route(path)
        if path == "/private/plan.pdf" or path.startswith("/file/private/"):  # like PlanX's private files
            return self.private_file()
        timed = {"/files/huge-stream.pdf": self.huge_stream, "/files/slow.pdf": self.slow, "/files/drip.pdf": self.drip}
        if path in timed:
            return timed[path]()
        return self.send(404, b"no such route", "text/plain")

    def record(self) -> int:
        """Count and keep this request; how many requests to its path there have been, this one included."""
        state: FileServerState = self.server.state
        with state.lock:
            state.hits[self.path] += 1
            state.seen.append(Seen(self.path, {name.lower(): value for name, value in self.headers.items()}))
            return state.hits[self.path]

    def flaky(self, hits: int) -> None:
        """Fails the first `flaky_failures` requests, then serves the PDF."""
        if hits <= self.server.state.flaky_failures:
            return self.send(500, b"oops", "text/plain")
        return self.send(200, PDF, "application/pdf")

    def huge_stream(self) -> None:
        """No Content-Length: the body ends when the connection closes."""
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.end_headers()
        for start in range(0, len(HUGE), 8192):
            self.wfile.write(HUGE[start : start + 8192])

    def slow(self) -> None:
        time.sleep(1.5)
        self.send(200, PDF, "application/pdf")

    def drip(self) -> None:
        """A byte every 50 ms: each read is quick, the whole is too slow."""
        self.send_response(200)
        self.send_header("Content-Length", str(len(PDF)))
        self.end_headers()
        try:
            for byte in PDF:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    def redirect_route(self, path: str) -> None:
        """The `/redirect/...` routes."""
        to_localhost = self.server.state.base.replace("127.0.0.1", "localhost")
        targets = {
            "/redirect/same": "/files/plan.pdf",
            "/redirect/to-localhost": to_localhost + "/files/plan.pdf",
            "/redirect/to-elsewhere": "http://files.elsewhere.test/plan.pdf",
            "/redirect/to-ftp": "ftp://127.0.0.1/plan.pdf",
        }
        if path in targets:
            return self.redirect(targets[path])
        if path.startswith("/redirect/chain/"):
            left = int(path.rsplit("/", 1)[1])
            return self.redirect(f"/redirect/chain/{left - 1}" if left > 0 else "/files/plan.pdf")
        if path == "/redirect/private-to-localhost":
            return self.redirect(to_localhost + "/private/plan.pdf", 307)
        return self.send(404, b"no such route", "text/plain")

    def private_file(self) -> None:
        """Served only with the right `api-key` header."""
        if self.headers.get("api-key") != CREDENTIAL:
            return self.send(403, b"api-key required", "text/plain")
        return self.send(200, PDF, "application/pdf")

    def send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that give up (timeouts, size caps, refused certificates) are part of the tests


class FileServer:
    """A threaded HTTP(S) file server on 127.0.0.1 and a random port."""

    def __init__(self, ssl_context: Any = None) -> None:
        self.httpd = QuietServer(("127.0.0.1", 0), FileHandler)
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        scheme = "https" if ssl_context is not None else "http"
        self.state = FileServerState(base=f"{scheme}://127.0.0.1:{self.port}")
        self.httpd.state = self.state  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return self.state.base

    @property
    def host(self) -> str:
        """The allowlist entry naming this server's address and port."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> FileServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def submission(urls: list[str], types: list[tuple[str, ...]] | None = None) -> SubmissionSummary:
    types = types or [("drawing.other",)] * len(urls)
    return SubmissionSummary(
        format="application",
        application_type="pp.full.householder",
        site=SiteSummary(address="1 High Street, Testtown"),
        file_count=len(urls),
        files=tuple(
            FileReference(url=url, types=kinds, description=f"file {index}")
            for index, (url, kinds) in enumerate(zip(urls, types, strict=True))
        ),
    )


def submitted(store: EventStore, sub: Submission | SubmissionSummary, reference: str = REFERENCE) -> RecordedEvent:
    """Record the application's PlanningApplicationSubmitted on its main stream, as intake does."""
    payload = PlanningApplicationSubmitted(
        reference=reference,
        received_at=T0,
        submission=sub if isinstance(sub, SubmissionSummary) else summarise(sub),
        payload_key=f"{COUNCIL}/{reference}/submission.json",
        payload_sha256="a" * 64,
        payload_size=1234,
    )
    event = NewEvent(payload, COUNCIL, Actor.system("intake"), T0)
    stream = application_stream(COUNCIL, reference)
    return store.append(stream, store.stream_version(stream), [event])[0]


def make_self_signed_certificate(directory: Path, names: str) -> tuple[Path, Path]:
    """A throwaway certificate and key (openssl CLI) for `names`, e.g. "DNS:localhost,IP:127.0.0.1"."""
    import subprocess

    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=bops-test",
            "-addext", f"subjectAltName={names}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
