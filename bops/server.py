"""The embedded HTTP server: each request becomes an API Gateway proxy event for the same Lambda handler AWS calls."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bops.relay import LocalContext
from shared.apigateway import (
    authorizer_request,
    method_arn,
    policy_allows,
    proxy_event,
    response_body,
    response_headers,
)
from shared.declarations import HttpFunction, Route, load_handler

log = logging.getLogger("bops.server")


@dataclass(frozen=True)
class BoundRoute:
    route: Route
    function: HttpFunction


class Router:
    def __init__(self, functions: Sequence[HttpFunction]) -> None:
        self.routes = [BoundRoute(route, function) for function in functions for route in function.routes]
        self._handlers: dict[str, Callable[..., Any]] = {}

    def match(self, method: str, path: str) -> tuple[BoundRoute, dict[str, str]] | str | None:
        """The route and its path parameters; "method" when the path exists for another method; None if unknown."""
        other_method = False
        for bound in self.routes:
            parameters = bound.route.matches(method, path)
            if parameters is not None:
                return bound, parameters
            if bound.route.matches(bound.route.method, path) is not None:
                other_method = True
        return "method" if other_method else None

    def handler(self, dotted: str) -> Callable[..., Any]:
        if dotted not in self._handlers:
            self._handlers[dotted] = load_handler(dotted)
        return self._handlers[dotted]


class EmbeddedServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        router: Router,
        authorizer: str,
        health: Callable[[], dict[str, Any]],
        max_body_bytes: int,
        after_request: Callable[[], None] = lambda: None,
    ) -> None:
        self.router = router
        self.authorizer = authorizer
        self.health = health
        self.max_body_bytes = max_body_bytes
        self.after_request = after_request
        super().__init__(address, RequestHandler)


class RequestHandler(BaseHTTPRequestHandler):
    server: EmbeddedServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out together and unbatched: no Nagle / delayed-ACK stalls on keep-alive connections.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _handle(self) -> None:
        url = urlsplit(self.path)
        path = url.path or "/"
        method = self.command
        if path == "/health" and method == "GET":
            self._send_json(200, self.server.health())
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.server.max_body_bytes:
            self._discard(length)
            self._send_json(413, {"message": f"Request body over {self.server.max_body_bytes} bytes"}, close=True)
            return
        body = self.rfile.read(length) if length else b""
        found = self.server.router.match(method, path)
        if found is None:
            self._send_json(404, {"message": "Not Found"})
            return
        if found == "method":
            self._send_json(405, {"message": "Method Not Allowed"})
            return
        assert not isinstance(found, str)
        bound, parameters = found
        event = proxy_event(
            method,
            path,
            bound.route.path,
            parameters,
            self.headers.items(),
            parse_qsl(url.query, True),
            body,
            self.client_address[0],
        )
        try:
            if bound.route.auth == "api_key" and not self._authorize(event, method, path):
                return
            handler = self.server.router.handler(bound.function.handler)
            response = handler(event, LocalContext(bound.function.name))
        except Exception:
            log.exception("handler %s failed", bound.function.handler)
            self._send_json(502, {"message": "Internal server error"})
            return
        finally:
            self.server.after_request()
        self._send(response.get("statusCode", 200), response_headers(response), response_body(response))

    def _discard(self, length: int) -> None:
        """Read (and drop) a moderately oversized body so the client sees the 413 rather than a broken pipe."""
        if length > 4 * self.server.max_body_bytes:
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                return
            length -= len(chunk)

    def _authorize(self, event: dict[str, Any], method: str, path: str) -> bool:
        arn = method_arn(method, path)
        try:
            policy = self.server.router.handler(self.server.authorizer)(authorizer_request(event, arn), None)
        except Exception as error:
            if str(error) == "Unauthorized":
                self._send_json(401, {"message": "Unauthorized"}, extra=[("WWW-Authenticate", "Bearer")])
                return False
            raise
        if not policy_allows(policy, arn):
            self._send_json(403, {"message": "User is not authorized to access this resource"})
            return False
        event["requestContext"]["authorizer"] = {"principalId": policy["principalId"], **policy.get("context", {})}
        return True

    def _send_json(
        self, status: int, body: Any, close: bool = False, extra: list[tuple[str, str]] | None = None
    ) -> None:
        headers = [("Content-Type", "application/json"), *(extra or [])]
        if close:
            headers.append(("Connection", "close"))
            self.close_connection = True
        self._send(status, headers, json.dumps(body).encode())

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.command != "HEAD":
            self._headers_buffer.append(b"\r\n" + body)  # type: ignore[attr-defined]  # one write for the whole response
            self.flush_headers()
        else:
            self.end_headers()
