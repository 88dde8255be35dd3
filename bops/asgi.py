"""The ASGI application of `bops serve`: each request becomes an API Gateway proxy event for the declared Lambda
handler, behind the body, header and time limits API Gateway would apply (`HttpLimits`)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import json
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote

from bops.relay import LocalContext
from bops.routing import AUTHORIZED, KNOWN_METHODS, BoundRoute, Router, allow, served_method
from shared.apigateway import (
    authorizer_request,
    method_arn,
    policy_allows,
    proxy_event,
    response_body,
    response_headers,
)
from shared.documents.local import LINK_PREFIX, LinkedFile, LinkRefused, LocalDocumentStore
from shared.documents.port import inline_disposition

log = logging.getLogger("bops.server")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
BodyState = Literal["read", "unread", "broken"]  # an unread body may be drained before closing, a broken one is not

# A refused body up to this many times the limit is read and dropped after the answer, so clients that send it all
# before reading see the 413; a larger one is not read at all: the connection closes.
DRAIN_FACTOR = 4
LINK_CHUNK_BYTES = 256 * 1024  # a linked document is streamed in chunks of this size
# Every document served from a link: never cached, never an active page of this origin (as the API serves documents)
SERVED_DOCUMENT_HEADERS = (
    ("Cache-Control", "private, no-store"),
    ("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"),
    ("X-Content-Type-Options", "nosniff"),
)
# What `/health` tells anyone (an uptime probe); the rest of it (the log's length, which is every council's activity,
# each subscriber's lag and dead letters, the version) only to a request from this machine's loopback interface.
PUBLIC_HEALTH = ("status", "caught_up")
# Headers a reverse proxy adds: a request relayed by one on this machine comes from loopback but is not the operator's.
FORWARDING_HEADERS = frozenset({"Forwarded", "X-Forwarded-For", "X-Real-Ip"})


# A write refused because the data folder's disk (or the database's size limit) is full: the request is answered 503
# with this message and a Retry-After, since nothing was stored (the log's append is one transaction, rolled back; a
# document is written to a temporary file, removed) and the same request succeeds once space is freed.
STORAGE_FULL = "The service cannot store anything now: its disk is full. Nothing was stored; try again later."
STORAGE_FULL_RETRY_SECONDS = 300
_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


# Powertools' resolvers keep the request being resolved in one attribute of their base class, shared by every
# service's resolver in the process: Lambda runs one request at a time per process, and so must the handlers here, or
# a handler reads another request's path, body or authorizer context. Requests still arrive, are read and wait on the
# handler threads concurrently; `--workers` serves handlers in parallel, one per process.
ONE_HANDLER_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class HttpLimits:
    max_body_bytes: int
    max_header_bytes: int = 32 * 1024  # the request's headers together (over it: 431)
    max_headers: int = 100  # header fields in one request (over it: 431)
    max_connections: int = 256  # open connections per process; more are answered 503 and closed at once
    request_head_timeout: float = 10.0  # from accept, or the previous response, to a complete request head
    body_timeout: float = 30.0  # from the request head to the end of its body (408)
    handler_threads: int = 16  # requests being handled per process (their handlers run one at a time); more wait


class Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class ProxyApp:
    """An ASGI application that serves each request through the declared Lambda handler, as API Gateway does."""

    def __init__(
        self,
        router: Router,
        authorizer: str,
        health: Callable[[], dict[str, Any]],
        limits: HttpLimits,
        after_request: Callable[[], None],
    ) -> None:
        self.router = router
        self.authorizer = authorizer
        self.health = health
        self.limits = limits
        self.after_request = after_request
        self.executor = ThreadPoolExecutor(limits.handler_threads, thread_name_prefix="bops-handler")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["raw_path"].decode("ascii") or "/"
        headers = [(name.decode("latin-1").title(), value.decode("latin-1")) for name, value in scope["headers"]]
        if path.startswith(LINK_PREFIX) and method in ("GET", "HEAD") and not _has_body(headers):
            await self._serve_link(scope, send, method, path)
            return
        status, response_headers_, body, body_state = await self._respond(scope, receive, method, path, headers)
        if body_state != "read":  # closing is the only way not to read the rest of a body
            response_headers_ = [*response_headers_, ("Connection", "close")]
        headers_out = [*response_headers_, ("Content-Length", str(len(body)))]
        await send({"type": "http.response.start", "status": status, "headers": _encoded(headers_out)})
        if method == "HEAD":  # the GET answer's status and headers, its length too, without the body
            body = b""
        drain = body_state == "unread"
        await send({"type": "http.response.body", "body": body, "more_body": drain})
        if drain:
            await self._drain(receive, headers)
            await send({"type": "http.response.body", "body": b""})

    async def _serve_link(self, scope: Scope, send: Send, method: str, path: str) -> None:
        """A document store link (`LocalDocumentStore.link`, what S3's presigned URLs are on AWS): the file streamed
        from disk in chunks, never whole in memory, with the headers every served document gets."""
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        key = unquote(path[len(LINK_PREFIX) :])
        try:
            linked = await self._in_thread(self.linked_file, key, query)
        except LinkRefused as refused:
            status, headers, body = _json(refused.status, {"message": str(refused)})
            await _answer(send, status, headers, body)
            return
        headers = [
            ("Content-Type", linked.content_type),
            ("Content-Disposition", inline_disposition(linked.file_name)),
            *SERVED_DOCUMENT_HEADERS,
            ("Content-Length", str(linked.size)),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": _encoded(headers)})
        if method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        file = await self._in_thread(linked.path.open, "rb")
        left = linked.size  # what the answer announced, even if the file changed meanwhile
        try:
            while left > 0:
                chunk = await self._in_thread(file.read, min(LINK_CHUNK_BYTES, left))
                if not chunk:
                    break
                left -= len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": left > 0})
        finally:
            file.close()
        if left > 0:  # the file was cut short under us: the client sees a short answer, not a hang
            raise ConnectionError(f"document {key} shrank while it was served")

    def linked_file(self, key: str, query: dict[str, str]) -> LinkedFile:
        from shared.wiring import dependencies

        documents = dependencies().documents
        if not isinstance(documents, LocalDocumentStore):
            raise LinkRefused(404, "Not Found")
        return documents.open_link(key, query)

    async def _drain(self, receive: Receive, headers: list[tuple[str, str]]) -> None:
        """Read and drop a refused body after the answer has gone out, up to a bound, before closing: a client that
        sends its whole body before reading (urllib, http.client) then sees the answer rather than a reset."""
        bound = DRAIN_FACTOR * self.limits.max_body_bytes
        declared = next((value for name, value in headers if name == "Content-Length"), None)
        if declared is not None and int(declared) > bound:
            return
        seen = 0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.limits.body_timeout):
                while seen <= bound:
                    message = await receive()
                    seen += len(message.get("body", b""))
                    if message["type"] == "http.disconnect" or not message.get("more_body"):
                        return

    async def _respond(
        self, scope: Scope, receive: Receive, method: str, path: str, headers: list[tuple[str, str]]
    ) -> tuple[int, list[tuple[str, str]], bytes, BodyState]:
        unread: BodyState = "unread" if _has_body(headers) else "read"
        if len(headers) > self.limits.max_headers or sum(len(n) + len(v) + 4 for n, v in headers) > (
            self.limits.max_header_bytes
        ):
            limits = f"{self.limits.max_headers} fields, {self.limits.max_header_bytes} bytes"
            return (*_json(431, {"message": f"Request headers over the limit ({limits})"}), "broken")
        names = {name for name, _ in headers}
        if {"Content-Length", "Transfer-Encoding"} <= names:
            # RFC 9112 section 6.3: both framings at once is how requests are smuggled past a proxy; refuse it.
            return (*_json(400, {"message": "Content-Length and Transfer-Encoding together"}), "broken")
        if method not in KNOWN_METHODS:
            return (*_json(501, {"message": f"Method {method} is not implemented"}), unread)
        if path == "/health":
            if served_method(method) != "GET":
                return (*_not_allowed(frozenset({"GET"})), unread)
            health = await self._in_thread(self.health)
            if not _from_this_machine(scope, headers):
                health = {name: health[name] for name in PUBLIC_HEALTH if name in health}
            return (*_json(200, health), unread)
        found = self.router.match(method, path)
        if found is None:
            return (*_json(404, {"message": "Not Found"}), unread)
        if not isinstance(found, tuple):  # the path exists for other methods
            return (*_not_allowed(found), unread)
        bound, parameters = found
        try:
            body = await self._read_body(receive, headers)
        except Refusal as refusal:
            return (
                *_json(refusal.status, {"message": refusal.message}),
                "unread" if refusal.status == 413 else "broken",
            )
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        client = scope.get("client") or ("127.0.0.1", 0)
        method = served_method(method)  # the handler and the authorizer see a HEAD as the GET it is
        event = proxy_event(method, path, bound.route.path, parameters, headers, query, body, client[0])
        status, response_headers_, response = await self._in_thread(self._call, bound, event, method, path)
        return status, response_headers_, response, "read"

    async def _read_body(self, receive: Receive, headers: list[tuple[str, str]]) -> bytes:
        """The whole body, refused (413) as soon as it is declared or seen to exceed the limit, never read past it."""
        limit = self.limits.max_body_bytes
        declared = next((value for name, value in headers if name == "Content-Length"), None)
        if declared is not None and int(declared) > limit:  # h11 has checked it is one non-negative integer
            raise Refusal(413, f"Request body over {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.limits.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise Refusal(400, "The client went away before the end of the body")
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        raise Refusal(413, f"Request body over {limit} bytes")
                    chunks.append(chunk)
                    if not message.get("more_body"):
                        return b"".join(chunks)
        except TimeoutError:
            raise Refusal(408, f"The body did not arrive within {self.limits.body_timeout:g} seconds") from None

    def _call(
        self, bound: BoundRoute, event: dict[str, Any], method: str, path: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        try:
            if bound.route.auth in AUTHORIZED:  # the same authorizer as API Gateway's, for keys and officer tokens
                refused = self._authorize(event, method, path)
                if refused is not None:
                    return refused
            handler = self.router.handler(bound.function.handler)
            with ONE_HANDLER_AT_A_TIME:
                response = handler(event, LocalContext(bound.function.name))
            return response.get("statusCode", 200), response_headers(response), response_body(response)
        except Exception as error:
            if storage_full(error):
                log.error("handler %s could not store, the disk is full: %s", bound.function.handler, error)
                status, headers, body = _json(503, {"message": STORAGE_FULL})
                return status, [*headers, ("Retry-After", str(STORAGE_FULL_RETRY_SECONDS))], body
            log.exception("handler %s failed", bound.function.handler)
            return _json(502, {"message": "Internal server error"})
        finally:
            self.after_request()

    def _authorize(
        self, event: dict[str, Any], method: str, path: str
    ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """Run the Lambda authorizer as API Gateway does: a refusal to answer, or None and the event has its context."""
        arn = method_arn(method, path)
        try:
            policy = self.router.handler(self.authorizer)(authorizer_request(event, arn), None)
        except Exception as error:
            if str(error) == "Unauthorized":
                status, headers, body = _json(401, {"message": "Unauthorized"})
                return status, [*headers, ("WWW-Authenticate", "Bearer")], body
            raise
        if not policy_allows(policy, arn):
            return _json(403, {"message": "User is not authorized to access this resource"})
        event["requestContext"]["authorizer"] = {"principalId": policy["principalId"], **policy.get("context", {})}
        return None

    async def _in_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)


def storage_full(error: BaseException) -> bool:
    """Whether `error`, or an error it was raised from or during, is a full disk: SQLite's SQLITE_FULL ("database or
    disk is full") or a file write's ENOSPC / EDQUOT."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.OperationalError) and (
            getattr(current, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_FULL
            or "database or disk is full" in str(current)
        ):
            return True
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False


def _from_this_machine(scope: Scope, headers: list[tuple[str, str]]) -> bool:
    """A request from the loopback interface that no proxy relayed (uvicorn puts a trusted proxy's X-Forwarded-For
    address in the client; a proxy that forwards otherwise is caught by its headers)."""
    client = scope.get("client")
    if not client or any(name in FORWARDING_HEADERS for name, _ in headers):
        return False
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


def _has_body(headers: list[tuple[str, str]]) -> bool:
    return any(name == "Transfer-Encoding" or (name == "Content-Length" and value != "0") for name, value in headers)


def _encoded(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1", "replace")) for name, value in headers]


async def _answer(send: Send, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    headers = [*headers, ("Content-Length", str(len(body)))]
    await send({"type": "http.response.start", "status": status, "headers": _encoded(headers)})
    await send({"type": "http.response.body", "body": body})


def _not_allowed(methods: frozenset[str]) -> tuple[int, list[tuple[str, str]], bytes]:
    status, headers, body = _json(405, {"message": "Method Not Allowed"})
    return status, [*headers, ("Allow", allow(methods))], body


def _json(status: int, body: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "application/json")], json.dumps(body).encode()
