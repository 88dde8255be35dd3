"""Everything under the data directory is owner-only: the log, the read models, checkpoints, dead letters, documents,
the notifications' outbox and idempotency records."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bops.checkpoints import Checkpoints
from events import Actor, NewEvent
from events.council import CouncilSettingsChanged, CouncilSettingsChanges
from services.notifications.idempotency import SqlitePersistenceLayer
from services.notifications.outbox import LocalOutbox
from shared.clock import FrozenClock
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
    outbox = LocalOutbox(data / "outbox.sqlite", FrozenClock(T0))  # addresses and whole messages: personal data
    outbox.send_email(
        email_address="a@example.com", template_id="t", personalisation={}, reference="n1", email_reply_to_id=None
    )
    SqlitePersistenceLayer(data / "idempotency.sqlite")


def test_the_data_directory_is_created_owner_only(tmp_path):
    data = tmp_path / "new" / "data"
    use_every_store(data)
    found = modes(data)
    assert {"data/events.sqlite-wal", "data/events.sqlite-shm", "data/readmodels.sqlite-wal"} <= set(found)
    assert {"data/outbox.sqlite", "data/outbox.sqlite-wal", "data/idempotency.sqlite"} <= set(found)
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


def test_opening_a_second_store_on_a_file_in_use_keeps_the_first_store_s_locks(tmp_path):
    """SQLite's locks are POSIX locks, which a process loses on a file when it closes any descriptor of that file. The
    stores sharing `readmodels.sqlite` each made it owner-only by opening and closing it, so the second store built in
    `bops serve` dropped the first one's locks: another process (`bops outbox`, `bops officers create`) closing its
    connection then thought itself the last, checkpointed and deleted the WAL the server was still writing, and the
    server's later writes were lost to every other process (then `database disk image is malformed`)."""
    path = tmp_path / "readmodels.sqlite"
    first = SqliteReadModelStore(path)
    assert first.commit("officers", "council:DEMO", 0, 1, {"one": ({"name": "Ann"}, 0)})
    SqliteReadModelStore(path)  # another service's store on the same file, in the same process
    count = "SELECT count(*) FROM read_model_documents"
    other_process = f"import sqlite3; c = sqlite3.connect({str(path)!r}); print(c.execute({count!r}).fetchone()[0])"
    assert subprocess.run([sys.executable, "-c", other_process], capture_output=True, check=True).stdout == b"1\n"
    assert first.commit("officers", "council:DEMO", 1, 2, {"two": ({"name": "Bob"}, 0)})
    seen = subprocess.run([sys.executable, "-c", other_process], capture_output=True, check=True).stdout
    assert seen == b"2\n"  # the first store's write reached the file another process reads


def test_a_data_directory_that_is_a_link_to_another_disk_is_used_and_tightened(tmp_path):
    target = tmp_path / "disk"
    target.mkdir(mode=0o755)
    (tmp_path / "data").symlink_to(target)
    use_every_store(tmp_path / "data")
    assert modes(target)["disk"] == 0o700 and (target / "events.sqlite").stat().st_mode & 0o777 == 0o600


def test_a_database_file_that_is_a_link_is_refused_with_a_clear_error_not_followed(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    elsewhere = tmp_path / "elsewhere.sqlite"
    elsewhere.write_bytes(b"")
    elsewhere.chmod(0o644)
    (data / "outbox.sqlite").symlink_to(elsewhere)
    from click.testing import CliRunner

    from bops.cli import main

    result = CliRunner().invoke(main, ["outbox", "--data-dir", str(data)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output  # a usage error
    assert f"{data / 'outbox.sqlite'} is a symbolic link" in result.output
    assert elsewhere.stat().st_mode & 0o777 == 0o644 and elsewhere.read_bytes() == b""
