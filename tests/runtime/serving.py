"""A real embedded HTTP server on a free port for the runtime tests, serving the sample handlers."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

from bops.asgi import HttpLimits
from bops.routing import Router
from bops.server import EmbeddedServer
from shared.declarations import HttpFunction, Route

FUNCTIONS = [
    HttpFunction(
        "echo",
        "tests.runtime.sample_handlers.echo",
        (
            Route("POST", "/things/{thing_id}/files"),
            Route("GET", "/things"),
            Route("GET", "/private", auth="api_key", scopes=("planning_application:read",)),
        ),
    ),
    HttpFunction("first", "tests.runtime.sample_handlers.first", (Route("GET", "/first/{name}", auth="api_key"),)),
    HttpFunction("second", "tests.runtime.sample_handlers.second", (Route("GET", "/second/{name}"),)),
]


@contextlib.contextmanager
def running_server(
    limits: HttpLimits, health: Callable[[], dict[str, Any]] = lambda: {"status": "ok"}
) -> Iterator[EmbeddedServer]:
    instance = EmbeddedServer(
        ("127.0.0.1", 0), Router(FUNCTIONS), "tests.runtime.sample_handlers.allow_all", health, limits
    )
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    try:
        yield instance
    finally:
        instance.shutdown()
        thread.join(timeout=10)
        instance.server_close()


def connect(server: EmbeddedServer, timeout: float = 5) -> socket.socket:
    return socket.create_connection(server.server_address, timeout=timeout)


def exchange(server: EmbeddedServer, raw: bytes, timeout: float = 5) -> bytes:
    """Send raw bytes on a fresh connection; everything the server answers until it closes or goes quiet."""
    with connect(server, timeout) as sock:
        sock.sendall(raw)
        return read_until_closed(sock)


def read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    with contextlib.suppress(TimeoutError, ConnectionResetError):
        while chunk := sock.recv(65536):
            received += chunk
    return received


def call_asgi(app: Any, scope: dict[str, Any], body: bytes = b"") -> list[dict[str, Any]]:
    """The messages `app` sends for one request, as uvicorn calls it, run on a fresh thread: the test's own thread may
    be inside an event loop already (Playwright's sync API keeps one running in the browser tests' worker), where
    `asyncio.run` refuses to start."""
    import asyncio

    sent: list[dict[str, Any]] = []
    failed: list[BaseException] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    def run() -> None:
        try:
            asyncio.run(app(scope, receive, send))
        except BaseException as error:  # re-raised on the test's thread
            failed.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return sent
