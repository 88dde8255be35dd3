"""First start: a demo council with demo officers and an API key, and the logins and URLs to try them."""

from __future__ import annotations

import json
import os
import secrets
import uuid
from pathlib import Path

from bops.environment import PROJECT_ROOT
from services.councils.service import CouncilService
from shared.secrets.port import SecretStore

DEMO_CODE = "DEMO"
DEMO_OFFICERS = (
    ("assessor", "assessor@demo.bops.test", "Alex Assessor"),
    ("reviewer", "reviewer@demo.bops.test", "Riley Reviewer"),
    ("administrator", "admin@demo.bops.test", "Ada Administrator"),
)
LOGINS_FILE = "demo-logins.json"
EXAMPLES = PROJECT_ROOT.parent / "shared" / "odp" / "examples"
EXAMPLE = EXAMPLES / "application" / "planningPermission" / "fullHouseholder.json"


def ensure_demo(councils: CouncilService, secret_store: SecretStore, data_dir: Path) -> dict:
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
    view, key = councils.create_api_key(
        DEMO_CODE, "Demo online service", ("planning_application:read", "planning_application:write")
    )
    logins = {"council": DEMO_CODE, "officers": officers, "api_key": key, "api_key_id": view.id}
    example = write_demo_example(data_dir)
    if example:
        logins["example"] = str(example)
    handle = os.open(logins_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w") as file:
        json.dump(logins, file, indent=2)
    return logins


def write_demo_example(data_dir: Path) -> Path | None:
    """An ODP householder submission for the demo council, ready to post (from ../shared when it is there)."""
    if not EXAMPLE.is_file():
        return None
    payload = json.loads(EXAMPLE.read_text())
    payload["metadata"]["organisation"] = DEMO_CODE
    payload["metadata"]["id"] = str(uuid.uuid4())
    target = data_dir / "demo" / "householder.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(payload, indent=2))
    return target


def banner(logins: dict, base_url: str) -> str:
    lines = [
        "",
        f"BOPS is running at {base_url}",
        f"  health:            {base_url}/health",
        f"  intake API docs:   {base_url}/api/v2/docs",
        f"  demo council:      {logins['council']} (slug demo)",
        "  demo officers:",
    ]
    lines += [f"    {o['role']:<14} {o['email']:<28} password {o['password']}" for o in logins["officers"]]
    lines.append(f"  demo API key:      {logins['api_key']}")
    if "example" in logins:
        lines += [
            "  submit an example application:",
            f"    curl -sS -X POST {base_url}/api/v2/planning_applications \\",
            f"      -H 'Authorization: Bearer {logins['api_key']}' -H 'Content-Type: application/json' \\",
            f"      --data @{logins['example']}",
        ]
    return "\n".join(lines) + "\n"
