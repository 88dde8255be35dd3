"""A PlanningApplicationSubmitted stored at version 1 (the whole parsed submission embedded) still reads, as version 2.

The fixture is the literal JSON of a v1 event as the log stored it before version 2 existed; it is written into a
log as stored bytes, then read back through the store.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from events import canonical_json
from events.application import PlanningApplicationSubmitted
from events.submission import FileReference, SubmissionSummary
from shared.clock import SystemClock
from shared.eventstore.port import GENESIS_HASH, chain_hash
from shared.eventstore.sqlite import SqliteEventStore

FIXTURE = Path(__file__).parent / "fixtures" / "PlanningApplicationSubmitted.v1.json"


def stored_v1(path: Path) -> tuple[SqliteEventStore, dict]:
    """A log holding the fixture as its only event, with its hash chain, as an older release wrote it."""
    envelope = json.loads(FIXTURE.read_text())
    store = SqliteEventStore(path, clock=SystemClock())
    data = canonical_json(envelope)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO events (stream_id, version, event_type, recorded_at, data, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                envelope["stream_id"],
                1,
                envelope["event_type"],
                envelope["recorded_at"],
                data,
                GENESIS_HASH,
                chain_hash(GENESIS_HASH, data),
            ),
        )
    return store, envelope


def test_a_stored_v1_event_reads_as_v2_with_the_summary_derived_from_the_embedded_submission(tmp_path):
    store, envelope = stored_v1(tmp_path / "events.sqlite")
    v1 = envelope["payload"]
    assert envelope["schema_version"] == 1 and v1["submission"]["boundary"]["geojson"]  # really the old shape

    [event] = store.read(envelope["stream_id"])

    assert event.schema_version == 2
    payload = event.payload
    assert isinstance(payload, PlanningApplicationSubmitted)
    assert (payload.reference, payload.payload_key, payload.payload_sha256, payload.payload_size) == (
        v1["reference"],
        v1["payload_key"],
        v1["payload_sha256"],
        v1["payload_size"],
    )
    summary = payload.submission
    assert isinstance(summary, SubmissionSummary)
    old = v1["submission"]
    assert (summary.format, summary.application_type, summary.submission_id) == (
        old["format"],
        old["application_type"],
        old["submission_id"],
    )
    assert summary.description == old["description"]
    assert summary.site.address == old["site"]["address"] and summary.site.uprn == old["site"]["uprn"]
    assert summary.applicant is not None and summary.applicant.email == old["applicant"]["email"]
    assert summary.agent is not None and summary.agent.name == old["agent"]["name"]
    assert summary.fee is not None and summary.fee.payable == old["fee"]["payable"]
    assert summary.boundary_area_m2 == old["boundary"]["area_m2"]
    assert summary.file_count == len(old["files"]) == 4
    assert summary.files == tuple(
        FileReference(url=f["url"], types=tuple(f["types"]), description=f["description"]) for f in old["files"]
    )
    assert summary.clipped == ()
    # what the store holds is untouched: the chain still verifies over the v1 bytes
    assert store.verify(envelope["stream_id"]).ok
    assert store.read_last(envelope["stream_id"]) == event
