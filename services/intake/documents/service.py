"""The document fetcher's application layer: download, check and store every file of a submission not yet recorded on
the application's documents side stream, and append what happened to each (DocumentReceived or DocumentFetchFailed).

The stream is read once. The pending files are then downloaded (each with its own retries) and stored by a thread pool
of at most MAX_CONCURRENT_DOWNLOADS threads that lives as long as the call, while the calling thread appends outcomes
as downloads finish: every outcome ready goes in one append (at most MAX_OUTCOMES_PER_APPEND) once no download is in
flight, or once the first of them has waited APPEND_WITHIN_SECONDS for the others, so a batch of quick files costs one
write and what is appended stays recorded if the call dies later. The stream keeps
file order: an outcome is appended once the files before it are finished too (it waits at most for the downloads in
flight before it, each bounded by the fetcher's time limit and the retries).

Safe under at-least-once, duplicated and concurrent deliveries: each append is made at the version last seen; if
someone else appended first, the stream is re-read, the outcomes of files they recorded meanwhile are dropped (at worst
a stored copy nobody references is left behind), their downloads not started yet are cancelled, and the rest is
appended again. A redelivery after everything was recorded reads the stream and does nothing else.

If a file fails unexpectedly (storing it raised, say), the downloads not started are cancelled, those in flight finish
and are appended as they do, then the error propagates; the bus delivers the event again and only what is missing is
fetched. Only then can the stream be out of file order.

The whole call is bounded by `time_limit` (SUBMISSION_TIME_LIMIT_SECONDS, below the subscription's timeout) whatever
the hosts do: once it passes, every file not finished is recorded as failed, "timed out", the downloads in flight are
left to end on their own (no retry starts after the limit) and the call returns.

`fetch_again` answers an officer's `DocumentFetchRequested`: it fetches that one file again, with the same allowlist,
size and content checks, and appends its outcome, caused by the request. The outcome is appended only while the
request still waits for one, so a redelivery of the request fetches and records nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import TypeVar
from urllib.parse import urlsplit
from uuid import uuid4

from aws_lambda_powertools import Logger

from events import Actor, NewEvent, RecordedEvent
from events.application import (
    DocumentFetchFailed,
    DocumentFetchRequested,
    DocumentReceived,
    PlanningApplicationSubmitted,
)
from events.streams import application_side_stream, application_stream, parse_application_stream
from events.submission import FileReference
from services.intake.documents import policy
from services.intake.documents.fetcher import Fetcher, FetchFailed, FetchRefused, FetchResponse
from services.intake.documents.policy import AllowedHost, DocumentsState, Refused
from services.intake.originals import submitted_files
from shared.clock import Clock
from shared.documents.port import DocumentStore, StoredDocument
from shared.eventstore.port import ConcurrencyError, EventStore

ACTOR = Actor.system("intake-document-fetcher")
CREDENTIAL_HEADER = "api-key"
MAX_APPEND_ATTEMPTS = 20
MAX_CONCURRENT_DOWNLOADS = 4  # files downloaded and stored at once by one call
MAX_OUTCOMES_PER_APPEND = 100  # one DynamoDB TransactWriteItems takes at most 100 items
APPEND_WITHIN_SECONDS = 0.5  # how long a ready outcome waits for downloads in flight, to be appended with theirs
# What one call may take in all, well below the subscription's timeout (300 s): the appends after it take little.
SUBMISSION_TIME_LIMIT_SECONDS = 240.0

log = Logger(child=True)  # JSON lines of the function's service logger, with its Lambda context

Outcome = DocumentReceived | DocumentFetchFailed
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often one file is tried: `attempts` in all, waiting first_delay, then factor times longer each time."""

    attempts: int = 3
    first_delay: float = 0.5
    factor: float = 2.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int) -> float:
        """The wait after the given (1-based) failed attempt."""
        return self.first_delay * self.factor ** (attempt - 1)


