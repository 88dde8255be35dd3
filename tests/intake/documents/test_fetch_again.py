"""Fetching a failed file again when an officer asks (`fetch_again`), and the time limit of one submission's fetch:
a real file server, a host that never answers, a SQLite event log and a local document store."""

from __future__ import annotations

import json
import socket
import time

import pytest

from events import Actor, NewEvent
from events.application import DocumentFetchFailed, DocumentFetchRequested, DocumentReceived
from services.intake.declaration import SERVICE
from services.intake.documents import policy
from services.intake.documents.fetcher import FetchFailed, SafeHttpFetcher
from services.intake.documents.service import (
    SUBMISSION_TIME_LIMIT_SECONDS,
    DownloadFailed,
    Downloads,
    RetryPolicy,
    download,
    fetch_again,
    fetch_documents,
)
from services.intake.records import application_record
from shared.odp import parse_submission
from tests.intake.documents.support import COUNCIL, CREDENTIAL, HOUSEHOLDER_EXAMPLE, PDF, REFERENCE, T0, submitted
from tests.intake.documents.test_service import STREAM, Harness

OFFICER = Actor(kind="officer", id="officer-ann", display_name="Ann Assessor")


@pytest.fixture
def h(tmp_path, server) -> Harness:
    return Harness(tmp_path, server)


def ask_again(h: Harness, file_index: int, url: str):
    """An officer's request, as the console appends it to the documents stream."""
    request = DocumentFetchRequested(file_index=file_index, source_url=url)
    [recorded] = h.store.append(STREAM, h.store.stream_version(STREAM), [NewEvent(request, COUNCIL, OFFICER, T0)])
    return recorded


def again(h: Harness, request, time_limit: float = 5.0):
    fetcher = SafeHttpFetcher((h.server.host,), timeout=2.0, allow_loopback=True)
    retry = RetryPolicy(attempts=3, first_delay=0.01, sleep=h.sleeps.append)
    downloads = Downloads(h.store, h.documents, fetcher, (h.server.host,), None, h.clock, retry, time_limit=time_limit)
    return fetch_again(request, downloads)


def test_a_failed_file_is_fetched_again_once_per_request(h):
    h.run(h.submit("/files/plan.pdf", "/files/later.pdf"))
    assert [type(o) for o in h.outcomes()] == [DocumentReceived, DocumentFetchFailed]
    h.server.state.later_available = True
    request = ask_again(h, 1, h.server.url("/files/later.pdf"))

    [answer] = again(h, request)
    assert again(h, request) == []  # delivered again: nothing fetched, nothing recorded

    assert isinstance(answer.payload, DocumentReceived) and answer.payload.file_index == 1
    assert answer.causation_id == request.event_id and answer.actor == Actor.system("intake-document-fetcher")
    assert h.documents.get(answer.payload.key) == PDF
    assert h.server.state.hits["/files/later.pdf"] == 2  # once for the submission, once for the one request
    recorded = [DocumentReceived, DocumentFetchFailed, DocumentFetchRequested, DocumentReceived]
    assert [type(o) for o in h.outcomes()] == recorded


def test_a_file_that_fails_again_can_be_asked_for_once_more(h):
    h.run(h.submit("/files/later.pdf"))
    first = ask_again(h, 0, h.server.url("/files/later.pdf"))
    [failed] = again(h, first)
    assert failed.payload.reason == "HTTP 404 Not Found after 1 attempt" and failed.causation_id == first.event_id
    h.server.state.later_available = True
    assert again(h, first) == []  # the first request has its answer
    second = ask_again(h, 0, h.server.url("/files/later.pdf"))
    [received] = again(h, second)
    assert isinstance(received.payload, DocumentReceived) and received.causation_id == second.event_id
    assert h.server.state.hits["/files/later.pdf"] == 3


def test_the_allowlist_and_content_checks_apply_when_a_file_is_fetched_again(h):
    h.run(h.submit("/files/disguised.pdf", "http://files.elsewhere.test/plan.pdf"))
    answers = [again(h, ask_again(h, index, url)) for index, url in enumerate(h.server.url(p) for p in ("/a", "/b"))]
    assert [[a.payload.reason for a in answer] for answer in answers] == [
        ["not a PDF, PNG or JPEG (starts with b'<html')"],
        ["host files.elsewhere.test is not on the council's download allowlist"],
    ]
    assert h.server.state.hits["/files/disguised.pdf"] == 2


