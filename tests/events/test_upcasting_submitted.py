"""A PlanningApplicationSubmitted stored at version 1 (the whole parsed submission embedded) or version 2 (a summary
without the constraints) still reads, as version 3.

The fixtures are the literal JSON of a v1 and a v2 event as the log stored them before the next version existed; each
is written into a log as stored bytes, then read back through the store.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from events import canonical_json
from events.application import PlanningApplicationSubmitted
from events.submission import ConstraintSummary, FileReference, SubmissionSummary
from shared.clock import SystemClock
from shared.eventstore.port import GENESIS_HASH, chain_hash
from shared.eventstore.sqlite import SqliteEventStore

FIXTURES = Path(__file__).parent / "fixtures"


def stored(path: Path, version: int = 1) -> tuple[SqliteEventStore, dict]:
    """A log holding the fixture of `version` as its only event, with its hash chain, as an older release wrote it."""
    envelope = json.loads((FIXTURES / f"PlanningApplicationSubmitted.v{version}.json").read_text())
    assert envelope["schema_version"] == version
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


def test_a_stored_v1_event_reads_as_v3_with_the_summary_derived_from_the_embedded_submission(tmp_path):
    store, envelope = stored(tmp_path / "events.sqlite")
    v1 = envelope["payload"]
    assert envelope["schema_version"] == 1 and v1["submission"]["boundary"]["geojson"]  # really the old shape

    [event] = store.read(envelope["stream_id"])

    assert event.schema_version == 3
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
    # v1 embedded the constraints: they are kept, not lost on the way through v2
    assert len(old["constraints"]) == 17
    assert {c.value: c for c in summary.constraints} == {
        c["value"]: ConstraintSummary(value=c["value"], description=c["description"], intersects=c["intersects"])
        for c in old["constraints"]
    }
    # what the store holds is untouched: the chain still verifies over the v1 bytes
    assert store.verify(envelope["stream_id"]).ok
    assert store.read_last(envelope["stream_id"]) == event


def test_a_stored_v2_event_reads_as_v3_with_no_constraints_and_the_rest_of_its_summary_as_it_was(tmp_path):
    store, envelope = stored(tmp_path / "events.sqlite", version=2)
    v2 = envelope["payload"]
    assert "constraints" not in v2["submission"] and "boundary" not in v2["submission"]  # really the v2 shape

    [event] = store.read(envelope["stream_id"])

    assert event.schema_version == 3
    payload = event.payload
    assert isinstance(payload, PlanningApplicationSubmitted)
    assert payload.submission.constraints == ()
    assert payload.submission == SubmissionSummary.model_validate(v2["submission"])
    assert payload.model_dump(mode="json", exclude={"submission"}) == {k: v for k, v in v2.items() if k != "submission"}
    assert store.verify(envelope["stream_id"]).ok
