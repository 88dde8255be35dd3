"""First start: a demo council with demo officers and an API key, and the logins and URLs to try them.

Every start also writes a ready-to-post ODP submission for the demo council whose files are on the demo's own file
server (`bops.demo_files`, allowlisted by the demo council), so a first submission shows documents arrive.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from pathlib import Path
from typing import Any

from events.council import CouncilSettingsChanges
from services.councils.service import CouncilService
from shared import reference_data
from shared.private_files import private_directory, private_file
from shared.secrets.port import SecretStore

DEMO_CODE = "DEMO"
DEMO_OFFICERS = (
    ("assessor", "assessor@demo.bops.test", "Alex Assessor"),
    ("reviewer", "reviewer@demo.bops.test", "Riley Reviewer"),
    ("administrator", "admin@demo.bops.test", "Ada Administrator"),
)
DEMO_SCOPES = ("planning_application:read", "planning_application:write")
LOGINS_FILE = "demo-logins.json"
EXAMPLE = Path("application") / "planningPermission" / "fullHouseholder.json"  # under the ODP examples
EXAMPLE_FILE = Path("demo") / "householder.json"  # under the data directory


def ensure_demo(councils: CouncilService, secret_store: SecretStore, data_dir: Path) -> dict[str, Any]:
    """Create the demo council once; later starts read back what the first one wrote (0600, data directory only)."""
    logins_path = data_dir / LOGINS_FILE
    if councils.load(DEMO_CODE).exists and logins_path.exists():
        return json.loads(logins_path.read_text())
    if not councils.load(DEMO_CODE).exists:
        councils.create_council(DEMO_CODE, "Demo Council", "demo")
    existing = {officer.email for officer in councils.list_officers(DEMO_CODE)}
    officers = []
    for role, email, name in DEMO_OFFICERS:
        password = secrets.token_urlsafe(12)
        if email in existing:
            officer = councils.load(DEMO_CODE).officer_by_email(email)
            assert officer is not None
            councils.set_officer_password(DEMO_CODE, officer.id, password, secret_store)
        else:
            councils.create_officer(DEMO_CODE, email, name, role, password, secret_store)
        officers.append({"role": role, "email": email, "name": name, "password": password})
    view, key = councils.create_api_key(DEMO_CODE, "Demo online service", DEMO_SCOPES)
    logins = {"council": DEMO_CODE, "officers": officers, "api_key": key, "api_key_id": view.id}
    handle = os.open(logins_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w") as file:
        json.dump(logins, file, indent=2)
    return logins


def allow_demo_files(councils: CouncilService, allowlist_entry: str) -> None:
    """The demo council downloads from the demo file server only (recorded again only when its port changed)."""
    if councils.load(DEMO_CODE).settings.allow_download_hosts != (allowlist_entry,):
        councils.change_settings(DEMO_CODE, CouncilSettingsChanges(allow_download_hosts=(allowlist_entry,)))


def demo_submission(example: dict[str, Any], files_base_url: str) -> dict[str, Any]:
    """The example for the demo council, with a fresh `metadata.id`, its files named on the demo file server."""
    from bops.demo_files import samples

    payload = json.loads(json.dumps(example))
    payload["metadata"]["organisation"] = DEMO_CODE
    payload["metadata"]["id"] = str(uuid.uuid4())
    names = list(samples())
    for index, item in enumerate(payload.get("files", [])):
        item["name"] = f"{files_base_url}/{names[index % len(names)]}"
    return payload


def write_demo_example(data_dir: Path, files_base_url: str) -> Path | None:
    """A ready-to-post ODP householder submission (None when the ODP examples are not there)."""
    source = reference_data.odp_examples_dir() / EXAMPLE
    if not source.is_file():
        return None
    target = data_dir.resolve() / EXAMPLE_FILE  # absolute: the printed curl works from any folder
    private_directory(target.parent)  # owner-only, like everything under the data directory
    private_file(target).write_text(
        json.dumps(demo_submission(json.loads(source.read_text()), files_base_url), indent=2)
    )
    return target


def banner(logins: dict[str, Any], base_url: str, example: Path | None = None, files_base_url: str = "") -> str:
    key = logins["api_key"]
    lines = [
        "",
        f"BOPS is running at {base_url}",
        f"  health:             {base_url}/health",
        f"  intake API:         {base_url}/api/v2/docs (OpenAPI document: {base_url}/api/v2/openapi.json)",
        f"  officer API:        {base_url}/api/officer/v1 (OpenAPI document: {base_url}/api/officer/v1/openapi.json)",
        f"  officers' console:  {base_url}/sign-in (sign in with a demo login below; the dashboard is {base_url}/)",
        f"  public register:    {base_url}/api/@next/public/docs (ODP) and {base_url}/api/v2/public/docs (BOPS v2)",
        f"  change feed:        {base_url}/api/@next/public/feed",
        "  e-mails:            the local outbox (no GOV.UK Notify key): `uv run bops outbox`",
        f"  demo council:       {logins['council']} (slug demo)",
        f"  demo API key:       {key}",
        f"                      (scopes {' and '.join(DEMO_SCOPES)})",
    ]
    if example:
        lines += [
            "",
            "Submit the demo's example householder application through the intake API (its files are on",
            f"the demo file server, {files_base_url}, which the demo council allowlists):",
            f"  curl -sS -X POST {base_url}/api/v2/planning_applications \\",
            f"    -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\",
            f"    --data @{example}",
            "then read it back, with the documents the relay has downloaded (use the reference the answer gave):",
            f"  curl -sS -H 'Authorization: Bearer {key}' {base_url}/api/v2/planning_applications/REFERENCE",
        ]
    lines += [
        "",
        f"Officers sign in to the console ({base_url}/sign-in) or the officer API with these demo logins",
        "(`bops officers list` shows them):",
    ]
    lines += [f"  {o['role']:<14} {o['email']:<28} password {o['password']}" for o in logins["officers"]]
    if logins["officers"]:
        first = logins["officers"][0]
        body = json.dumps({"email": first["email"], "password": first["password"]})
        lines += [
            "Sign in (the answer's token, valid 15 minutes, goes in `Authorization: Bearer` on the officer API):",
            f"  curl -sS -X POST {base_url}/api/officer/v1/session -H 'Content-Type: application/json' \\",
            f"    --data '{body}'",
            "then ask who you are, and list the council's applications (the case list):",
            f"  curl -sS -H 'Authorization: Bearer TOKEN' {base_url}/api/officer/v1/me",
            f"  curl -sS -H 'Authorization: Bearer TOKEN' {base_url}/api/officer/v1/planning_applications",
            "Each application's commands (assign, validation_requests, invalidate, validate, assessment,",
            "recommendation, review, determine...) are POSTs under /api/officer/v1/planning_applications/REFERENCE/",
            "with the version you saw: see the OpenAPI document. The console shows the same in a browser.",
        ]
    return "\n".join(lines) + "\n"
