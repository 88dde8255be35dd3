"""Test support for the console: `bops serve` with two councils and their officers, and a browser-like client (a
cookie jar, forms posted as application/x-www-form-urlencoded, redirects not followed)."""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from shared import wiring

NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # a Monday, a week after the submissions of tests/assessment
PASSWORD = "a long enough password"
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class Browser:
    """What a browser does with the console: keeps cookies, sends forms."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, list[str]], str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        received: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            received.setdefault(name.lower(), []).append(value)
        for cookie in received.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        text = response.read().decode("utf-8")
        connection.close()
        return response.status, received, text

    def get(self, path: str) -> tuple[int, dict[str, list[str]], str]:
        return self.request("GET", path)

    def csrf(self, path: str) -> str:
        status, _, html = self.get(path)
        assert status == 200, html
        found = CSRF.search(html)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> int:
        token = self.csrf("/sign-in")
        status, _, _ = self.request("POST", "/sign-in", {"email": email, "password": password, "csrf_token": token})
        return status

    def post(self, path: str, form: dict[str, str], page: str | None = None) -> tuple[int, dict[str, list[str]], str]:
        """A form posted as the page at `page` (default: `path`'s application page) renders it, with its CSRF token."""
        token = self.csrf(page or path)
        return self.request("POST", path, {**form, "csrf_token": token})


class Served:
    def __init__(self, runtime: Any) -> None:
        from services.councils.service import CouncilService
        from tests.councils.support import fast_hasher

        self.runtime = runtime
        self.base_url: str = runtime.base_url
        deps = wiring.dependencies()
        self.store = deps.event_store
        self.secrets = deps.secrets
        self.councils = CouncilService(deps.event_store, deps.clock, fast_hasher())

    def officer(self, council: str, email: str, role: str, name: str) -> str:
        officer = self.councils.create_officer(council, email, name, role, PASSWORD, self.secrets)
        self.caught_up()
        return officer.id

    def deactivate(self, council: str, officer_id: str) -> None:
        self.councils.deactivate_officer(council, officer_id, self.secrets)
        self.caught_up()

    def caught_up(self) -> None:
        browser = Browser(self.base_url)
        for _ in range(600):
            status, _, body = browser.get("/health")
            if status == 200 and '"caught_up": true' in body.replace('"caught_up":true', '"caught_up": true'):
                return
            time.sleep(0.01)
        raise AssertionError("the relay did not catch up")

    def browser(self) -> Browser:
        return Browser(self.base_url)


@pytest.fixture
def served(tmp_path, odp_dir, monkeypatch) -> Iterator[Served]:
    from bops.runtime import EmbeddedRuntime, RuntimeOptions

    monkeypatch.setenv("BOPS_NOW", NOW.isoformat())
    for name in ("BOPS_RUNTIME", "BOPS_DATA_DIR", "BOPS_ODP_SCHEMA_DIR", "BOPS_ROUTE_SCOPES", "BOPS_COUNCIL"):
        monkeypatch.delenv(name, raising=False)
    runtime = EmbeddedRuntime(
        RuntimeOptions(tmp_path / "data", port=0, odp_schema_dir=odp_dir / "schemas", poll_interval=0.01)
    )
    runtime.start()
    import os

    for name in ("BOPS_RUNTIME", "BOPS_DATA_DIR", "BOPS_ODP_SCHEMA_DIR", "BOPS_ROUTE_SCOPES"):
        monkeypatch.setenv(name, os.environ[name])  # restored after the test
    try:
        served = Served(runtime)
        served.councils.create_council("DEMO", "Demo Council", "demo")
        served.councils.create_council("OTHR", "Other Council", "other")
        yield served
    finally:
        runtime.stop()
        wiring.reset()
