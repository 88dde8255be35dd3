"""The console in a real browser: `bops serve` (the embedded runtime, with the demo council, its officers, its API key
and its file server, and a second council), Debian's Chromium driven by Playwright, and axe-core run on every page.

Every page an officer visits goes through `Officer.visit` (or `Officer.checked` after a click or a form): axe-core
(from npm, `node_modules/axe-core/axe.min.js`) checks it against WCAG 2.0, 2.1 and 2.2 A and AA, and the test fails
listing each violation with its nodes. A page that breaks its Content-Security-Policy (Chromium says so on the
console) or opens a dialog fails too.
"""

from __future__ import annotations

import functools
import json
import os
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT

CHROMIUM = Path("/usr/bin/chromium")  # Debian's (`apt-get install chromium`; `make install` installs it)
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # a Monday
PASSWORD = "a long enough password"
EXAMPLE = "application/planningPermission/fullHouseholder.json"  # under the ODP examples
ENVIRONMENT = ("BOPS_RUNTIME", "BOPS_DATA_DIR", "BOPS_ODP_SCHEMA_DIR", "BOPS_ROUTE_SCOPES", "BOPS_NOW")


@functools.cache
def axe_source() -> str:
    return AXE.read_text()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (the script is evaluated through the DevTools protocol, which
    the page's CSP does not govern: the page itself is tested as served)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": list(AXE_TAGS)}, "resultTypes": ["violations"]}
    return page.evaluate("(options) => axe.run(document, options).then(result => result.violations)", options)


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      {summary[:400]}")
    return "\n".join(lines)


@dataclass
class Officer:
    """One officer's browser context (its own cookies) and page; every page visited is checked."""

    context: Any
    base_url: str
    page: Any = None
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"a {dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP violation: {message.text}")

    def visit(self, path: str, expect_status: int = 200) -> Any:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == expect_status, (
            f"GET {path}: {response and response.status}\n{self.page.content()[:2000]}"
        )
        return self.checked()

    def checked(self) -> Any:
        """The page now shown, checked by axe-core (0 violations), with no CSP violation and no dialog so far."""
        self.page.wait_for_load_state("load")
        self.visited.append(self.page.url)
        violations = axe_violations(self.page)
        assert not violations, f"axe-core on {self.page.url}:\n{describe(violations)}"
        assert not self.problems, f"on {self.page.url}: " + "; ".join(self.problems)
        return self.page

    def sign_in(self, email: str, password: str = PASSWORD, path: str = "/sign-in") -> Any:
        self.visit(path)
        return self.fill_sign_in(email, password)

    def fill_sign_in(self, email: str, password: str = PASSWORD) -> Any:
        """Sign in on the sign-in page shown now; the page it leads to, checked."""
        self.page.get_by_label("E-mail address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        return self.checked()

    def sign_out(self) -> Any:
        self.page.get_by_role("button", name="Sign out").click()
        return self.checked()

    def cookie(self) -> dict[str, Any]:
        [session] = [cookie for cookie in self.context.cookies() if cookie["name"] == "bops_officer"]
        return session


class Console:
    """The served console of one test module."""

    def __init__(self, runtime: Any, browser: Any, logins: dict[str, Any], files: Any) -> None:
        from services.councils.service import CouncilService
        from tests.councils.support import fast_hasher

        self.runtime = runtime
        self.browser = browser
        self.base_url: str = runtime.base_url
        self.logins = logins
        self.files = files
        self.env = {name: os.environ[name] for name in ENVIRONMENT if name in os.environ}
        self.councils = CouncilService(runtime.deps.event_store, runtime.deps.clock, fast_hasher())
        self.contexts: list[Any] = []

    def demo(self, role: str) -> tuple[str, str]:
        """The e-mail address and password of the demo officer with this role."""
        [officer] = [officer for officer in self.logins["officers"] if officer["role"] == role]
        return officer["email"], officer["password"]

    def officer(self, council: str, email: str, role: str, name: str) -> str:
        from shared import wiring

        officer = self.councils.create_officer(council, email, name, role, PASSWORD, wiring.dependencies().secrets)
        self.caught_up()
        return officer.id

    def deactivate(self, council: str, officer_id: str) -> None:
        from shared import wiring

        self.councils.deactivate_officer(council, officer_id, wiring.dependencies().secrets)
        self.caught_up()

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def caught_up(self) -> None:
        for _ in range(1000):
            _, _, body = self.request("GET", "/health")
            if json.loads(body)["caught_up"]:
                return
            time.sleep(0.01)
        raise AssertionError("the relay did not catch up")

    def submit(self, description: str | None = None, *, files: bool = True) -> str:
        """The demo's householder example through intake's API with the demo API key (its files on the demo's file
        server); the reference, once the case list and the documents have caught up."""
        from bops.demo import demo_submission
        from shared import reference_data

        example = json.loads((reference_data.odp_examples_dir() / EXAMPLE).read_text())
        payload = demo_submission(example, self.files.base_url)
        if description is not None:
            payload["data"]["proposal"]["description"] = description
        if not files:
            payload["files"] = []
        headers = {"Authorization": f"Bearer {self.logins['api_key']}", "Content-Type": "application/json"}
        status, _, body = self.request("POST", "/api/v2/planning_applications", json.dumps(payload).encode(), headers)
        assert status == 201, body
        reference = json.loads(body)["reference"]
        for _ in range(1000):
            status, _, body = self.request("GET", f"/api/v2/planning_applications/{reference}", headers=headers)
            if status == 200 and json.loads(body)["filesPending"] == 0:
                break
            time.sleep(0.01)
        self.caught_up()
        return reference

    def new_officer(self) -> Officer:
        context = self.browser.new_context(base_url=self.base_url, locale="en-GB")
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return Officer(context, self.base_url)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def served_console(data_dir: Path, browser: Any) -> Iterator[Console]:
    """`bops serve`'s runtime on a free port with the demo council, officers, API key and file server, and a second
    council (OTHR); stopped at the end."""
    from bops.demo import allow_demo_files, ensure_demo
    from bops.demo_files import DemoFileServer
    from bops.runtime import EmbeddedRuntime, RuntimeOptions
    from services.councils.service import CouncilService
    from shared import reference_data, wiring
    from tests.councils.support import fast_hasher

    os.environ["BOPS_NOW"] = NOW.isoformat()
    runtime = EmbeddedRuntime(
        RuntimeOptions(data_dir, port=0, odp_schema_dir=reference_data.odp_schema_dir(), poll_interval=0.01)
    )
    runtime.start()
    files = DemoFileServer(0).start()
    try:
        councils = CouncilService(runtime.deps.event_store, runtime.deps.clock, fast_hasher())
        logins = ensure_demo(councils, runtime.deps.secrets, data_dir)
        allow_demo_files(councils, files.allowlist_entry)
        councils.create_council("OTHR", "Other Council", "other")
        console = Console(runtime, browser, logins, files)
        console.caught_up()
        yield console
        console.close()
    finally:
        files.stop()
        runtime.stop()
        wiring.reset()
