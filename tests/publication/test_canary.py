"""No personal data leaks: an application carrying unique canary strings in every personal field (the applicant's and
agent's e-mail and phone, their names and the agent's company, the officer's private note, the unpublished documents'
file names and contents) is submitted through intake; an officer tags and publishes one document, then it is
validated, assessed, recommended, agreed and determined through `bops serve`. Every public endpoint of both faces,
the feed, the decision notice and every public document download is then crawled: no canary appears anywhere (while
the application, its decision, its notice and its published document do).

The same again with the council publishing applicants' names: the applicant's name and the agent's company then
appear (in the ODP submission, the BOPS-compatible submission and the decision notice) and nothing else does."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from events.council import CouncilSettingsChanges
from shared import reference_data
from tests.assessment.test_end_to_end_served import COUNCIL, INTAKE, OFFICER, Officers
from tests.intake.support import PDF, prepared
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


def _canary(kind: str) -> str:
    return f"{kind}canary{uuid.uuid4().hex[:12]}"  # each its own token: none is part of another


CANARY = _canary("private")  # e-mail addresses, phones, the private note: never public
FILE_CANARY = _canary("file")  # the unpublished files' names: never public
CONTENT_CANARY = _canary("content")  # the unpublished files' contents: never public
AGENT_NAME = _canary("agentname")  # the agent's own name: never public
APPLICANT_NAME = _canary("applicant")  # public only when the council publishes names
AGENT_COMPANY = _canary("agentcompany")  # public only when the council publishes names
NEVER = (CANARY, FILE_CANARY, CONTENT_CANARY, AGENT_NAME)
PUBLIC_CONTENT = b"%PDF-1.4\n% the published plan\n%%EOF\n"


def planted(payload: dict) -> dict:
    """The example with a canary in every personal field it has, and in each submitted file's name but the first
    (the one an officer publishes)."""

    def plant(value: object, key: str, name: str) -> object:
        if isinstance(value, dict):
            return {k: plant(v, k, name) for k, v in value.items()}
        if isinstance(value, list):
            return [plant(v, key, name) for v in value]
        if isinstance(value, str) and key == "email":
            return f"{CANARY}@example.com"
        if isinstance(value, str) and key in ("telephone", "phone", "primary", "secondary"):
            return f"{CANARY}-{key}"
        if isinstance(value, str) and key in ("first", "last"):
            return f"{name}-{key}"
        return value

    applicant = payload["data"]["applicant"]
    agent = applicant.pop("agent")
    applicant = plant(applicant, "", APPLICANT_NAME)
    applicant["agent"] = {**plant(agent, "", AGENT_NAME), "company": {"name": AGENT_COMPANY}}
    payload["data"]["applicant"] = applicant
    for index, item in enumerate(payload.get("files", [])):
        if index:
            base, _, extension = item["name"].rpartition(".")
            item["name"] = f"{base}-{FILE_CANARY}.{extension}"
    text = json.dumps(payload)
    assert all(canary in text for canary in (*NEVER[:2], AGENT_NAME, APPLICANT_NAME, AGENT_COMPANY)), "not planted"
    return payload


class _Files(BaseHTTPRequestHandler):
    """The submission's files: the first clean, every other one with the content canary inside."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = PUBLIC_CONTENT if "/files/0." in self.path else PDF + f"\n% {CONTENT_CANARY}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def files_served(server: Served) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    host = f"localhost:{httpd.server_address[1]}"
    server.councils.change_settings(COUNCIL, CouncilSettingsChanges(allow_download_hosts=(host,)))
    server.caught_up()
    try:
        yield f"http://{host}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def crawl(served: Served, reference: str) -> dict[str, bytes]:  # noqa: F811
    """Every public answer about the application: both faces, the feed, the notice and every public file."""
    client = served.client
    v2 = f"/api/v2/public/planning_applications/{reference}"
    odp = f"/api/@next/public/applications/{reference}"
    paths = [
        "/api/v2/public/planning_applications/search",
        f"/api/v2/public/planning_applications/search?q={reference}",
        v2,
        f"{v2}/documents",
        f"{v2}/documents?page=1&resultsPerPage=1",
        f"{v2}/submission",
        f"{v2}/comments/public",
        f"{v2}/comments/specialist",
        f"{v2}/decision_notice",
        "/api/v2/public/application_types",
        "/api/@next/public/applications",
        f"/api/@next/public/applications?query={reference}",
        odp,
        f"{odp}/documents",
        f"{odp}/publicComments",
        f"{odp}/specialistComments",
        "/api/@next/public/feed",
        "/api/@next/public/feed?council=demo",
    ]
    seen: dict[str, bytes] = {}

    def get(path: str) -> Any:
        status, _, body = client.request("GET", path, headers={"x-client": "demo"})
        assert status == 200, (path, status, body)
        seen[path] = body if isinstance(body, bytes) else json.dumps(body).encode()
        return body

    for path in paths:
        get(path)
    for file in get(f"{v2}/documents")["files"] + [get(f"{v2}/documents")["decisionNotice"]]:
        get("/" + file["url"].split("://", 1)[1].split("/", 1)[1])
    for file in get(f"{odp}/documents")["data"]:
        get(f"{odp}/documents/{file['id']}")
        get(f"{odp}/documents/{file['id']}/file")
    return seen