def test_a_request_for_a_file_already_received_fetches_nothing(h):
    h.run(h.submit("/files/plan.pdf"))
    assert again(h, ask_again(h, 0, h.server.url("/files/plan.pdf"))) == []
    assert h.server.state.hits["/files/plan.pdf"] == 1


@pytest.fixture
def silent_host():
    """The port of a host that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_a_submission_s_fetch_ends_at_its_time_limit_and_unfinished_files_are_timed_out(h, silent_host):
    host = f"127.0.0.1:{silent_host}"
    event = h.submit(*(f"http://{host}/files/{index}.pdf" for index in range(8)))
    fetcher = SafeHttpFetcher((host,), timeout=1.0, allow_loopback=True)
    retry = RetryPolicy(attempts=3, first_delay=0.0, sleep=lambda seconds: None)
    started = time.monotonic()

    appended = fetch_documents(
        event, Downloads(h.store, h.documents, fetcher, (host,), None, h.clock, retry, time_limit=0.2)
    )

    took = time.monotonic() - started
    outcomes = [e.payload for e in appended]
    assert [(o.file_index, o.reason) for o in outcomes] == [(i, policy.timed_out_reason(0.2)) for i in range(8)]
    assert all(isinstance(o, DocumentFetchFailed) for o in outcomes)
    assert [o.attempts for o in outcomes] == [1] * 4 + [0] * 4  # four downloads had started
    assert took < 0.9  # without the limit: three attempts of 1 s for each file, four at a time (6 s)
    assert policy.timed_out_reason(0.2) == "timed out: the submission's files were not all fetched within 0.2 s"


def test_the_time_limit_leaves_room_for_the_appends_under_the_subscription_s_timeout():
    [subscription] = SERVICE.subscriptions
    assert subscription.event_types == ("PlanningApplicationSubmitted", "DocumentFetchRequested")
    assert subscription.timeout_s >= SUBMISSION_TIME_LIMIT_SECONDS + 60


def test_the_council_s_record_lists_a_file_fetched_again_as_received_not_failed(h):
    example = parse_submission(json.loads(HOUSEHOLDER_EXAMPLE.read_text()))
    files = tuple(
        file.model_copy(update={"url": file.url.replace("https://api.editor.planx.dev", h.server.base)})
        for file in example.files
    )
    event = submitted(h.store, example.model_copy(update={"files": files}))
    h.documents.put(event.payload.payload_key, HOUSEHOLDER_EXAMPLE.read_bytes(), "application/json")
    h.run(event)  # without the credential: every private file is refused (403)
    request = ask_again(h, 0, files[0].url)
    fetcher = SafeHttpFetcher((h.server.host,), timeout=2.0, allow_loopback=True)
    [answer] = fetch_again(request, Downloads(h.store, h.documents, fetcher, (h.server.host,), CREDENTIAL, h.clock))
    ask_again(h, 1, files[1].url)  # asked, not fetched yet: still failed

    record = application_record(h.store, h.documents, COUNCIL, REFERENCE)

    assert record is not None
    assert [(d["fileIndex"], d["id"]) for d in record["documents"]] == [(0, answer.payload.document_id)]
    assert [f["fileIndex"] for f in record["documentFetchFailures"]] == [1, 2, 3]
    assert record["filesPending"] == 0


class Refusing:
    """A fetcher whose every attempt fails as a refused connection does (retryable)."""

    def __init__(self) -> None:
        self.calls = 0

    def stream(self, url, headers, receive):
        self.calls += 1
        raise FetchFailed("host files.example.org refused the connection")


def test_no_retry_starts_after_the_time_limit():
    fetcher, sleeps = Refusing(), []
    retry = RetryPolicy(attempts=3, first_delay=0.5, sleep=sleeps.append)
    give_up_at = time.monotonic() + 0.25  # the first retry would start after it

    failed = download(fetcher, "https://files.example.org/a.pdf", {}, retry, lambda r: r, give_up_at)

    assert failed == DownloadFailed("host files.example.org refused the connection after 1 attempt", 1)
    assert (fetcher.calls, sleeps) == (1, [])
    assert download(Refusing(), "https://files.example.org/a.pdf", {}, retry, lambda r: r).attempts == 3
