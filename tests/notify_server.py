"""A local GOV.UK Notify-compatible HTTP server for the tests and the benchmark, driven by the real client.

It checks each request's JWT as Notify does (the same `decode_jwt_token` Notify's API uses: HS256 signed with the
key's secret, `iss` = the service id, `iat` within 30 seconds), records every request, and serves what the project
uses of Notify's v2 API:

- `POST /v2/notifications/email` (201 with the notification's id; 400 on an unknown template or reply-to id, missing
  personalisation or a bad address, as Notify answers),
- `GET /v2/notifications/{id}` (the notification and its status, which a test moves on with `set_status`),
- `GET /v2/template/{id}` (the template, or 404 `NoResultFound`).

A test makes the next requests fail on demand: `fail_next("429", "500")` answers the next two matching requests with
429 then 500; `"400"` answers 400 `BadRequestError`; `"hang"` holds the request without answering (until
`hang_seconds`, or until the server stops), so the client times out.

Use it as the `notify_server` fixture (`from tests.notify_server import notify_server` in a conftest) or with
`FakeNotify()` as a context manager (the benchmark). An API key is `{key_name}-{service_id}-{secret}`, as Notify's.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

EMAIL_PATH = "/v2/notifications/email"
FAULTS = ("429", "500", "503", "400", "403", "hang")
FINAL_STATUSES = ("delivered", "permanent-failure", "temporary-failure", "technical-failure")
_PLACEHOLDER = re.compile(r"\(\(([^()]+?)\)\)")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NOTIFICATION_PATH = re.compile(r"^/v2/notifications/([^/]+)$")
_TEMPLATE_PATH = re.compile(r"^/v2/template/([^/]+)$")


@dataclass
class Template:
    id: str
    subject: str
    body: str
    name: str = "template"
    version: int = 1

    def placeholders(self) -> set[str]:
        return set(_PLACEHOLDER.findall(self.subject)) | set(_PLACEHOLDER.findall(self.body))

    def render(self, text: str, personalisation: dict[str, Any]) -> str:
        return _PLACEHOLDER.sub(lambda found: str(personalisation.get(found.group(1), found.group(0))), text)


@dataclass
class Service:
    """One Notify service: its API keys' secrets, templates, reply-to addresses and the notifications it sent."""

    id: str
    base_url: str
    secrets: list[str] = field(default_factory=list)
    templates: dict[str, Template] = field(default_factory=dict)
    reply_to_ids: set[str] = field(default_factory=set)
    notifications: dict[str, dict[str, Any]] = field(default_factory=dict)

    def new_api_key(self, name: str = "bops_test") -> str:
        secret = str(uuid.uuid4())
        self.secrets.append(secret)
        return f"{name}-{self.id}-{secret}"

    def add_template(
        self,
        subject: str = "((subject))",
        body: str = "((body))",
        *,
        template_id: str | None = None,
        name: str = "template",
    ) -> str:
        template_id = template_id or str(uuid.uuid4())
        self.templates[template_id] = Template(template_id, subject, body, name)
        return template_id

    def add_reply_to(self, reply_to_id: str | None = None) -> str:
        reply_to_id = reply_to_id or str(uuid.uuid4())
        self.reply_to_ids.add(reply_to_id)
        return reply_to_id


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it, and what it answered."""

    method: str
    path: str
    body: Any
    service_id: str | None  # the token's issuer when the token was good, else None
    status: int


class FakeNotify:
    """The server: start with `start()` (or `with FakeNotify() as notify:`), read `base_url`, `api_key`, `requests`."""

    def __init__(self, hang_seconds: float = 10.0) -> None:
        self.hang_seconds = hang_seconds
        self._lock = threading.Lock()
        self._faults: deque[tuple[str, str]] = deque()  # (fault, path prefix)
        self._stopping = threading.Event()
        self._requests: list[Recorded] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self.services: dict[str, Service] = {}
        self.service = self.new_service()
        self.api_key = self.service.new_api_key()

    # -- control -------------------------------------------------------------------------------------------------
    def new_service(self) -> Service:
        service = Service(str(uuid.uuid4()), self.base_url)
        self.services[service.id] = service
        return service

    def add_template(self, subject: str = "((subject))", body: str = "((body))", **kwargs: Any) -> str:
        """A template of the default service (the generic one by default: subject and body as personalisation)."""
        return self.service.add_template(subject, body, **kwargs)

    def fail_next(self, *faults: str, path: str = EMAIL_PATH) -> None:
        """The next requests whose path starts with `path` get these answers, one each, in order."""
        for fault in faults:
            if fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}: one of {FAULTS}")
        with self._lock:
            self._faults.extend((fault, path) for fault in faults)

    def set_status(self, notify_id: str, status: str) -> None:
        for service in self.services.values():
            notification = service.notifications.get(notify_id)
            if notification is not None:
                notification["status"] = status
                if status in FINAL_STATUSES:
                    notification["completed_at"] = _now()
                return
        raise KeyError(notify_id)

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    def sent(self) -> list[dict[str, Any]]:
        """The emails Notify accepted (201), in order: the request bodies."""
        return [r.body for r in self.requests if r.method == "POST" and r.path == EMAIL_PATH and r.status == 201]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._faults.clear()

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def start(self) -> FakeNotify:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-notify", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging requests
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeNotify:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving -------------------------------------------------------------------------------------------------
    def _next_fault(self, path: str) -> str | None:
        with self._lock:
            for index, (fault, prefix) in enumerate(self._faults):
                if path.startswith(prefix):
                    del self._faults[index]
                    return fault
        return None

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self._requests.append(recorded)

    def answer(self, method: str, path: str, authorization: str | None, body: Any) -> tuple[int, dict[str, Any]]:
        service, auth_error = self._authenticate(authorization)
        if service is None:
            status, payload = auth_error
            self._record(Recorded(method, path, body, None, status))
            return status, payload
        fault = self._next_fault(path)
        if fault == "hang":
            self._record(Recorded(method, path, body, service.id, 0))
            self._stopping.wait(self.hang_seconds)
            return _error(500, "Exception", "Internal server error")  # the client gave up long ago
        if fault is not None:
            status, payload = _fault(fault)
        else:
            status, payload = self._route(service, method, path, body)
        self._record(Recorded(method, path, body, service.id, status))
        return status, payload

    def _authenticate(self, authorization: str | None) -> tuple[Service | None, tuple[int, dict[str, Any]]]:
        if not authorization:
            return None, _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token:
            return None, _error(401, "AuthError", "Unauthorized: authentication bearer scheme must be used")
        try:
            issuer = get_token_issuer(token)
        except TokenError as error:
            return None, _error(403, "AuthError", error.message)
        service = self.services.get(str(issuer))
        if service is None:
            return None, _error(403, "AuthError", "Invalid token: service not found")
        last: TokenError | None = None
        for secret in service.secrets:
            try:
                decode_jwt_token(token, secret)
                return service, (200, {})
            except TokenError as error:
                last = error
        message = last.message if last and "signature" not in last.message else "Invalid token: API key not found"
        return None, _error(403, "AuthError", message)

    def _route(self, service: Service, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path == EMAIL_PATH:
            return self._send_email(service, body)
        found = _NOTIFICATION_PATH.match(path)
        if method == "GET" and found:
            if not _is_uuid(found.group(1)):
                return _error(400, "ValidationError", "notification_id is not a valid UUID")
            notification = service.notifications.get(found.group(1))
            return (200, notification) if notification else _error(404, "NoResultFound", "No result found")
        found = _TEMPLATE_PATH.match(path)
        if method == "GET" and found:
            if not _is_uuid(found.group(1)):
                return _error(400, "ValidationError", "id is not a valid UUID")
            template = service.templates.get(found.group(1))
            if template is None:
                return _error(404, "NoResultFound", "No result found")
            return 200, {
                "id": template.id,
                "name": template.name,
                "type": "email",
                "created_at": _now(),
                "updated_at": None,
                "created_by": "notify-test@example.gov.uk",
                "version": template.version,
                "body": template.body,
                "subject": template.subject,
                "letter_contact_block": None,
            }
        return _error(404, "NotFound", "Not found")  # what the project does not use

    def _send_email(self, service: Service, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            return _error(400, "ValidationError", "Invalid JSON supplied in POST data")
        errors = [f"{name} is a required property" for name in ("email_address", "template_id") if name not in body]
        if errors:
            return _errors(400, "ValidationError", errors)
        address, template_id = body["email_address"], body["template_id"]
        if not isinstance(address, str) or not _EMAIL.match(address):
            return _error(400, "ValidationError", "email_address Not a valid email address")
        if not _is_uuid(template_id):
            return _error(400, "ValidationError", "template_id is not a valid UUID")
        template = service.templates.get(template_id)
        if template is None:
            return _error(400, "BadRequestError", "Template not found")
        personalisation = body.get("personalisation") or {}
        missing = sorted(template.placeholders() - set(personalisation))
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        reply_to = body.get("email_reply_to_id")
        if reply_to is not None and reply_to not in service.reply_to_ids:
            return _error(
                400,
                "BadRequestError",
                f"email_reply_to_id {reply_to} does not exist in database for service id {service.id}",
            )
        notify_id = str(uuid.uuid4())
        subject = template.render(template.subject, personalisation)
        content = template.render(template.body, personalisation)
        template_ref = {
            "id": template.id,
            "version": template.version,
            "uri": f"{self.base_url}/v2/template/{template.id}/version/{template.version}",
        }
        service.notifications[notify_id] = {
            "id": notify_id,
            "reference": body.get("reference"),
            "email_address": address,
            "phone_number": None,
            "line_1": None,
            "type": "email",
            "status": "created",
            "template": template_ref,
            "body": content,
            "subject": subject,
            "created_at": _now(),
            "created_by_name": None,
            "sent_at": None,
            "completed_at": None,
        }
        return 201, {
            "id": notify_id,
            "reference": body.get("reference"),
            "content": {"subject": subject, "body": content, "from_email": "council@notifications.service.gov.uk"},
            "uri": f"{self.base_url}/v2/notifications/{notify_id}",
            "template": template_ref,
        }


def _handler(notify: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the client's session expects
        disable_nagle_algorithm = True  # else each answer waits for the client's delayed ACK (40 ms): not "at once"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            path = self.path.split("?", 1)[0]
            status, payload = notify.answer(self.command, path, self.headers.get("Authorization"), body)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                self.close_connection = True

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _fault(fault: str) -> tuple[int, dict[str, Any]]:
    if fault == "429":
        return _error(429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds")
    if fault == "400":
        return _error(400, "BadRequestError", "Can't send to this recipient using a team-only API key")
    if fault == "403":
        return _error(403, "AuthError", "Invalid token: API key revoked")
    return _error(int(fault), "Exception", "Internal server error")


def _error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return _errors(status, error, [message])


def _errors(status: int, error: str, messages: list[str]) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": error, "message": m} for m in messages]}


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def notify_server() -> Iterator[FakeNotify]:
    """A started local Notify (one service, one API key in `api_key`, no template yet), stopped after the test."""
    with FakeNotify() as notify:
        yield notify
