"""The embedded HTTP server: uvicorn serving `bops.asgi.ProxyApp`, which hands each request to a Lambda handler.

HTTP itself is uvicorn's, with h11: a strict HTTP/1.1 parser that refuses a negative, non-numeric or doubled
`Content-Length` and decodes chunked bodies, so nothing can be smuggled as a second request. `HttpLimits` sets what a
server facing untrusted clients needs on top: `ProxyApp` enforces the body limit before reading (413), header limits
(431), a deadline for the body (408) and a bounded thread pool for the handlers (they are synchronous); this module
caps open connections and gives each request head a deadline, so slow or idle connections are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from bops.asgi import HttpLimits, ProxyApp
from bops.routing import Router
from bops.shutdown import arm_stop_deadline

log = logging.getLogger("bops.server")


OVER_CAPACITY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 37\r\n"
    b'Connection: close\r\n\r\n{"message": "Too many connections"}\r\n'
)


class LimitedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a cap on open connections and a deadline for each request head.

    uvicorn closes a keep-alive connection that stays silent, but any byte resets its timer, and a new connection that
    never sends a request is never closed: a client trickling a header a byte at a time, or opening connections and
    sending nothing, would hold them forever. Here a connection must deliver each complete request head within
    `request_head_timeout` of being accepted or of its previous response, else it is closed.
    """

    limits: HttpLimits

    @classmethod
    def with_limits(cls, limits: HttpLimits) -> type[LimitedH11Protocol]:
        return type(cls.__name__, (cls,), {"limits": limits})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            log.warning("over %d open connections: refusing one", self.limits.max_connections)
            transport.write(OVER_CAPACITY)
            transport.close()
            return
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_deadline()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 cannot parse (framing, Content-Length, an oversized head), in JSON like
        every other answer of the server rather than plain text."""
        body = json.dumps({"message": f"Malformed HTTP request: {msg}"}).encode()
        headers = [(b"Content-Type", b"application/json"), (b"Content-Length", b"%d" % len(body))]
        headers.append((b"Connection", b"close"))
        answer = h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
        for event in (answer, h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()

    def _arm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        self._head_deadline = self.loop.call_later(self.limits.request_head_timeout, self._head_overdue)

    def _head_overdue(self) -> None:
        waiting_for_head = self.cycle is None or self.cycle.response_complete
        if waiting_for_head and not self.transport.is_closing():
            self.transport.close()


class _BoundedStopServer(uvicorn.Server):
    """uvicorn's server whose first stop signal also arms the deadline for the whole stop (`bops.shutdown`). Each part
    of the stop is bounded on its own (the server's graceful shutdown, the relay, the scheduler, `bops.shutdown`); this
    is the backstop for a stop that still hangs, and its dump names where."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        arm_stop_deadline()
        super().handle_exit(sig, frame)


class _SignalFreeServer(uvicorn.Server):
    """For forked workers, whose signals their parent decides (`bops.workers`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class CannotListen(Exception):
    """The address is taken (another `bops serve`?) or not one of this machine's."""


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it a
    # keep-alive client waits about 40 ms for each answer (Nagle's algorithm against delayed acknowledgements).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise CannotListen(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


class EmbeddedServer:
    """uvicorn serving `ProxyApp` on a socket bound at construction, so forked workers can share it."""

    def __init__(
        self,
        address: tuple[str, int] | socket.socket,
        router: Router,
        authorizer: str,
        health: Callable[[], dict[str, Any]],
        limits: HttpLimits,
        after_request: Callable[[], None] = lambda: None,
    ) -> None:
        self.limits = limits
        self.app = ProxyApp(router, authorizer, health, limits, after_request)
        self.socket = address if isinstance(address, socket.socket) else listening_socket(*address)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self._server: uvicorn.Server | None = None
        self._stopped = threading.Event()

    def config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            http=LimitedH11Protocol.with_limits(self.limits),
            loop="asyncio",
            lifespan="off",
            ws="none",
            interface="asgi3",
            log_config=None,
            access_log=False,
            server_header=False,
            h11_max_incomplete_event_size=self.limits.max_header_bytes,
            timeout_keep_alive=int(self.limits.request_head_timeout) or 1,
            timeout_graceful_shutdown=5,
        )

    def serve_forever(self, handle_signals: bool = True) -> None:
        """Serve until `shutdown`; with handle_signals, SIGINT and SIGTERM stop it gracefully (uvicorn's own)."""
        self._stopped.clear()
        self._server = _BoundedStopServer(self.config()) if handle_signals else _SignalFreeServer(self.config())
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self, timeout: float = 10) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._stopped.wait(timeout)

    def server_close(self) -> None:
        self.socket.close()
        self.app.executor.shutdown(wait=False, cancel_futures=True)
