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

from events import model_for, registered_types
from events.registry import registered_versions

SNAPSHOTS = Path(__file__).resolve().parent / "schemas"


def snapshot_path(event_type: str, schema_version: int) -> Path:
    return SNAPSHOTS / f"{event_type}.v{schema_version}.json"


def schema_of(event_type: str, schema_version: int) -> dict[str, Any]:
    return model_for(event_type, schema_version).model_json_schema()


def text_of(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


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
