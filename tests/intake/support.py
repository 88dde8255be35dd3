"""Test support for intake: ODP examples prepared for a test council, a local file server, a council with a key."""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.conftest import ODP

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def example_paths() -> list[Path]:
    """The 13 application, 17 prototype and 1 pre-application examples."""
    examples = ODP / "examples"
    return (
        sorted((examples / "application").rglob("*.json"))
        + sorted((examples / "prototypeApplication").rglob("*.json"))
        + [examples / "preApplication" / "preApp.json"]
    )


def type_code(payload: dict[str, Any]) -> str:
    if "applicationType" in payload:
        return payload["applicationType"]
    return payload["data"]["application"]["type"]["value"]


def prepared(path: Path, council: str, file_base: str | None) -> dict[str, Any]:
    """An example with a fresh metadata.id, the council's code, and (given a base URL) its files served locally."""
    payload = copy.deepcopy(json.loads(path.read_text()))
    payload["metadata"]["id"] = str(uuid.uuid4())
    payload["metadata"]["organisation"] = council
    if file_base:
        for index, item in enumerate(payload.get("files", [])):
            extension = item["name"].rsplit(".", 1)[-1].lower()
            item["name"] = f"{file_base}/files/{index}.{extension}"
    return payload


class FileHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        extension = self.path.rsplit(".", 1)[-1].lower()
        body = PNG if extension == "png" else JPEG if extension in ("jpg", "jpeg") else PDF
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_files() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FileHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:  # the council rules refuse loopback addresses: `localhost` is this machine (embedded runtime, tests only)
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def create_council(runtime: Any, code: str, hosts: tuple[str, ...] = (), scopes: tuple[str, ...] | None = None) -> str:
    """A council with a download allowlist and an API key; returns the key once the authorizer can see it."""
    from events.council import CouncilSettingsChanges
    from services.councils.service import CouncilService

    service = CouncilService(runtime.deps.event_store, runtime.deps.clock)
    if not service.load(code).exists:
        service.create_council(code, f"{code} Council", code.lower())
        if hosts:
            service.change_settings(code, CouncilSettingsChanges(allow_download_hosts=hosts))
    _, key = service.create_api_key(
        code, "test service", scopes or ("planning_application:read", "planning_application:write")
    )
    assert runtime.relay.drain(timeout=10)
    return key


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def recorded_events(payloads: list[Any], stream_id: str, at: datetime, first_version: int = 1) -> list[Any]:
    """Payloads as the events a stream would hold from `first_version` on (system actor, recorded at `at`)."""
    from events import Actor, RecordedEvent

    return [
        RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=stream_id,
            version=first_version + offset,
            council=stream_id.split(":")[1],
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            occurred_at=at,
            recorded_at=at,
            actor=Actor.system(),
            correlation_id=uuid.uuid4(),
            causation_id=None,
            payload=payload,
        )
        for offset, payload in enumerate(payloads)
    ]