def where(seen: dict[str, bytes], canary: str) -> list[str]:
    return sorted(path for path, body in seen.items() if canary.encode() in body)


@pytest.mark.parametrize("names", [False, True], ids=["names-hidden", "names-published"])
def test_no_canary_reaches_any_public_endpoint(served: Served, names: bool):  # noqa: F811
    officers = Officers(served)
    _, key = served.councils.create_api_key(COUNCIL, "PlanX", ("planning_application:write",))
    if names:
        served.councils.change_settings(COUNCIL, CouncilSettingsChanges(publish_applicant_names=True))
    served.caught_up()
    example = reference_data.odp_examples_dir() / "application" / "planningPermission" / "fullHouseholder.json"
    with files_served(served) as file_base:
        served.move_clock(datetime(2027, 1, 4, 10, tzinfo=UTC))
        payload = planted(prepared(example, COUNCIL, file_base))
        status, _, created = served.client.request("POST", INTAKE, payload, {"Authorization": f"Bearer {key}"})
        assert status == 201, created
        reference = created["reference"]
        served.caught_up()
    application = f"{OFFICER}/{reference}"
    officers.now(datetime(2027, 1, 5, 10, tzinfo=UTC))
    status, _, state = officers.request("GET", application, "assessor")
    assert status == 200, state
    assert len(state["documents"]) == 4, state["documents"]

    def act(role: str, command: str, body: dict | None = None, *, documents: bool = False) -> None:
        nonlocal state
        version = {"documentsVersion": state["documentsVersion"]} if documents else {"version": state["version"]}
        status, _, answer = officers.request("POST", f"{application}/{command}", role, {**version, **(body or {})})
        assert status == 200, (command, answer)
        state = answer

    [published] = [d for d in state["documents"] if FILE_CANARY not in d["name"]]
    act("assessor", f"documents/{published['id']}/tags", {"tags": ["sitePlan.proposed"]}, documents=True)
    act("assessor", f"documents/{published['id']}/publish", documents=True)
    act("assessor", "assign", {"officerId": "me"})
    act("assessor", "validate")
    officers.now(datetime(2027, 2, 2, 10, tzinfo=UTC))
    act("assessor", "assessment", {"summaryOfWorks": "As described"})
    act("assessor", "recommendation", {"decision": "granted", "publicReason": "Fine", "privateNote": CANARY})
    act("reviewer", "review", {"action": "agree"})
    act("assessor", "determine")
    assert state["status"] == "determined"
    served.caught_up()

    seen = crawl(served, reference)
    v2 = f"/api/v2/public/planning_applications/{reference}"
    odp = f"/api/@next/public/applications/{reference}"
    show = json.loads(seen[v2])
    assert show["application"]["decision"] == "granted", show  # published and determined: the crawl saw it
    notice = seen[f"{v2}/decision_notice"]
    assert b"<html" in notice.lower() and published["name"].encode() in notice  # the plan the decision refers to
    assert sum(body == PUBLIC_CONTENT for body in seen.values()) == 2  # the published file, from both faces
    leaked = {canary: where(seen, canary) for canary in NEVER}
    assert not any(leaked.values()), [
        (path, seen[path][max(0, seen[path].find(canary.encode()) - 200) :][:300])
        for canary, paths in leaked.items()
        for path in paths
    ]
    if names:
        shown = {f"{v2}/submission", f"{v2}/decision_notice", odp, f"{odp}/documents"}
        assert {f"{v2}/submission", f"{v2}/decision_notice", odp} <= set(where(seen, APPLICANT_NAME))
        assert {f"{v2}/submission", odp} <= set(where(seen, AGENT_COMPANY))
        lists = {"/api/@next/public/applications", f"/api/@next/public/applications?query={reference}"}
        notices = {path for path, body in seen.items() if body == notice}  # the notice's file, from both faces
        assert set(where(seen, APPLICANT_NAME)) | set(where(seen, AGENT_COMPANY)) <= shown | lists | notices
    else:
        assert where(seen, APPLICANT_NAME) == [] and where(seen, AGENT_COMPANY) == []
    # The canaries are really in the application (so their absence above means something): the names were accepted
    # by intake (`planted` checked the submission), the rest the officers see.
    private = json.dumps(officers.request("GET", application, "assessor")[2])
    assert CANARY in private and FILE_CANARY in private
