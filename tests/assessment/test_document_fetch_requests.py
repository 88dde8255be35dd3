"""Asking for a submitted file that failed to arrive to be fetched again (pure domain): the fold of the fetcher's
outcomes into the application's submitted files, and the rules (case officers only, a failed file only, once until
its outcome; a file received or still being fetched cannot be asked for)."""

from __future__ import annotations

import pytest

from events import Actor
from events.application import DocumentFetchFailed, DocumentFetchRequested, DocumentReceived
from services.assessment.domain import Conflict, NotFound, NotPermitted, request_document_fetch, side_stream_of
from services.assessment.domain.documents import documents_touched
from services.assessment.domain.state import Officer
from tests.assessment.support import ADMINISTRATOR, ASSESSOR, COUNCIL, ELSEWHERE, REFERENCE, REVIEWER, SHA, Case

FETCHER = Actor.system("intake-document-fetcher")
URL = "https://example.org/plan-3.pdf"


def failed(index: int = 2, reason: str = "host example.org refused the connection after 3 attempts"):
    return DocumentFetchFailed(file_index=index, source_url=URL, reason=reason, attempts=3)


def received(index: int = 2, document_id: str = "doc-3") -> DocumentReceived:
    return DocumentReceived(
        document_id=document_id,
        file_index=index,
        source_url=URL,
        file_name="plan-3.pdf",
        key=f"{COUNCIL}/{REFERENCE}/{document_id}.pdf",
        sha256=SHA,
        size=10,
        content_type="application/pdf",
    )


def case_with_a_failed_file() -> Case:
    case = Case()  # files 0 and 1 received
    case.record([failed()], FETCHER, side="documents")
    return case


def test_a_failed_file_is_asked_for_again_once_until_the_fetcher_answers():
    case = case_with_a_failed_file()
    [missing] = case.state.files_not_fetched
    assert (missing.number, missing.state, missing.reason, missing.requested_by) == (3, "failed", failed().reason, None)

    [event] = case.run(request_document_fetch, ASSESSOR, file_index=2)
    assert event == DocumentFetchRequested(file_index=2, source_url=URL)
    assert side_stream_of(event) == "documents"
    assert case.state.submitted_files[2].requested_by == Officer(ASSESSOR.id, ASSESSOR.name)
    assert case.run(request_document_fetch, REVIEWER, file_index=2) == []  # a second click changes nothing

    case.record([received()], FETCHER, side="documents")
    assert case.state.files_not_fetched == () and "doc-3" in case.state.documents
    with pytest.raises(Conflict, match="submitted file 3 was received: it cannot be fetched again"):
        request_document_fetch(case.state, ASSESSOR, file_index=2)
    assert case.replayed() == case.state


def test_a_file_that_fails_again_can_be_asked_for_again_and_duplicates_change_nothing():
    case = case_with_a_failed_file()
    case.run(request_document_fetch, ASSESSOR, file_index=2)
    case.record([failed(reason="HTTP 503 after 3 attempts")], FETCHER, side="documents")
    case.record([failed(reason="a duplicate delivery's outcome")], FETCHER, side="documents")
    [missing] = case.state.files_not_fetched
    assert (missing.state, missing.reason, missing.requested_by) == ("failed", "HTTP 503 after 3 attempts", None)
    assert case.run(request_document_fetch, ASSESSOR, file_index=2) == [
        DocumentFetchRequested(file_index=2, source_url=URL)
    ]


def test_received_unknown_and_still_fetching_files_cannot_be_asked_for():
    case = case_with_a_failed_file()
    with pytest.raises(Conflict, match="submitted file 1 was received"):
        request_document_fetch(case.state, ASSESSOR, file_index=0)
    for index in (7, -1, True, "2"):
        with pytest.raises(NotFound, match="no such file"):
            request_document_fetch(case.state, ASSESSOR, file_index=index)  # type: ignore[arg-type]
    counted = Case()
    counted.state = counted.state._evolve(submission=counted.state.submission.model_copy(update={"file_count": 4}))
    with pytest.raises(Conflict, match="submitted file 4 is still being fetched"):
        request_document_fetch(counted.state, ASSESSOR, file_index=3)


def test_only_case_officers_of_the_council_ask():
    state = case_with_a_failed_file().state
    with pytest.raises(NotPermitted, match="assessors or reviewers"):
        request_document_fetch(state, ADMINISTRATOR, file_index=2)
    with pytest.raises(NotFound):
        request_document_fetch(state, ELSEWHERE, file_index=2)


def test_a_request_and_its_outcome_touch_the_same_file():
    """So a form shown before either is stale for that file (a late second click), not for other files."""
    assert documents_touched([DocumentFetchRequested(file_index=2, source_url=URL)]) == {"file:2"}
    assert documents_touched([received()]) == {"doc-3", "file:2"} and documents_touched([failed(1)]) == {"file:1"}
