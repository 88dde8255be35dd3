"""fetch_documents end to end: a real file server, a SQLite event log and a local document store."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import threading
import time
from collections import Counter

import pytest

from events import Actor
from events.application import DocumentFetchFailed, DocumentReceived
from events.streams import application_side_stream
from services.intake.documents import service
from services.intake.documents.fetcher import FetchFailed, FetchResponse, SafeHttpFetcher
from services.intake.documents.service import MAX_CONCURRENT_DOWNLOADS, Downloads, RetryPolicy, fetch_documents
from shared.clock import FrozenClock
from shared.documents.local import LocalDocumentStore
from shared.eventstore.sqlite import SqliteEventStore
from shared.odp import parse_submission
from tests.intake.documents.support import (
    COUNCIL,
    CREDENTIAL,
    HOUSEHOLDER_EXAMPLE,
    JPEG,
    PDF,
    PNG,
    REFERENCE,
    T0,
    FileServer,
    submission,
    submitted,
)

STREAM = application_side_stream(COUNCIL, REFERENCE, "documents")
CAP = 64 * 1024


class Harness:
    def __init__(self, tmp_path, server: FileServer) -> None:
        self.tmp_path = tmp_path
        self.server = server
        self.store = SqliteEventStore(tmp_path / "events.sqlite", clock=FrozenClock(T0))
        self.documents = LocalDocumentStore(tmp_path / "documents")
        self.clock = FrozenClock(T0)
        self.sleeps: list[float] = []

    def submit(self, *paths_or_urls: str, types=None):
        urls = [p if "://" in p else self.server.url(p) for p in paths_or_urls]
        return submitted(self.store, submission(urls, types))

    def run(self, event, allowlist=None, credential=None, fetcher=None, store=None, documents=None, **fetcher_options):
        allowlist = (self.server.host,) if allowlist is None else allowlist
        options = {"max_bytes": CAP, "timeout": 2.0, "allow_loopback": True, **fetcher_options}  # servers on 127.0.0.1
        fetcher = fetcher or SafeHttpFetcher(allowlist, **options)
        retry = RetryPolicy(attempts=3, first_delay=0.01, sleep=self.sleeps.append)
        downloads = Downloads(
            store or self.store, documents or self.documents, fetcher, allowlist, credential, self.clock, retry=retry
        )
        return fetch_documents(event, downloads)

    def outcomes(self):
        return [e.payload for e in self.store.read(STREAM)]

    def only(self):
        [outcome] = self.outcomes()
        return outcome

    def log_bytes(self) -> bytes:
        return b"".join(p.read_bytes() for p in self.tmp_path.glob("events.sqlite*"))


@pytest.fixture
def h(tmp_path, server) -> Harness:
    return Harness(tmp_path, server)


class CountingStore:
    """The real event store, counting the calls that are requests on AWS (reads, and appends with their sizes)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.reads = 0
        self.appends: list[int] = []  # events per append attempt

    def read(self, stream_id, from_version=1, to_version=None, as_of=None):
        self.reads += 1
        return self.inner.read(stream_id, from_version, to_version, as_of)

    def append(self, stream_id, expected_version, events):
        self.appends.append(len(events))
        return self.inner.append(stream_id, expected_version, events)

    def __getattr__(self, name):
        return getattr(self.inner, name)


