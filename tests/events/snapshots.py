"""The JSON schema snapshots of every registered event type, one file per (event type, schema version).

    python3 -m uv run --no-sync python -m tests.events.snapshots    # write the snapshots of versions not yet saved

A stored event must replay forever, so a snapshot is written once and never rewritten: a change to a payload's shape
makes `tests/events/test_schemas.py` fail until the change becomes a new schema version with an upcaster from the old
one (whose snapshot stays, as the record of what the log may hold).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from events import current_version, model_for, registered_types
from events.registry import has_upcaster, registered_versions

SNAPSHOTS = Path(__file__).resolve().parent / "schemas"


def snapshot_path(event_type: str, schema_version: int) -> Path:
    return SNAPSHOTS / f"{event_type}.v{schema_version}.json"


def schema_of(event_type: str, schema_version: int) -> dict[str, Any]:
    return model_for(event_type, schema_version).model_json_schema()


def text_of(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def problems() -> list[str]:
    """Why the log's stored events might not read: a version without its snapshot, a model that no longer matches
    its snapshot, a snapshot of a version that has neither a model nor an upcaster from it."""
    found = []
    types = registered_types()
    versions = registered_versions()
    for event_type, schema_version in versions:
        path = snapshot_path(event_type, schema_version)
        if not path.is_file():
            found.append(f"{path.name}: missing; write it with python -m tests.events.snapshots")
        elif json.loads(path.read_text()) != schema_of(event_type, schema_version):
            found.append(
                f"{path.name}: {event_type} v{schema_version} changed shape, so its stored events would no longer "
                "read; make the new shape a new schema version with an upcaster from this one"
            )
    for path in sorted(SNAPSHOTS.glob("*.json")):
        event_type, version_text = path.stem.rsplit(".v", 1)
        version = int(version_text)
        if event_type not in types:
            found.append(f"{path.name}: {event_type} is no longer registered, its stored events would not read")
        elif (event_type, version) not in versions and not (
            version < current_version(event_type) and has_upcaster(event_type, version)
        ):
            found.append(f"{path.name}: v{version} has no model and no upcaster to a newer version")
    return found


def write_missing() -> list[Path]:
    """Write the snapshot of every registered (type, version) that has none; existing snapshots are left alone."""
    written = []
    registered_types()  # imports every product event module
    for event_type, schema_version in registered_versions():
        path = snapshot_path(event_type, schema_version)
        if not path.exists():
            path.write_text(text_of(schema_of(event_type, schema_version)))
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write_missing():
        print(f"wrote {path}", file=sys.stderr)
