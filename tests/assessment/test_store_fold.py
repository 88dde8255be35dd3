"""The fold over a real event store: a command's events appended to their streams together (`append_streams`), read
back merged (`read_merged`), give the live state; the documents side stream never moves the main stream's version."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from events import Actor, EventPayload, NewEvent
from events.streams import application_side_stream, application_stream, application_streams
from services.assessment.domain import (
    UploadedDocument,
    answer_validation_request,
    fold,
    invalidate,
    side_stream_of,
    validate,
)
from shared.clock import FrozenClock
from shared.eventstore.port import StreamAppend, read_merged
from shared.eventstore.sqlite import SqliteEventStore
from tests.assessment import builders as b
from tests.assessment.support import APPLICANT, ASSESSOR, COUNCIL, REFERENCE

T0 = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _append(store: SqliteEventStore, events: list[EventPayload], actor: Actor) -> None:
    by_stream: dict[str, list[NewEvent]] = {}
    for payload in events:
        side = side_stream_of(payload)
        stream = application_side_stream(COUNCIL, REFERENCE, side) if side else application_stream(COUNCIL, REFERENCE)
        by_stream.setdefault(stream, []).append(NewEvent(payload, COUNCIL, actor, T0))
    store.append_streams(
        [StreamAppend(stream, store.stream_version(stream), news) for stream, news in by_stream.items()]
    )


def test_the_state_folded_from_the_store_is_the_live_state(tmp_path):
    store = SqliteEventStore(tmp_path / "events.sqlite", clock=FrozenClock(T0))
    case = b.with_pending()
    for event in case.events():  # the submission, its documents and the drafted request, as intake and an officer did
        stream = event.stream_id
        store.append(stream, store.stream_version(stream), [NewEvent(event.payload, COUNCIL, event.actor, T0)])
    streams = application_streams(COUNCIL, REFERENCE)
    state = fold(read_merged(store, streams))
    assert state == case.state

    _append(store, invalidate(state, ASSESSOR, today=date(2026, 3, 3)), ASSESSOR.actor())
    state = fold(read_merged(store, streams))
    main_version = state.version
    [request] = state.requests.values()
    upload = UploadedDocument("up-1", "plan.pdf", "DEMO/x/up-1.pdf", "1" * 64, 100, "application/pdf")
    answer = answer_validation_request(state, request_id=request.id, document=upload, now=T0 + timedelta(days=2))
    _append(store, answer, APPLICANT)
    state = fold(read_merged(store, streams))
    assert state.version == main_version + 1  # the answer; the uploaded file went to the documents side stream
    assert store.stream_version(application_side_stream(COUNCIL, REFERENCE, "documents")) == 3
    assert state.documents["up-1"].request_id == request.id and state.requests[request.id].state == "closed"
    _append(store, validate(state, ASSESSOR, determination_period_days=56, today=date(2026, 3, 9)), ASSESSOR.actor())
    state = fold(read_merged(store, streams))
    assert (state.status, state.valid_from, state.expiry_date) == ("in_assessment", date(2026, 3, 5), date(2026, 4, 30))


def test_a_check_recorded_at_the_same_moment_as_its_document_is_kept(tmp_path):
    """With one recorded-at moment (a frozen clock), the merge puts the main stream first: the check comes before the
    document it is about, and the fold must still keep it."""
    from events.application import DocumentReceived
    from events.assessment import DocumentChecked

    main, documents = application_stream(COUNCIL, REFERENCE), application_side_stream(COUNCIL, REFERENCE, "documents")
    case = b.with_pending()
    state = case.state
    for payload, stream in (
        (DocumentChecked(document_id="late", valid=False, invalid_reason="blurred"), main),
        (
            DocumentReceived(
                document_id="late",
                file_index=9,
                source_url="https://example.org/late.pdf",
                file_name="late.pdf",
                key="k/late.pdf",
                sha256="1" * 64,
                size=5,
                content_type="application/pdf",
            ),
            documents,
        ),
    ):
        [recorded] = SqliteEventStore(tmp_path / f"{stream[-4:]}.sqlite", clock=FrozenClock(T0)).append(
            stream, 0, [NewEvent(payload, COUNCIL, ASSESSOR.actor(), T0)]
        )
        state = state.apply(recorded)
    assert state.documents["late"].check.valid is False and state.documents["late"].check.invalid_reason == "blurred"