class CountingDocuments:
    """The real document store, counting puts; `wait_for_puts` lets a download wait for others to be stored."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.puts = 0
        self.changed = threading.Condition()

    def put_stream(self, key, chunks, content_type):
        stored = self.inner.put_stream(key, chunks, content_type)
        with self.changed:
            self.puts += 1
            self.changed.notify_all()
        return stored

    def wait_for_puts(self, count: int, timeout: float = 5.0) -> bool:
        """True once `count` documents are stored, and a moment later: the downloads that stored them also return
        their outcomes (a few statements after the put) before the caller goes on."""
        with self.changed:
            stored = self.changed.wait_for(lambda: self.puts >= count, timeout)
        time.sleep(0.05)
        return stored

    def __getattr__(self, name):
        return getattr(self.inner, name)


class FakeFetcher:
    """A PDF for every URL after `before(url)` (which may block, or raise); counts calls and the most in flight."""

    def __init__(self, before=None) -> None:
        self.before = before
        self.calls: Counter[str] = Counter()
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()

    def stream(self, url, headers, receive):
        with self.lock:
            self.calls[url] += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.before is not None:
                self.before(url)
            return receive(FetchResponse(200, url, "OK", iter([PDF])))
        finally:
            with self.lock:
                self.in_flight -= 1


def named(count: int) -> list[str]:
    return [f"/named/{index}.pdf" for index in range(count)]


def index_of(url: str) -> int:
    return int(url.rsplit("/", 1)[1].removesuffix(".pdf"))


def fetcher_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("document-fetch")]


def test_allowed_files_are_stored_and_recorded(h):
    types = [("floorPlan.existing", "floorPlan.proposed"), ("photographs.existing",), ("otherDocument",)]
    event = h.submit("/files/plan.pdf", "/files/photo.png", "/files/photo.jpg", types=types)

    appended = h.run(event)

    assert [e.stream_id for e in appended] == [STREAM] * 3
    assert [e.version for e in appended] == [1, 2, 3]
    for recorded, content, content_type, name, tags in zip(
        appended,
        [PDF, PNG, JPEG],
        ["application/pdf", "image/png", "image/jpeg"],
        ["plan.pdf", "photo.png", "photo.jpg"],
        types,
        strict=True,
    ):
        doc = recorded.payload
        assert isinstance(doc, DocumentReceived)
        assert doc.file_index == appended.index(recorded)
        assert doc.source_url == h.server.url(f"/files/{name}")
        assert doc.file_name == name
        assert doc.key == f"{COUNCIL}/{REFERENCE}/documents/{doc.document_id}/{name}"
        assert (doc.sha256, doc.size) == (hashlib.sha256(content).hexdigest(), len(content))
        assert doc.content_type == content_type
        assert doc.tags == tags
        assert doc.description == f"file {doc.file_index}"
        assert h.documents.get(doc.key) == content
        assert recorded.actor.id == "intake-document-fetcher"
        assert recorded.correlation_id == event.correlation_id
        assert recorded.causation_id == event.event_id
    assert len({e.payload.document_id for e in appended}) == 3
    assert h.store.verify(STREAM).ok


def test_a_host_not_on_the_allowlist_is_recorded_as_failed(h):
    event = h.submit("/files/plan.pdf")
    h.run(event, allowlist=("files.planx.uk",))
    failed = h.only()
    assert failed == DocumentFetchFailed(
        file_index=0,
        source_url=h.server.url("/files/plan.pdf"),
        reason=f"host {h.server.host} is not on the council's download allowlist",
        attempts=0,
        tags=("drawing.other",),
    )
    assert h.server.state.seen == []


def test_loopback_is_refused_unless_the_allowlist_names_it(h):
    port = h.server.port
    event = h.submit(f"http://files.example.test:{port}/files/plan.pdf", f"http://localhost:{port}/files/plan.pdf")
    allowlist = (f"files.example.test:{port}", f"localhost:{port}")

    def resolve(host, port):
        return {"files.example.test": ["127.0.0.1"]}.get(host) or [i[4][0] for i in socket.getaddrinfo(host, port)]

    h.run(event, allowlist=allowlist, resolver=resolve)

    refused, received = h.outcomes()
    assert isinstance(refused, DocumentFetchFailed)
    assert refused.reason == "host files.example.test resolves to loopback address 127.0.0.1, which is never fetched"
    assert refused.attempts == 1
    assert isinstance(received, DocumentReceived)
    assert len(h.server.state.seen) == 1  # only localhost's request reached the server


def test_html_disguised_as_pdf_is_refused_and_not_stored(h):
    h.run(h.submit("/files/disguised.pdf"))
    failed = h.only()
    assert isinstance(failed, DocumentFetchFailed)
    assert failed.reason == "not a PDF, PNG or JPEG (starts with b'<html')"
    assert failed.attempts == 1
    assert not any(p.is_file() for p in (h.tmp_path / "documents").rglob("*"))


def test_files_over_the_cap_are_refused(h):
    h.run(h.submit("/files/huge.pdf", "/files/huge-stream.pdf"))
    assert [o.reason for o in h.outcomes()] == ["larger than 64 KB", "larger than 64 KB"]
    assert not any(p.is_file() for p in (h.tmp_path / "documents").rglob("*"))  # no part of them stored


def test_server_errors_are_retried_then_succeed(h):
    h.run(h.submit("/files/flaky.pdf"))
    assert isinstance(h.only(), DocumentReceived)
    assert h.server.state.hits["/files/flaky.pdf"] == 2
    assert h.sleeps == [0.01]


def test_retries_give_up_after_three_attempts(h):
    h.run(h.submit("/files/down.pdf", "/files/busy.pdf"))
    assert [(o.reason, o.attempts) for o in h.outcomes()] == [
        ("HTTP 503 Service Unavailable after 3 attempts", 3),
        ("HTTP 429 Too Many Requests after 3 attempts", 3),
    ]
    assert sorted(h.sleeps) == [0.01, 0.01, 0.02, 0.02]  # each file's own backoff (the two run at once)


def test_not_found_is_not_retried(h):
    h.run(h.submit("/files/missing.pdf"))
    failed = h.only()
    assert (failed.reason, failed.attempts) == ("HTTP 404 Not Found after 1 attempt", 1)
    assert h.server.state.hits["/files/missing.pdf"] == 1
    assert h.sleeps == []


def test_timeouts_are_retried_and_reported(h):
    h.run(h.submit("/files/slow.pdf"), fetcher=SafeHttpFetcher((h.server.host,), timeout=0.2, allow_loopback=True))
    failed = h.only()
    assert (failed.reason, failed.attempts) == ("timed out (limit 0.2 s per attempt) after 3 attempts", 3)


def test_redirects_to_allowed_hosts_are_followed_and_others_refused(h):
    port = h.server.port
    event = h.submit("/redirect/same", "/redirect/to-localhost", "/redirect/to-elsewhere", "/redirect/chain/3")
    h.run(event, allowlist=(h.server.host, f"localhost:{port}"))
    same, localhost, elsewhere, chain = h.outcomes()
    # named after the submitted URL, with the detected type's extension
    assert isinstance(same, DocumentReceived) and same.file_name == "same.pdf"
    assert same.content_type == "application/pdf"
    assert isinstance(localhost, DocumentReceived)
    assert elsewhere.reason == "redirected: host files.elsewhere.test is not on the council's download allowlist"
    assert chain.reason == "more than 3 redirects"


def test_the_credential_is_sent_as_api_key_and_never_recorded(h, caplog):
    caplog.set_level(logging.DEBUG)
    event = h.submit("/private/plan.pdf", "/files/plan.pdf", "/files/missing.pdf", "/redirect/private-to-localhost")
    h.run(event, allowlist=(h.server.host, f"localhost:{h.server.port}"), credential=CREDENTIAL)

    private, public, missing, cross_origin = h.outcomes()
    assert isinstance(private, DocumentReceived)
    assert isinstance(public, DocumentReceived)
    assert missing.reason == "HTTP 404 Not Found after 1 attempt"
    assert cross_origin.reason == "HTTP 403 Forbidden after 1 attempt"  # the key is not sent to another origin
    # Both files are fetched at once, so the two requests for /private/plan.pdf arrive in either order.
    by_host = {seen.headers["host"]: seen.headers for seen in h.server.state.requests_to("/private/plan.pdf")}
    assert by_host[h.server.host]["api-key"] == CREDENTIAL
    assert "api-key" not in by_host[f"localhost:{h.server.port}"]
    assert CREDENTIAL.encode() not in h.log_bytes()
    assert CREDENTIAL not in caplog.text
    assert all(CREDENTIAL not in json.dumps(e.as_dict(), default=str) for e in h.store.read(STREAM))


def test_without_the_credential_private_files_fail(h):
    h.run(h.submit("/private/plan.pdf"))
    assert h.only().reason == "HTTP 403 Forbidden after 1 attempt"


class TestIdempotency:
    def test_a_redelivery_after_everything_is_recorded_does_nothing(self, h):
        event = h.submit("/files/plan.pdf", "/files/missing.pdf")
        assert len(h.run(event)) == 2
        hits = sum(h.server.state.hits.values())

        assert h.run(event) == []
        assert len(h.outcomes()) == 2
        assert sum(h.server.state.hits.values()) == hits

    def test_a_redelivery_after_a_crash_fetches_only_what_is_missing(self, h):
        event = h.submit("/files/plan.pdf", "/files/photo.png", "/files/photo.jpg")
        real = SafeHttpFetcher((h.server.host,), allow_loopback=True)
        started = threading.Semaphore(0)

        class CrashOnPng:
            def stream(self, url, headers, receive):
                if url.endswith(".png"):
                    assert started.acquire(timeout=5) and started.acquire(timeout=5)  # files 0 and 2 are in flight
                    raise RuntimeError("the function was stopped")
                started.release()
                return real.stream(url, headers, receive)

        with pytest.raises(RuntimeError, match="the function was stopped"):
            h.run(event, fetcher=CrashOnPng())
        assert sorted(o.file_index for o in h.outcomes()) == [0, 2]  # the downloads in flight are still recorded

        h.run(event)
        assert [o.file_index for o in h.outcomes()][2:] == [1]
        assert h.server.state.hits["/files/plan.pdf"] == h.server.state.hits["/files/photo.jpg"] == 1

    def test_a_concurrent_delivery_that_records_first_wins(self, h):
        event = h.submit("/files/plan.pdf", "/files/photo.png")
        real = SafeHttpFetcher((h.server.host,), allow_loopback=True)
        inner: list = []
        lock = threading.Lock()

        class RacedBy:
            """Another delivery of the same event runs to the end while this one starts downloading."""

            def stream(self, url, headers, receive):
                with lock:
                    if not inner:
                        inner.append(h.run(event))
                return real.stream(url, headers, receive)

        assert h.run(event, fetcher=RacedBy()) == []
        assert [e.payload.file_index for e in inner[0]] == [0, 1]
        assert [o.file_index for o in h.outcomes()] == [0, 1]

    def test_two_concurrent_deliveries_record_each_file_exactly_once(self, h):
        paths = ["/files/plan.pdf", "/files/photo.png", "/files/photo.jpg", "/files/flaky.pdf", "/files/missing.pdf"]
        event = h.submit(*paths)
        results = deliver_twice_at_once(h, event)
        assert sorted(o.file_index for o in h.outcomes()) == [0, 1, 2, 3, 4]
        assert sorted(e.payload.file_index for batch in results for e in batch) == [0, 1, 2, 3, 4]
        assert h.store.verify(STREAM).ok


class TestConcurrency:
    def test_files_are_downloaded_several_at_once_and_at_most_the_limit(self, h):
        together = threading.Barrier(MAX_CONCURRENT_DOWNLOADS, timeout=5)  # broken (failing the test) if one at a time
        fetcher = FakeFetcher(before=lambda url: together.wait())
        event = h.submit(*named(2 * MAX_CONCURRENT_DOWNLOADS))

        appended = h.run(event, fetcher=fetcher)

        assert fetcher.most_in_flight == MAX_CONCURRENT_DOWNLOADS
        assert [e.payload.file_index for e in appended] == list(range(2 * MAX_CONCURRENT_DOWNLOADS))
        assert all(isinstance(o, DocumentReceived) and h.documents.get(o.key) == PDF for o in h.outcomes())
        assert fetcher_threads() == []  # the pool does not outlive the call

    def test_outcomes_ready_together_are_appended_together_in_file_order(self, h):
        store, documents = CountingStore(h.store), CountingDocuments(h.documents)

        def file_0_finishes_last(url):
            if index_of(url) == 0:
                assert documents.wait_for_puts(5), "files 1 to 5 were not stored while file 0 was downloading"

        event = h.submit(*named(6))
        appended = h.run(event, fetcher=FakeFetcher(file_0_finishes_last), store=store, documents=documents)

        assert [(e.version, e.payload.file_index) for e in appended] == [(v, v - 1) for v in range(1, 7)]
        assert (store.reads, store.appends, documents.puts) == (1, [6], 6)  # was 7 reads and 6 appends
        assert h.store.verify(STREAM).ok

    def test_outcomes_ready_moments_apart_are_appended_together(self, h):
        store = CountingStore(h.store)

        def later_files_take_a_moment(url):
            if index_of(url) > 0:
                time.sleep(0.05 * index_of(url))  # file 0 is ready first, the others within APPEND_WITHIN_SECONDS

        appended = h.run(h.submit(*named(4)), fetcher=FakeFetcher(later_files_take_a_moment), store=store)

        assert [e.payload.file_index for e in appended] == [0, 1, 2, 3]
        assert store.appends == [4]  # one write, not one for file 0 and one for the rest

    def test_an_append_holds_at_most_the_limit(self, h, monkeypatch):
        monkeypatch.setattr(service, "MAX_OUTCOMES_PER_APPEND", 3)
        store, documents = CountingStore(h.store), CountingDocuments(h.documents)

        def file_0_finishes_last(url):
            if index_of(url) == 0:
                assert documents.wait_for_puts(9)

        appended = h.run(
            h.submit(*named(10)), fetcher=FakeFetcher(file_0_finishes_last), store=store, documents=documents
        )

        assert store.appends == [3, 3, 3, 1]
        assert [e.payload.file_index for e in appended] == list(range(10))

    def test_the_append_limit_is_dynamodb_s(self):
        from shared.eventstore.dynamodb import MAX_TRANSACTION_ITEMS

        assert service.MAX_OUTCOMES_PER_APPEND <= MAX_TRANSACTION_ITEMS

    def test_outcomes_are_appended_while_later_files_are_still_downloading(self, h):
        def file_2_waits_for_the_others_to_be_recorded(url):
            if index_of(url) == 2:
                deadline = time.monotonic() + 5
                while len(h.store.read(STREAM)) < 2:
                    assert time.monotonic() < deadline, "files 0 and 1 were not recorded while file 2 was downloading"
                    time.sleep(0.01)

        appended = h.run(h.submit(*named(3)), fetcher=FakeFetcher(file_2_waits_for_the_others_to_be_recorded))
        assert [e.payload.file_index for e in appended] == [0, 1, 2]

    def test_a_failing_file_does_not_stop_the_others(self, h):
        event = h.submit("/files/down.pdf", "/files/plan.pdf", "/files/missing.pdf", "/files/photo.png")
        appended = h.run(event)
        assert [(type(e.payload), getattr(e.payload, "attempts", None)) for e in appended] == [
            (DocumentFetchFailed, 3),
            (DocumentReceived, None),
            (DocumentFetchFailed, 1),
            (DocumentReceived, None),
        ]
        assert sorted(h.sleeps) == [0.01, 0.02]

    def test_each_file_gets_its_own_retries(self, h):
        def first_attempts_fail(url):
            if fetcher.calls[url] == 1:
                raise FetchFailed("network error talking to host example")

        fetcher = FakeFetcher(first_attempts_fail)
        appended = h.run(h.submit(*named(5)), fetcher=fetcher)

        assert [type(e.payload) for e in appended] == [DocumentReceived] * 5
        assert fetcher.calls == Counter({h.server.url(path): 2 for path in named(5)})
        assert h.sleeps == [0.01] * 5

    def test_an_unexpected_error_stops_downloads_not_started_and_leaves_no_thread(self, h, monkeypatch):
        monkeypatch.setattr(service, "MAX_CONCURRENT_DOWNLOADS", 1)

        def file_0_breaks(url):
            if index_of(url) == 0:
                raise RuntimeError("the document store is down")
            time.sleep(0.2)  # file 2 cannot start before the error is seen

        fetcher = FakeFetcher(file_0_breaks)
        with pytest.raises(RuntimeError, match="the document store is down"):
            h.run(h.submit(*named(4)), fetcher=fetcher)
        assert fetcher_threads() == []
        assert sum(fetcher.calls.values()) <= 2  # file 1 may have started before the error was seen; not 2 and 3
        assert [o.file_index for o in h.outcomes()] == [1] * (sum(fetcher.calls.values()) - 1)


class TestConcurrentDeliveries:
    def test_outcomes_of_files_another_delivery_recorded_meanwhile_are_dropped(self, h):
        store, documents = CountingStore(h.store), CountingDocuments(h.documents)
        event = h.submit(*named(3))

        def another_delivery_records_file_1(url):
            if index_of(url) == 0:
                assert documents.wait_for_puts(2)
                other = DocumentFetchFailed(
                    file_index=1, source_url=h.server.url("/named/1.pdf"), reason="timed out", attempts=3
                )
                h.store.append(STREAM, 0, [event.caused(other, Actor.system("intake-document-fetcher"), T0)])

        appended = h.run(event, fetcher=FakeFetcher(another_delivery_records_file_1), store=store, documents=documents)

        assert [e.payload.file_index for e in appended] == [0, 2]
        assert store.appends == [3, 2]  # all three at version 0, refused; then the two nobody else recorded
        assert [(type(o), o.file_index) for o in h.outcomes()] == [
            (DocumentFetchFailed, 1),
            (DocumentReceived, 0),
            (DocumentReceived, 2),
        ]
        assert store.reads == 2

    def test_downloads_not_started_of_files_another_delivery_recorded_are_cancelled(self, h, monkeypatch):
        monkeypatch.setattr(service, "MAX_CONCURRENT_DOWNLOADS", 1)
        event = h.submit(*named(4))

        def race(url):
            if index_of(url) == 0:  # another delivery records files 2 and 3 while this one downloads file 0
                for index in (2, 3):
                    other = DocumentFetchFailed(file_index=index, source_url=h.server.url(f"/named/{index}.pdf"),
                                                reason="timed out", attempts=3)  # fmt: skip
                    h.store.append(STREAM, index - 2, [event.caused(other, Actor.system("other"), T0)])
            elif index_of(url) == 1:  # file 1 ends after this delivery recorded file 0 (and saw files 2 and 3)
                deadline = time.monotonic() + 5
                while len(h.store.read(STREAM)) < 3:
                    assert time.monotonic() < deadline
                    time.sleep(0.01)
                time.sleep(0.05)

        fetcher = FakeFetcher(race)
        appended = h.run(event, fetcher=fetcher)

        assert [e.payload.file_index for e in appended] == [0, 1]
        assert sorted(fetcher.calls) == [h.server.url("/named/0.pdf"), h.server.url("/named/1.pdf")]
        assert sorted(o.file_index for o in h.outcomes()) == [0, 1, 2, 3]

    def test_two_deliveries_at_once_of_many_files_record_each_exactly_once(self, h):
        event = h.submit(*named(12), "/files/flaky.pdf", "/files/missing.pdf")
        results = deliver_twice_at_once(h, event)
        assert sorted(o.file_index for o in h.outcomes()) == list(range(14))
        assert sorted(e.payload.file_index for batch in results for e in batch) == list(range(14))
        assert h.store.verify(STREAM).ok

    def test_a_redelivery_reads_the_stream_once_and_does_nothing_else(self, h):
        event = h.submit(*named(3), "/files/missing.pdf")
        h.run(event)
        store, documents, fetcher = CountingStore(h.store), CountingDocuments(h.documents), FakeFetcher()

        assert h.run(event, fetcher=fetcher, store=store, documents=documents) == []
        assert (store.reads, store.appends, documents.puts, sum(fetcher.calls.values())) == (1, [], 0, 0)


@pytest.fixture
def householder():
    return parse_submission(json.loads(HOUSEHOLDER_EXAMPLE.read_text()))


def test_real_planx_urls_without_an_allowlist_entry_fail_without_network(h, householder, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("no network access expected")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    event = submitted(h.store, householder)

    h.run(event, allowlist=(), credential=CREDENTIAL, fetcher=SafeHttpFetcher((), resolver=no_network))

    outcomes = h.outcomes()
    assert [o.file_index for o in outcomes] == [0, 1, 2, 3]
    for outcome, file in zip(outcomes, householder.files, strict=True):
        assert isinstance(outcome, DocumentFetchFailed)
        assert outcome.source_url == file.url
        assert file.url.startswith("https://api.editor.planx.dev/file/private/")
        assert outcome.reason == "host api.editor.planx.dev is not on the council's download allowlist"
        assert (outcome.attempts, outcome.tags) == (0, file.types)


def test_an_odp_submission_s_files_are_downloaded_with_the_credential(h, householder):
    files = tuple(
        file.model_copy(update={"url": file.url.replace("https://api.editor.planx.dev", h.server.base)})
        for file in householder.files
    )
    event = submitted(h.store, householder.model_copy(update={"files": files}))

    h.run(event, credential=CREDENTIAL)

    outcomes = h.outcomes()
    assert [o.file_name for o in outcomes] == ["myPlans.pdf", "other.pdf", "elevations.pdf", "floor_plans.pdf"]
    assert [o.tags for o in outcomes] == [f.types for f in householder.files]
    assert all(h.documents.get(o.key) == PDF for o in outcomes)


def deliver_twice_at_once(h, event) -> list:
    """Two deliveries of `event` started together; what each appended (fails on an error in either)."""
    barrier = threading.Barrier(2)
    results: list = []
    errors: list = []

    def deliver():
        try:
            barrier.wait()
            results.append(h.run(event))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    return results


def test_downloads_log_with_the_keys_of_the_delivery_that_started_them(h):
    """The files download on the pool's threads: their log lines carry the invocation's keys (its function, its
    event), which `shared.observability` keeps per thread, where they had none (or another delivery's)."""
    from shared.observability import logger

    seen: list[dict] = []
    logger.thread_safe_append_keys(function_name="intake-documents", event_id="e-1")
    try:
        h.run(
            h.submit(*named(3)),
            fetcher=FakeFetcher(before=lambda url: seen.append(logger.thread_safe_get_current_keys())),
        )
    finally:
        logger.thread_safe_clear_keys()
    assert len(seen) == 3
    assert all(keys.get("function_name") == "intake-documents" and keys.get("event_id") == "e-1" for keys in seen)