@dataclass(frozen=True)
class Downloads:
    """What fetching a submission's files (`fetch_documents`) or one file again (`fetch_again`) works with.

    `fetcher`, `documents` and `new_document_id` are called from several threads at once; the event store only from
    the calling thread.
    """

    store: EventStore
    documents: DocumentStore
    fetcher: Fetcher
    allowlist: Iterable[str]
    credential: str | None
    clock: Clock
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    new_document_id: Callable[[], str] = field(default=lambda: str(uuid4()), repr=False)
    time_limit: float = SUBMISSION_TIME_LIMIT_SECONDS  # for one call, whatever the hosts do

    @cached_property
    def rules(self) -> tuple[AllowedHost, ...]:
        """The allowlist parsed, once for all the files of a call."""
        return policy.parse_allowlist(self.allowlist)

    def fetch(self, index: int, file: FileReference, council: str, reference: str, give_up_at: float) -> Outcome:
        return fetch_file(
            index,
            file,
            council,
            reference,
            fetcher=self.fetcher,
            documents=self.documents,
            allowlist=self.rules,
            headers={CREDENTIAL_HEADER: self.credential} if self.credential else {},
            retry=self.retry,
            new_document_id=self.new_document_id,
            give_up_at=give_up_at,
        )


def documents_stream(event: RecordedEvent) -> str:
    payload = event.payload
    if not isinstance(payload, PlanningApplicationSubmitted):
        raise TypeError(f"expected PlanningApplicationSubmitted, got {event.event_type}")
    return application_side_stream(event.council, payload.reference, "documents")


