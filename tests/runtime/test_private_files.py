"""Everything under the data directory is owner-only: the log, the read models, checkpoints, dead letters, documents."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from bops.checkpoints import Checkpoints
from events import Actor, NewEvent
from events.council import CouncilSettingsChanged, CouncilSettingsChanges
from shared.documents.local import LocalDocumentStore
from shared.eventstore.sqlite import SqliteEventStore
from shared.projections.sqlite_store import SqliteReadModelStore

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root.parent)): p.stat().st_mode & 0o777 for p in [root, *root.rglob("*")]}


def use_every_store(data: Path) -> None:
    log = SqliteEventStore(data / "events.sqlite")
    event = NewEvent(CouncilSettingsChanged(changes=CouncilSettingsChanges(name="a")), "DEMO", Actor.system(), T0)
    log.append("council:DEMO", log.stream_version("council:DEMO"), [event])
    checkpoints = Checkpoints(SqliteReadModelStore(data / "readmodels.sqlite"))
    checkpoints.advance("recorder", checkpoints.get("recorder"), log.head_position())
    checkpoints.dead_letter("recorder", 1, "CouncilSettingsChanged", "council:DEMO", 1, "boom", T0)
    LocalDocumentStore(data / "documents").put("DEMO/R1/documents/d1/plan.pdf", b"%PDF-1.7", "application/pdf")


def test_the_data_directory_is_created_owner_only(tmp_path):
    data = tmp_path / "new" / "data"
    use_every_store(data)
    found = modes(data)
    assert {"data/events.sqlite-wal", "data/events.sqlite-shm", "data/readmodels.sqlite-wal"} <= set(found)
    assert "data/documents/DEMO/R1/documents/d1/plan.pdf" in found
    assert all(mode == (0o700 if (data.parent / name).is_dir() else 0o600) for name, mode in found.items()), found
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700  # a missing parent too


def test_what_an_older_version_left_readable_is_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    use_every_store(data)
    for path in [data, *data.glob("*.sqlite*"), data / "documents"]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    use_every_store(data)
    found = {name: oct(mode) for name, mode in modes(data).items() if "/documents/" not in name}
    assert {name for name, mode in found.items() if mode not in ("0o600", "0o700")} == set()
