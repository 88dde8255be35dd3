"""Every stored event's shape is pinned: one JSON schema snapshot per (event type, schema version).

A change to a payload's shape without a new schema version fails here; so does a registered version without its
snapshot (write it with `python -m tests.events.snapshots`), and an old version's snapshot without an upcaster from it.
"""

from __future__ import annotations

import json

from events.registry import registered_versions
from tests.events import snapshots


def test_every_registered_version_matches_its_snapshot_and_every_snapshot_still_reads():
    assert snapshots.problems() == []
    assert ("PlanningApplicationSubmitted", 3) in registered_versions()
    for old in (1, 2):  # v1 and v2 read through their upcasters
        assert snapshots.snapshot_path("PlanningApplicationSubmitted", old).is_file()


def test_a_shape_changed_without_a_new_version_is_named(monkeypatch):
    from events.council import OfficerDeactivated

    original = OfficerDeactivated.model_json_schema()
    changed = {**original, "properties": {**original["properties"], "reason": {"type": "string"}}}
    monkeypatch.setattr(OfficerDeactivated, "model_json_schema", classmethod(lambda cls: changed))
    [problem] = snapshots.problems()
    assert problem.startswith("OfficerDeactivated.v1.json: OfficerDeactivated v1 changed shape")


def test_a_missing_snapshot_and_a_version_that_no_longer_reads_are_named(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshots, "SNAPSHOTS", tmp_path)
    (tmp_path / "OfficerDeactivated.v7.json").write_text("{}\n")
    (tmp_path / "NoLongerAnEvent.v1.json").write_text("{}\n")
    found = snapshots.problems()
    assert "CouncilCreated.v1.json: missing; write it with python -m tests.events.snapshots" in found
    assert "OfficerDeactivated.v7.json: v7 has no model and no upcaster to a newer version" in found
    assert any(
        problem.startswith("NoLongerAnEvent.v1.json: NoLongerAnEvent is no longer registered") for problem in found
    )


def test_the_writer_adds_missing_snapshots_and_leaves_existing_ones_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshots, "SNAPSHOTS", tmp_path)
    (tmp_path / "CouncilCreated.v1.json").write_text("{}\n")
    written = {path.name for path in snapshots.write_missing()}
    assert (tmp_path / "CouncilCreated.v1.json").read_text() == "{}\n"
    assert written == {f"{t}.v{v}.json" for t, v in registered_versions()} - {"CouncilCreated.v1.json"}
    saved = json.loads((tmp_path / "OfficerDeactivated.v1.json").read_text())
    assert saved == snapshots.schema_of("OfficerDeactivated", 1)
