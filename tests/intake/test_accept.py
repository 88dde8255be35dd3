"""Accepting submissions in several processes at once: one read of the newest reference, whatever the council's history;
numbers without gaps or repeats; one application per submission id; nothing half-recorded."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events import Actor, NewEvent
from events.application import PlanningApplicationReferenceAssigned, PlanningApplicationSubmitted, SubmissionClaimed
from events.streams import application_stream, intake_stream, submission_stream
from services.councils.service import CouncilService
from services.intake.accept import IntakeService
from services.intake.errors import Forbidden, InvalidSubmission, PayloadTooLarge, SubmissionConflict
from shared.clock import SystemClock
from shared.documents.local import LocalDocumentStore
from shared.eventstore.sqlite import SqliteEventStore
from shared.odp import OdpValidator
from tests.intake.support import example_paths, prepared

ACTOR = Actor(kind="api_client", id="k-1", display_name="PlanX")
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Process:
    """What one Lambda process has: its own store connection and intake service, on the shared log and bucket."""

    def __init__(self, log: Path, documents: Path, odp_dir: Path) -> None:
        self.store = SqliteEventStore(log, clock=SystemClock())
        councils = CouncilService(self.store, SystemClock())
        self.reads: list[str] = []
        self.intake = IntakeService(
            ReadCounting(self.store, self.reads),
            LocalDocumentStore(documents),
            SystemClock(),
            OdpValidator(odp_dir / "schemas"),
            councils.settings,
        )

    def submit(self, payload: dict) -> tuple[str, bool]:
        accepted = self.intake.submit("TST", json.dumps(payload).encode(), payload, ACTOR)
        return accepted.reference, accepted.created


class ReadCounting:
    """The store, noting every whole-stream read."""

    def __init__(self, store: SqliteEventStore, reads: list[str]) -> None:
        self._store = store
        self._reads = reads

    def read(self, stream_id: str, *args, **kwargs):
        self._reads.append(stream_id)
        return self._store.read(stream_id, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._store, name)


@pytest.fixture
def processes(tmp_path, odp_dir):
    first = Process(tmp_path / "events.sqlite", tmp_path / "documents", odp_dir)
    CouncilService(first.store, SystemClock()).create_council("TST", "Test Council", "test")
    second = Process(tmp_path / "events.sqlite", tmp_path / "documents", odp_dir)
    return first, second


def submission(index: int = 0) -> dict:
    return prepared(example_paths()[index], "TST", None)


def test_a_council_with_a_long_history_is_numbered_from_its_newest_reference_alone(processes):
    first, second = processes
    history = [
        NewEvent(
            PlanningApplicationReferenceAssigned(
                submission_id=f"old-{n}",
                reference=f"25-{n:05d}-HAPP",
                sequence=n,
                application_type="pp.full.householder",
                body_sha256="0" * 64,
            ),
            "TST",
            ACTOR,
            T0,
        )
        for n in range(1, 1201)
    ]
    for start in range(0, len(history), 100):
        first.store.append(intake_stream("TST"), start, history[start : start + 100])
    reference, created = second.submit(submission())
    assert created and reference.split("-")[1] == "01201"
    assert intake_stream("TST") not in second.reads  # only its newest event was read


def test_two_processes_number_distinct_submissions_without_gaps_or_repeats(processes):
    first, second = processes
    payloads = [submission(n % 3) for n in range(24)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda n: (first, second)[n % 2].submit(payloads[n]), range(len(payloads))))
    assert all(created for _, created in results)
    sequences = sorted(int(reference.split("-")[1]) for reference, _ in results)
    assert sequences == list(range(1, 25))
    store = first.store
    for payload, (reference, _) in zip(payloads, results, strict=True):
        [claim] = store.read(submission_stream("TST", payload["metadata"]["id"]))
        assert isinstance(claim.payload, SubmissionClaimed) and claim.payload.reference == reference
        [submitted] = store.read(application_stream("TST", reference))
        assert isinstance(submitted.payload, PlanningApplicationSubmitted)
    assert store.stream_version(intake_stream("TST")) == 24
    assert store.verify(intake_stream("TST")).ok


def test_one_submission_received_by_two_processes_at_once_becomes_one_application(processes):
    payload = submission(1)
    start = threading.Barrier(2)

    def deliver(process: Process) -> list[tuple[str, bool]]:
        start.wait()
        return [process.submit(payload) for _ in range(10)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [result for batch in pool.map(deliver, processes) for result in batch]
    assert sum(created for _, created in results) == 1
    assert len({reference for reference, _ in results}) == 1
    store = processes[0].store
    assert [s for s in store.stream_ids("application:TST:") if s.count(":") == 2] == [
        application_stream("TST", results[0][0])
    ]


def test_a_process_that_remembered_an_old_position_takes_the_next_number(processes):
    first, second = processes
    assert first.submit(submission(0))[0].split("-")[1] == "00001"
    assert second.submit(submission(1))[0].split("-")[1] == "00002"
    assert first.submit(submission(2))[0].split("-")[1] == "00003"  # its remembered position was stale


def test_a_repeat_with_other_content_is_refused_and_stores_nothing(processes, tmp_path):
    first, second = processes
    payload = submission(0)
    reference, _ = first.submit(payload)
    originals = sorted((tmp_path / "documents").rglob("*.json"))
    changed = {**payload, "data": {**payload["data"], "proposal": {**payload["data"]["proposal"], "description": "x"}}}
    with pytest.raises(SubmissionConflict, match=reference):
        second.submit(changed)
    assert sorted((tmp_path / "documents").rglob("*.json")) == originals
    assert first.store.stream_version(intake_stream("TST")) == 1


def test_the_original_is_kept_under_its_submission_id(processes, tmp_path):
    first, _ = processes
    payload = submission(0)
    reference, _ = first.submit(payload)
    [submitted] = first.store.read(application_stream("TST", reference))
    key = submitted.payload.payload_key
    assert key.startswith(f"TST/submissions/{payload['metadata']['id']}/")
    assert (tmp_path / "documents" / key).is_file()


# Orphans and near-duplicates -----------------------------------------------------------------------------------------


class RacedBy:
    """The store, with another delivery accepted right after this process read the newest reference, before its own
    append: the interleaving of two processes that both took the submission for new (the other one appended first)."""

    def __init__(self, store: SqliteEventStore, other: Callable[[], object]) -> None:
        self._store = store
        self._other: Callable[[], object] | None = other

    def read_last(self, stream_id: str):
        found = self._store.read_last(stream_id)
        if stream_id == intake_stream("TST") and self._other is not None:
            other, self._other = self._other, None
            other()
        return found

    def __getattr__(self, name: str):
        return getattr(self._store, name)


def originals(tmp_path: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path / "documents")) for p in (tmp_path / "documents").rglob("*.json"))


def application_keys(store: SqliteEventStore) -> list[str]:
    keys = []
    for stream in store.stream_ids("application:TST:"):
        if stream.count(":") == 2:
            [submitted] = store.read(stream)
            keys.append(submitted.payload.payload_key)
    return sorted(keys)


def test_a_conflicting_delivery_that_lost_a_race_leaves_no_original(processes, tmp_path):
    first, second = processes
    payload = submission(0)
    changed = json.loads(json.dumps(payload))
    changed["data"]["proposal"]["description"] = "Something else entirely"
    second.intake.store = RacedBy(second.store, lambda: first.submit(payload))

    with pytest.raises(SubmissionConflict):
        second.submit(changed)

    assert originals(tmp_path) == application_keys(first.store) and len(originals(tmp_path)) == 1


def test_a_repeat_in_other_bytes_that_lost_a_race_leaves_no_second_original(processes, tmp_path):
    first, second = processes
    payload = submission(0)
    second.intake.store = RacedBy(second.store, lambda: first.submit(payload))
    shouting = json.loads(json.dumps(payload))
    shouting["metadata"]["id"] = payload["metadata"]["id"].upper()  # the same submission, other bytes

    reference, created = second.submit(shouting)

    assert not created and application_keys(first.store) == originals(tmp_path)
    assert (
        len(originals(tmp_path)) == 1
        and reference == first.store.read(submission_stream("TST", payload["metadata"]["id"]))[0].payload.reference
    )


def test_the_same_bytes_that_lost_a_race_keep_the_original_the_application_names(processes, tmp_path):
    first, second = processes
    payload = submission(0)
    second.intake.store = RacedBy(second.store, lambda: first.submit(payload))

    _, created = second.submit(payload)

    assert not created
    assert originals(tmp_path) == application_keys(first.store) and len(originals(tmp_path)) == 1


def test_an_event_over_the_size_limit_is_413_with_its_reason_and_leaves_nothing(processes, tmp_path, monkeypatch):
    import shared.eventstore.records as records

    first, _ = processes
    payload = submission(0)
    payload["data"]["proposal"]["description"] = "d" * 4_000
    monkeypatch.setattr(records, "MAX_EVENT_BYTES", 3_000)  # its application's event is larger, the others are not
    with pytest.raises(PayloadTooLarge) as refused:
        first.submit(payload)
    assert refused.value.status == 413
    assert "PlanningApplicationSubmitted v1 of application:TST:" in refused.value.message
    assert "the limit is 3000" in refused.value.message
    assert originals(tmp_path) == [] and first.store.stream_version(intake_stream("TST")) == 0


@pytest.mark.parametrize("first_case", [str.lower, str.upper], ids=["lower-first", "upper-first"])
def test_a_submission_id_in_other_case_is_the_same_submission(processes, tmp_path, first_case):
    first, second = processes
    payload = submission(0)
    canonical = payload["metadata"]["id"].lower()
    one = json.loads(json.dumps(payload))
    one["metadata"]["id"] = first_case(canonical)
    other = json.loads(json.dumps(payload))
    other["metadata"]["id"] = (str.upper if first_case is str.lower else str.lower)(canonical)

    reference, created = first.submit(one)
    again, created_again = second.submit(other)

    assert created and not created_again and again == reference
    assert [s for s in first.store.stream_ids("submission:TST:")] == [submission_stream("TST", canonical)]
    assert len(application_keys(first.store)) == 1 and originals(tmp_path) == application_keys(first.store)
    assert application_keys(first.store)[0].startswith(f"TST/submissions/{canonical}/")
    changed = json.loads(json.dumps(other))
    changed["data"]["proposal"]["description"] = "Something else entirely"
    with pytest.raises(SubmissionConflict):
        second.submit(changed)


def test_refusals_before_storing_leave_nothing(processes, tmp_path):
    first, _ = processes
    payload = submission(0)
    other_council = {**payload, "metadata": {**payload["metadata"], "organisation": "OTH"}}
    with pytest.raises(Forbidden):
        first.submit(other_council)
    invalid = {**payload, "metadata": {**payload["metadata"], "id": "not-a-uuid"}}
    with pytest.raises(InvalidSubmission):
        first.submit(invalid)
    assert originals(tmp_path) == [] and list(first.store.stream_ids("")) == ["council:TST"]


# A cold start's round trips -----------------------------------------------------------------------------------------


class PutWaitingForRead:
    """The document store, whose put waits (at most a few seconds) until the intake stream has been read: a put that
    blocks the read would wait in vain."""

    def __init__(self, documents: LocalDocumentStore, read: threading.Event, seen: list[bool]) -> None:
        self._documents = documents
        self._read = read
        self._seen = seen

    def put(self, key: str, content: bytes, content_type: str):
        self._seen.append(self._read.wait(timeout=3))
        return self._documents.put(key, content, content_type)

    def __getattr__(self, name: str):
        return getattr(self._documents, name)


class NotingRead:
    """The store, noting when the intake stream is read."""

    def __init__(self, store: SqliteEventStore, read: threading.Event) -> None:
        self._store = store
        self._read = read

    def read_last(self, stream_id: str):
        found = self._store.read_last(stream_id)
        if stream_id == intake_stream("TST"):
            self._read.set()
        return found

    def __getattr__(self, name: str):
        return getattr(self._store, name)


def test_a_new_submissions_original_is_stored_while_its_number_is_read(processes, tmp_path):
    first, _ = processes
    read, seen = threading.Event(), []
    first.intake.documents = PutWaitingForRead(first.intake.documents, read, seen)  # type: ignore[assignment]
    first.intake.store = NotingRead(first.store, read)  # type: ignore[assignment]

    _, created = first.submit(submission(0))

    assert created and seen == [True]  # the number was read while the original was being stored
    assert originals(tmp_path) == application_keys(first.store) and len(originals(tmp_path)) == 1


class LastReads:
    """The store, noting each stream whose newest event is read."""

    def __init__(self, store: SqliteEventStore, read: list[str]) -> None:
        self._store = store
        self._read = read

    def read_last(self, stream_id: str):
        self._read.append(stream_id)
        return self._store.read_last(stream_id)

    def __getattr__(self, name: str):
        return getattr(self._store, name)


def test_a_new_submission_reads_no_claim_and_a_repeat_finds_its_application(processes, tmp_path):
    first, second = processes
    payload = submission(0)
    read: list[str] = []
    first.intake.store = LastReads(first.store, read)  # type: ignore[assignment]

    reference, created = first.submit(payload)
    assert created and read == [intake_stream("TST")]  # the append's condition is the check for a repeat

    assert second.submit(payload) == (reference, False)
    assert originals(tmp_path) == application_keys(first.store) and len(originals(tmp_path)) == 1
