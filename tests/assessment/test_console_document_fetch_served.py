"""A submitted file that failed to arrive, fetched again when a case officer asks on the console's documents page,
through `bops serve`: the page's form appends DocumentFetchRequested, intake's document fetcher (its subscription)
fetches the file once and appends the outcome; a double click asks once, a file received cannot be asked for, the
audit trail says who asked, and the form needs the session's CSRF token and a case officer."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from events import Actor, NewEvent
from events.application import PlanningApplicationSubmitted
from events.council import CouncilSettingsChanges
from events.streams import application_side_stream, application_stream
from tests.assessment.api_support import RECEIVED
from tests.assessment.console_pages import Browser
from tests.intake.documents.support import FileServer, submission
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

REFERENCE = "26-00001-HH"
DOCUMENTS = f"/applications/{REFERENCE}/documents"
STREAM = application_side_stream("DEMO", REFERENCE, "documents")


@pytest.fixture
def files() -> Iterator[FileServer]:
    running = FileServer().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def console(served: Served, files: FileServer):  # noqa: F811
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    served.officer("DEMO", "ada@demo.example", "administrator", "Ada Admin")
    served.councils.change_settings("DEMO", CouncilSettingsChanges(allow_download_hosts=(f"localhost:{files.port}",)))
    urls = [files.url(path).replace("127.0.0.1", "localhost") for path in ("/files/plan.pdf", "/files/later.pdf")]
    payload = PlanningApplicationSubmitted(
        reference=REFERENCE,
        received_at=RECEIVED,
        submission=submission(urls),
        payload_key=f"DEMO/submissions/x/{REFERENCE}.json",
        payload_sha256="a" * 64,
        payload_size=2,
    )
    store = served.runtime.deps.event_store
    store.append(
        application_stream("DEMO", REFERENCE), 0, [NewEvent(payload, "DEMO", Actor.system("intake"), RECEIVED)]
    )
    outcomes(served, 2)
    browsers = {who: Browser(served.runtime.base_url, served.token(f"{who}@demo.example")) for who in ("ann", "ada")}
    return served, files, browsers


def outcomes(server: Served, count: int) -> list[tuple[str, int]]:
    """The documents stream's (event type, file index), once it holds `count` events of the fetcher's."""
    store = server.runtime.deps.event_store
    for _ in range(1000):
        found = [(e.event_type, e.payload.file_index) for e in store.read(STREAM) if hasattr(e.payload, "file_index")]
        if sum(kind != "DocumentFetchRequested" for kind, _ in found) >= count:
            server.caught_up()
            return found
        time.sleep(0.01)
    raise AssertionError(f"the fetcher did not record {count} outcomes")


def version_of(page: str) -> str:
    found = re.search(r'name="documents_version" value="(\d+)"', page)
    assert found, page
    return found.group(1)


def test_an_officer_asks_for_a_failed_file_again_and_it_arrives_once(console):
    server, files, browsers = console
    ann = browsers["ann"]
    assert outcomes(server, 2) == [("DocumentReceived", 0), ("DocumentFetchFailed", 1)]
    status, _, page = ann.get(DOCUMENTS)
    assert status == 200 and "Submitted files not received" in page and "HTTP 404 Not Found after 1 attempt" in page
    assert f'action="{DOCUMENTS}/fetch_again"' in page and 'name="file_index" value="1"' in page
    files.state.later_available = True

    fields = {"documents_version": version_of(page), "file_index": "1"}
    status, headers, _ = ann.post(f"{DOCUMENTS}/fetch_again", fields)
    assert status == 303 and headers["location"] == f"{DOCUMENTS}#files-not-fetched"
    status, _, _ = ann.post(f"{DOCUMENTS}/fetch_again", fields)  # a double click: the same form again
    assert status in (303, 409)  # nothing to do while the first waits; stale once the file has arrived

    assert outcomes(server, 3) == [
        ("DocumentReceived", 0),
        ("DocumentFetchFailed", 1),
        ("DocumentFetchRequested", 1),
        ("DocumentReceived", 1),
    ]
    assert files.state.hits["/files/later.pdf"] == 2  # the submission's attempt, and one for the one request
    status, _, page = ann.get(DOCUMENTS)
    assert "Submitted files not received" not in page and "later.pdf" in page

    status, _, page = ann.post(f"{DOCUMENTS}/fetch_again", {"documents_version": version_of(page), "file_index": "1"})
    assert status == 409 and "Submitted file 2 was received: it cannot be fetched again" in page
    trail = audit(server, ann)
    asked = [entry for entry in trail if entry["eventType"] == "DocumentFetchRequested"]
    assert [(entry["who"]["name"], entry["what"]) for entry in asked] == [
        (
            "Ann Assessor",
            f"Submitted file 2 asked to be fetched again from {files.url('/files/later.pdf')}".replace(
                "127.0.0.1", "localhost"
            ),
        )
    ]


def test_the_form_needs_its_csrf_token_and_a_case_officer(console):
    server, files, browsers = console
    store = server.runtime.deps.event_store
    before = store.stream_version(STREAM)
    status, _, page = browsers["ada"].get(DOCUMENTS)
    assert status == 200 and "Not received" in page and "/fetch_again" not in page  # administrators read
    fields = {"documents_version": str(before), "file_index": "1"}
    assert browsers["ada"].post(f"{DOCUMENTS}/fetch_again", fields)[0] == 403
    assert browsers["ann"].post(f"{DOCUMENTS}/fetch_again", fields, csrf=False)[0] == 400
    assert browsers["ann"].post(f"{DOCUMENTS}/fetch_again", {**fields, "file_index": "9"})[0] == 404
    status, _, page = browsers["ann"].post(f"{DOCUMENTS}/fetch_again", {**fields, "documents_version": "²"})
    assert status == 422 and "govuk-error-summary" in page
    assert store.stream_version(STREAM) == before and files.state.hits["/files/later.pdf"] == 1


def audit(server: Served, browser: Browser) -> list[dict]:
    status, _, body = server.client.request(
        "GET",
        f"/api/officer/v1/planning_applications/{REFERENCE}/audit",
        headers={"Authorization": f"Bearer {browser.token}"},
    )
    assert status == 200
    return body["entries"]