def fetch_documents(event: RecordedEvent, downloads: Downloads) -> list[RecordedEvent]:
    """Fetch every file of the submission not yet recorded; the events this call appended (none on a redelivery)."""
    stream = documents_stream(event)
    submitted = event.payload
    assert isinstance(submitted, PlanningApplicationSubmitted)
    store, clock, time_limit = downloads.store, downloads.clock, downloads.time_limit
    files = submitted_files(downloads.documents, submitted)  # from the event, or its original when too many for it
    state = policy.fold(store.read(stream))
    pending = state.pending(len(files))
    if not pending:
        return []
    give_up_at = time.monotonic() + time_limit
    started: set[int] = set()  # file indexes whose download began (set.add is atomic)

    def fetch(index: int) -> Outcome:
        started.add(index)
        return downloads.fetch(index, files[index], event.council, submitted.reference, give_up_at)

    appended: list[RecordedEvent] = []
    held: dict[int, NewEvent] = {}  # outcomes not appended yet, by file index
    failure: BaseException | None = None
    append_by: float | None = None  # when the outcomes ready are appended even if downloads are still in flight
    timed_out = False
    pool = ThreadPoolExecutor(min(MAX_CONCURRENT_DOWNLOADS, len(pending)), thread_name_prefix="document-fetch")
    try:
        # Each download runs in a copy of this thread's context: its log lines carry the invocation's keys (kept per
        # thread and context by `shared.observability`), not none or another delivery's.
        running = {pool.submit(copy_context().run, fetch, index): index for index in pending}
        while running:
            wake = give_up_at if append_by is None else min(append_by, give_up_at)
            done, _ = wait(running, timeout=max(0.0, wake - time.monotonic()), return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                if future.cancelled():
                    continue
                error = future.exception()
                if error is None:
                    held[index] = event.caused(future.result(), ACTOR, clock.now())
                elif failure is None:
                    failure = error
                    _cancel(running)  # those in flight finish and are recorded; then the error propagates
            if running and time.monotonic() >= give_up_at:  # the rest are recorded as timed out, not waited for
                timed_out = True
                held.update(_give_up(running, event, files, time_limit, started, clock))
            # File order: an outcome waits for the files before it still in flight (none waits after a failure).
            first_unfinished = min(running.values(), default=len(files)) if failure is None else len(files)
            ready = sorted(index for index in held if index < first_unfinished)
            if not ready:
                continue
            if running and failure is None and (append_by is None or time.monotonic() < append_by):
                append_by = append_by or time.monotonic() + APPEND_WITHIN_SECONDS  # wait a little for the others
                continue
            append_by = None
            new, state = _record(store, stream, state, [(index, held.pop(index)) for index in ready])
            appended.extend(new)
            _cancel(running, state.recorded)  # files another delivery recorded meanwhile
    finally:
        pool.shutdown(wait=not timed_out, cancel_futures=True)
    if failure is not None:
        raise failure
    return appended


def _give_up(
    running: dict[Future[Outcome], int],
    event: RecordedEvent,
    files: tuple[FileReference, ...],
    time_limit: float,
    started: set[int],
    clock: Clock,
) -> dict[int, NewEvent]:
    """Past the call's time limit: the unfinished files' outcomes (timed out); their downloads are cancelled or left
    to end on their own, and no longer running."""
    _cancel(running)
    log.warning("%d files of %s not fetched within %g s", len(running), event.stream_id, time_limit)
    outcomes = {
        index: event.caused(
            timed_out_outcome(index, files[index], time_limit, 1 if index in started else 0), ACTOR, clock.now()
        )
        for index in running.values()
    }
    running.clear()
    return outcomes


def timed_out_outcome(index: int, file: FileReference, time_limit: float, attempts: int) -> DocumentFetchFailed:
    """A file not fetched before the call's time limit: failed, so an officer can ask for it again."""
    return DocumentFetchFailed(
        file_index=index,
        source_url=file.url,
        reason=policy.timed_out_reason(time_limit),
        attempts=attempts,
        tags=file.types,
    )


def fetch_again(event: RecordedEvent, downloads: Downloads) -> list[RecordedEvent]:
    """Fetch the file an officer asked for again (`DocumentFetchRequested`) and append its outcome; nothing when the
    request no longer waits for one (answered already: a redelivery)."""
    requested = event.payload
    if not isinstance(requested, DocumentFetchRequested):
        raise TypeError(f"expected DocumentFetchRequested, got {event.event_type}")
    place = parse_application_stream(event.stream_id)
    if place is None or event.stream_id != application_side_stream(*place, "documents"):
        raise ValueError(f"a request to fetch a file again belongs to a documents stream, not {event.stream_id}")
    council, reference = place
    index = requested.file_index
    store = downloads.store
    state = policy.fold(store.read(event.stream_id))
    if not state.awaiting(event.event_id, index):
        return []
    [first] = store.read(application_stream(council, reference), 1, 1)
    submitted = first.payload
    if not isinstance(submitted, PlanningApplicationSubmitted):
        raise TypeError(f"the application {council}/{reference} starts with {first.event_type}")
    files = submitted_files(downloads.documents, submitted)
    outcome = downloads.fetch(index, files[index], council, reference, time.monotonic() + downloads.time_limit)
    still_waiting = lambda state, index: state.awaiting(event.event_id, index)  # noqa: E731
    caused = event.caused(outcome, ACTOR, downloads.clock.now())
    appended, _ = _record(store, event.stream_id, state, [(index, caused)], still_waiting)
    return appended


def _cancel(running: Mapping[Future[Outcome], int], which: Callable[[int], bool] = lambda index: True) -> None:
    """Cancel the downloads (of the chosen file indexes) not started yet; a cancelled one finishes at once."""
    for future, index in running.items():
        if which(index):
            future.cancel()


def fetch_file(
    index: int,
    file: FileReference,
    council: str,
    reference: str,
    *,
    fetcher: Fetcher,
    documents: DocumentStore,
    allowlist: tuple[AllowedHost, ...],
    headers: Mapping[str, str],
    retry: RetryPolicy,
    new_document_id: Callable[[], str],
    give_up_at: float | None = None,
) -> Outcome:
    """Download, check and store one file: DocumentReceived, or DocumentFetchFailed with the reason (no attempt
    starts after `give_up_at`, a time.monotonic() value)."""
    credential = headers.get(CREDENTIAL_HEADER)

    def failed(reason: str, attempts: int) -> DocumentFetchFailed:
        reason = policy.scrub(reason, credential)
        log.info("file %d of %s/%s not fetched: %s", index, council, reference, reason)
        return DocumentFetchFailed(
            file_index=index, source_url=file.url, reason=reason, attempts=attempts, tags=file.types
        )

    try:
        policy.check_url(file.url, allowlist)  # refused before any network access
    except Refused as refused:
        return failed(refused.reason, 0)
    document_id = new_document_id()

    def store(response: FetchResponse) -> Stored | NotAccepted:
        """The body streamed into the document store once its first bytes say what it is (never whole in memory)."""
        head = _head(response.chunks)
        content_type = policy.sniff(head)
        if content_type is None:
            return NotAccepted(policy.not_accepted_reason(head))
        name = policy.file_name(file.url, content_type)
        key = policy.document_key(council, reference, document_id, name)
        stored = documents.put_stream(key, chain((head,), response.chunks), content_type)
        return Stored(stored, name, response.final_url)

    downloaded = download(fetcher, file.url, headers, retry, store, give_up_at)
    if isinstance(downloaded, DownloadFailed):
        return failed(downloaded.reason, downloaded.attempts)
    result, attempts = downloaded
    if isinstance(result, NotAccepted):
        return failed(result.reason, attempts)
    stored = result.document
    log.info(
        "file %d of %s/%s stored from host %s: %s, %d bytes",
        index, council, reference, urlsplit(result.final_url).hostname, stored.content_type, stored.size,
    )  # fmt: skip
    return DocumentReceived(
        document_id=document_id,
        file_index=index,
        source_url=file.url,
        file_name=result.name,
        key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        tags=file.types,
        description=file.description,
    )


SNIFF_BYTES = 8  # enough for every signature policy.sniff knows


def _head(chunks: Iterator[bytes]) -> bytes:
    """The body's first chunks, until they hold SNIFF_BYTES (or the body ends)."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    return head


@dataclass(frozen=True)
class Stored:
    document: StoredDocument
    name: str
    final_url: str


@dataclass(frozen=True)
class NotAccepted:
    reason: str


@dataclass(frozen=True)
class DownloadFailed:
    reason: str
    attempts: int


@dataclass(frozen=True)
class HttpStatus:
    """A final response that was not a 2xx (its body is not read)."""

    status: int
    reason: str


def download(
    fetcher: Fetcher,
    url: str,
    headers: Mapping[str, str],
    retry: RetryPolicy,
    receive: Callable[[FetchResponse], T],
    give_up_at: float | None = None,
) -> tuple[T, int] | DownloadFailed:
    """What `receive` made of a 2xx response, and the attempts it took; network errors (also while the body
    arrives), timeouts, 429 and 5xx are tried again, but not once `give_up_at` (a time.monotonic() value) passed."""

    def attempt(response: FetchResponse) -> T | HttpStatus:
        return receive(response) if 200 <= response.status <= 299 else HttpStatus(response.status, response.reason)

    attempts = max(1, retry.attempts)
    for number in range(1, attempts + 1):
        try:
            result = fetcher.stream(url, headers, attempt)
        except FetchRefused as refused:
            return DownloadFailed(refused.reason, number)
        except FetchFailed as failure:
            if not failure.retryable or number == attempts or _past(give_up_at, retry.delay(number)):
                return DownloadFailed(f"{failure.reason} {policy.attempts_text(number)}", number)
        else:
            if not isinstance(result, HttpStatus):
                return result, number
            if (
                not policy.is_retryable_status(result.status)
                or number == attempts
                or _past(give_up_at, retry.delay(number))
            ):
                return DownloadFailed(policy.http_reason(result.status, result.reason, number), number)
        retry.sleep(retry.delay(number))
    raise AssertionError("unreachable")


def _past(give_up_at: float | None, wait: float) -> bool:
    """Whether another attempt, after waiting `wait` seconds, would start after `give_up_at`."""
    return give_up_at is not None and time.monotonic() + wait >= give_up_at


def _refresh(store: EventStore, stream: str, state: DocumentsState) -> DocumentsState:
    return policy.fold(store.read(stream, from_version=state.version + 1), state)


def _not_recorded(state: DocumentsState, index: int) -> bool:
    return not state.recorded(index)


def _record(
    store: EventStore,
    stream: str,
    state: DocumentsState,
    outcomes: list[tuple[int, NewEvent]],
    wanted: Callable[[DocumentsState, int], bool] = _not_recorded,
) -> tuple[list[RecordedEvent], DocumentsState]:
    """Append the outcomes (by file index) at the version last seen, at most MAX_OUTCOMES_PER_APPEND at a time, while
    the stream still wants them (by default: the file has no outcome yet); if someone appended first, re-read the
    stream, drop the outcomes it no longer wants and try the rest again."""
    appended: list[RecordedEvent] = []
    conflicts = 0
    while outcomes := [(index, new) for index, new in outcomes if wanted(state, index)]:
        batch = [new for _, new in outcomes[:MAX_OUTCOMES_PER_APPEND]]
        try:
            recorded = store.append(stream, state.version, batch)
        except ConcurrencyError:
            conflicts += 1
            if conflicts >= MAX_APPEND_ATTEMPTS:
                raise
            state = _refresh(store, stream, state)
            continue
        conflicts = 0
        appended.extend(recorded)
        state = policy.fold(recorded, state)
    return appended, state
