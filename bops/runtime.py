"""The whole system on one machine: the SQLite log, local files, the relay and one HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import socket
import threading
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bops import environment
from bops.asgi import HttpLimits
from bops.checkpoints import Checkpoints
from bops.relay import Relay
from bops.routing import Router
from bops.server import EmbeddedServer, listening_socket
from services import authorizer, http_functions, subscriptions
from shared.wiring import Dependencies, dependencies


@functools.cache
def bops_version() -> str:
    try:
        return version("bops-next")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass
class RuntimeOptions:
    data_dir: Path = Path(".bops")
    host: str = "127.0.0.1"
    port: int = 8000
    now: str | None = None
    time_offset_days: float | None = None
    odp_schema_dir: Path | None = None
    poll_interval: float = 0.05


def local_base_url(listening: socket.socket) -> str:
    """The URL councils that set no public base URL of their own are reached at (links in e-mails, public faces):
    `localhost` for a loopback or every-interface address (what a browser on this machine opens), else the host."""
    host, port = listening.getsockname()[:2]
    if host in ("127.0.0.1", "::1", "0.0.0.0", "::"):
        return f"http://localhost:{port}"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class EmbeddedRuntime:
    def __init__(self, options: RuntimeOptions) -> None:
        self.options = options
        router = Router(http_functions())  # first: a route it cannot protect stops the runtime before anything starts
        listening = listening_socket(options.host, options.port)  # the port (0: any) picked before anything reads it
        environment.configure(
            options.data_dir,
            now=options.now,
            time_offset_days=options.time_offset_days,
            odp_schema_dir=options.odp_schema_dir,
            base_url=local_base_url(listening),
        )
        self.deps: Dependencies = dependencies()
        self.checkpoints = Checkpoints(self.deps.read_models)  # type: ignore[arg-type]
        self.relay = Relay(
            self.deps.event_store,  # type: ignore[arg-type]
            self.checkpoints,
            subscriptions(),
            poll_interval=options.poll_interval,
            clock=self.deps.clock,
        )
        self.server = EmbeddedServer(
            listening,
            router,
            authorizer().handler,
            self.health,
            HttpLimits(max_body_bytes=self.deps.settings.max_body_bytes),
            after_request=self.relay.wake_if_appended,
        )
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def health(self) -> dict[str, Any]:
        lag = self.relay.lag()
        dead: dict[str, int] = {}
        for letter in self.checkpoints.dead_letters():
            dead[letter.subscriber] = dead.get(letter.subscriber, 0) + 1
        return {
            "status": "ok",
            "version": bops_version(),
            "now": self.deps.clock.now().isoformat(),
            "log_position": self.deps.event_store.head_position(),  # type: ignore[attr-defined]
            "caught_up": not any(lag.values()),
            "subscribers": {
                name: {"lag": lag[name], "dead_letters": dead.get(name, 0)} for name in sorted(self.relay.lanes)
            },
        }

    def start(self, block: bool = False) -> None:
        self.relay.start()
        if block:
            self.server.serve_forever()
        else:
            self._thread = threading.Thread(target=self.server.serve_forever, name="bops-http", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.server.server_close()
        self.relay.stop()
