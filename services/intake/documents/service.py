"""The document fetcher's application layer: for each file of a submission not yet recorded on the application's
documents side stream, download it (with retries), check it, store it and append what happened.

Safe under at-least-once, duplicated and concurrent deliveries: the stream is folded first and re-read before each
file; each outcome is appended at the folded version, and on a concurrent append the stream is re-read and a file
someone else recorded meanwhile is skipped (at worst a stored copy nobody references is left behind).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from uuid import uuid4

from events import Actor, NewEvent, RecordedEvent
from events.application import DocumentFetchFailed, DocumentReceived, PlanningApplicationSubmitted
from events.streams import application_side_stream
from services.intake.documents import policy
from services.intake.documents.fetcher import Fetcher, FetchFailed, FetchRefused, FetchResult
from services.intake.documents.policy import AllowedHost, DocumentsState, Refused
from shared.clock import Clock
from shared.documents.port import DocumentStore
from shared.eventstore.port import ConcurrencyError, EventStore
from shared.odp.model import SubmittedFile

ACTOR = Actor.system("intake-document-fetcher")
CREDENTIAL_HEADER = "api-key"
MAX_APPEND_ATTEMPTS = 20

log = logging.getLogger(__name__)

Outcome = DocumentReceived | DocumentFetchFailed


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


def documents_stream(event: RecordedEvent) -> str:
    payload = event.payload
    if not isinstance(payload, PlanningApplicationSubmitted):
        raise TypeError(f"expected PlanningApplicationSubmitted, got {event.event_type}")
    return application_side_stream(event.council, payload.reference, "documents")


def fetch_documents(
    event: RecordedEvent,
    store: EventStore,
    documents: DocumentStore,
    fetcher: Fetcher,
    allowlist: Iterable[str],
    credential: str | None,
    clock: Clock,
    *,
    retry: RetryPolicy | None = None,
    new_document_id: Callable[[], str] = lambda: str(uuid4()),
) -> list[RecordedEvent]:
    """Fetch every file of the submission not yet recorded; the events this call appended (none on a redelivery)."""
    stream = documents_stream(event)
    submitted = event.payload
    assert isinstance(submitted, PlanningApplicationSubmitted)
    rules = policy.parse_allowlist(allowlist)
    headers = {CREDENTIAL_HEADER: credential} if credential else {}
    retry = retry or RetryPolicy()
    state = policy.fold(store.read(stream))
    appended: list[RecordedEvent] = []
    for index, file in enumerate(submitted.submission.files):
        state = _refresh(store, stream, state)
        if state.recorded(index):
            continue
        outcome = fetch_file(
            index,
            file,
            event.council,
            submitted.reference,
            fetcher=fetcher,
            documents=documents,
            allowlist=rules,
            headers=headers,
            retry=retry,
            new_document_id=new_document_id,
        )
        new, state = _record(store, stream, state, index, event.caused(outcome, ACTOR, clock.now()))
        appended.extend(new)
    return appended


def fetch_file(
    index: int,
    file: SubmittedFile,
    council: str,
    reference: str,
    *,
    fetcher: Fetcher,
    documents: DocumentStore,
    allowlist: tuple[AllowedHost, ...],
    headers: Mapping[str, str],
    retry: RetryPolicy,
    new_document_id: Callable[[], str],
) -> Outcome:
    """Download, check and store one file: DocumentReceived, or DocumentFetchFailed with the reason."""
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
    downloaded = download(fetcher, file.url, headers, retry)
    if isinstance(downloaded, DownloadFailed):
        return failed(downloaded.reason, downloaded.attempts)
    result, attempts = downloaded
    content_type = policy.sniff(result.body)
    if content_type is None:
        return failed(policy.not_accepted_reason(result.body), attempts)
    document_id = new_document_id()
    name = policy.file_name(file.url, content_type)
    stored = documents.put(policy.document_key(council, reference, document_id, name), result.body, content_type)
    log.info(
        "file %d of %s/%s stored from host %s: %s, %d bytes",
        index, council, reference, urlsplit(result.final_url).hostname, content_type, stored.size,
    )  # fmt: skip
    return DocumentReceived(
        document_id=document_id,
        file_index=index,
        source_url=file.url,
        file_name=name,
        key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        content_type=content_type,
        tags=file.types,
        description=file.description,
    )


@dataclass(frozen=True)
class DownloadFailed:
    reason: str
    attempts: int


def download(
    fetcher: Fetcher, url: str, headers: Mapping[str, str], retry: RetryPolicy
) -> tuple[FetchResult, int] | DownloadFailed:
    """A 2xx response and the attempts it took; network errors, timeouts, 429 and 5xx are tried again."""
    attempts = max(1, retry.attempts)
    for attempt in range(1, attempts + 1):
        try:
            result = fetcher.fetch(url, headers)
        except FetchRefused as refused:
            return DownloadFailed(refused.reason, attempt)
        except FetchFailed as failure:
            if not failure.retryable or attempt == attempts:
                return DownloadFailed(f"{failure.reason} {policy.attempts_text(attempt)}", attempt)
        else:
            if 200 <= result.status <= 299:
                return result, attempt
            if not policy.is_retryable_status(result.status) or attempt == attempts:
                return DownloadFailed(policy.http_reason(result.status, result.reason, attempt), attempt)
        retry.sleep(retry.delay(attempt))
    raise AssertionError("unreachable")


def _refresh(store: EventStore, stream: str, state: DocumentsState) -> DocumentsState:
    return policy.fold(store.read(stream, from_version=state.version + 1), state)


def _record(
    store: EventStore, stream: str, state: DocumentsState, index: int, new_event: NewEvent
) -> tuple[list[RecordedEvent], DocumentsState]:
    """Append the outcome at the folded version; if someone appended first, re-read and skip a file they recorded."""
    for _ in range(MAX_APPEND_ATTEMPTS):
        try:
            recorded = store.append(stream, state.version, [new_event])
        except ConcurrencyError:
            state = _refresh(store, stream, state)
            if state.recorded(index):
                return [], state
            continue
        return recorded, policy.fold(recorded, state)
    raise ConcurrencyError(stream, state.version)
