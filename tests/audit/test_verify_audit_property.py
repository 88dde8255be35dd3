"""`bops verify-audit` over random alterations of a stored log: always detected and named, never a traceback.

A small log is built through the real SQLite event store and sealed by two checkpoints (one in the middle, one at
the end), then altered with raw sqlite3 as an insider with the files could: a column set to a random value of any
SQLite type (or to a near miss: the same bytes as text, another row's hash…), rows deleted, swapped or inserted, a
whole stream removed, checkpoints changed or removed. Everything the log holds is before the last checkpoint, so every
alteration must be reported, naming a stream (and version) it touched, or the checkpoint.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bops.cli import main
from shared.clock import FrozenClock
from shared.eventstore.audit import write_checkpoint
from shared.eventstore.checkpoints_sqlite import SqliteCheckpointLog
from shared.eventstore.sqlite import SqliteEventStore
from shared.secrets.local import LocalSecretsFile
from tests.eventstore.contract import T0, created, renamed

PROJECT = Path(__file__).resolve().parents[2]
STREAMS = ["council:AAA", "council:BBB", "council:CCC"]
COLUMNS = ["position", "stream_id", "version", "event_type", "recorded_at", "data", "prev_hash", "hash", "log_hash"]
CHECKPOINT_COLUMNS = ["sequence", "body", "seal"]


@cache
def template() -> Path:
    """A sealed log, built once per test process (each example alters a copy)."""
    folder = Path(tempfile.mkdtemp(prefix="bops-audit-template-")) / "data"
    store = SqliteEventStore(folder / "events.sqlite", clock=FrozenClock(T0))
    checkpoints, secrets = SqliteCheckpointLog(folder / "audit.sqlite"), LocalSecretsFile(folder / "secrets.json")
    store.append(STREAMS[0], 0, [created(), renamed("a1")])
    store.append(STREAMS[1], 0, [created()])
    store.append(STREAMS[2], 0, [created(), renamed("c1"), renamed("c2")])
    write_checkpoint(store, checkpoints, secrets, "2026-03-02T10:00:00.000000Z")
    store.append(STREAMS[0], 2, [renamed("a2")])
    store.append(STREAMS[1], 1, [renamed("b1"), renamed("b2")])
    store.append(STREAMS[2], 3, [renamed("c3")])
    write_checkpoint(store, checkpoints, secrets, "2026-03-02T11:00:00.000000Z")
    store.close()
    return folder


def rows_of(connection: sqlite3.Connection, table: str = "events") -> list[dict]:
    columns = COLUMNS if table == "events" else CHECKPOINT_COLUMNS
    key = columns[0]
    cursor = connection.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key}")
    return [dict(zip(columns, row, strict=True)) for row in cursor]


def snapshot(connection: sqlite3.Connection) -> list:
    """Every value with its SQLite type: equal snapshots mean nothing was altered."""
    tables = {"events": COLUMNS, "audit.audit_checkpoints": CHECKPOINT_COLUMNS}
    result = []
    for table, columns in tables.items():
        typed = ", ".join(f"typeof({c}), {c}" for c in columns)
        result.append(connection.execute(f"SELECT {typed} FROM {table} ORDER BY rowid").fetchall())
    return result


any_value = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.binary(max_size=30),
)


def near_misses(row: dict, rows: list[dict]) -> list[object]:
    """Values an insider would plausibly write: the event's bytes as text, a byte changed, another row's values."""
    data = row["data"]
    other = rows[(rows.index(row) + 1) % len(rows)]
    values: list[object] = [data.decode(), data[:-1] + b" ", data.replace(b"Demo", b"Dumo"), data + b" "]
    values += [other[column] for column in ("data", "hash", "prev_hash", "log_hash", "stream_id", "version")]
    values += [row["version"] + 1, row["version"] - 1, float(row["version"]), str(row["version"]), f"{row['version']}x"]
    values += [row["hash"].upper(), row["hash"][:-1] + "0", "", row["log_hash"].encode(), row["stream_id"] + " "]
    return values


Alteration = Callable[[sqlite3.Connection], set[str]]


@st.composite
def alterations(draw: st.DrawFn, rows: list[dict], checkpoints: list[dict]) -> tuple[str, set[str]]:
    """Draws and describes one alteration; returns (SQL applied as text for the report, names it must bring)."""
    kind = draw(st.sampled_from(["set", "set", "set", "delete", "swap", "insert", "drop stream", "checkpoint"]))
    if kind == "set":
        row = draw(st.sampled_from(rows))
        column = draw(st.sampled_from(COLUMNS))
        value = draw(st.one_of(any_value, st.sampled_from(near_misses(row, rows))))
        affected = {row["stream_id"]}
        if column == "position":  # the row after it is where the log's chain breaks
            later = [r for r in rows if r["position"] > row["position"]]
            affected |= {later[0]["stream_id"]} if later else set()
        return kind, (f"UPDATE events SET {column} = ? WHERE position = ?", (value, row["position"])), affected
    if kind == "delete":
        chosen = draw(st.lists(st.sampled_from(rows), min_size=1, max_size=3, unique_by=lambda r: r["position"]))
        marks = ",".join("?" * len(chosen))
        sql = f"DELETE FROM events WHERE position IN ({marks})"
        return kind, (sql, tuple(r["position"] for r in chosen)), {r["stream_id"] for r in chosen}
    if kind == "swap":
        first, second = draw(st.lists(st.sampled_from(rows), min_size=2, max_size=2, unique_by=lambda r: r["position"]))
        return kind, ("SWAP", (first["position"], second["position"])), {first["stream_id"], second["stream_id"]}
    if kind == "insert":
        source = draw(st.sampled_from(rows))
        values = dict(source)
        values["position"] = draw(st.sampled_from([rows[-1]["position"] + 1, rows[-1]["position"] + 7, 0, -3]))
        values["stream_id"] = draw(st.sampled_from([*STREAMS, "council:NEW"]))
        values["version"] = draw(st.integers(min_value=0, max_value=8))
        changed = draw(st.sampled_from(COLUMNS[3:]))
        values[changed] = draw(st.one_of(any_value, st.sampled_from(near_misses(source, rows))))
        marks = ",".join("?" * len(COLUMNS))
        sql = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({marks})"
        return kind, (sql, tuple(values[c] for c in COLUMNS)), {values["stream_id"]}
    if kind == "drop stream":
        stream_id = draw(st.sampled_from(STREAMS))
        return kind, ("DELETE FROM events WHERE stream_id = ?", (stream_id,)), {stream_id}
    record = draw(st.sampled_from(checkpoints))
    action = draw(st.sampled_from(["set", "delete"]))
    if action == "delete":
        return "checkpoint", ("DELETE FROM audit.audit_checkpoints WHERE sequence = ?", (record["sequence"],)), set()
    column = draw(st.sampled_from(CHECKPOINT_COLUMNS))
    other = checkpoints[record["sequence"] % len(checkpoints)]
    value = draw(st.one_of(any_value, st.sampled_from([other[column], str(record[column]), record["seal"][::-1]])))
    sql = f"UPDATE audit.audit_checkpoints SET {column} = ? WHERE sequence = ?"
    return "checkpoint", (sql, (value, record["sequence"])), set()


def apply(connection: sqlite3.Connection, statement: tuple[str, tuple]) -> None:
    sql, params = statement
    if sql != "SWAP":
        connection.execute(sql, params)
        return
    first, second = params
    columns = COLUMNS[1:]
    values = {
        p: connection.execute(f"SELECT {', '.join(columns)} FROM events WHERE position = ?", (p,)).fetchone()
        for p in params
    }
    if None in values.values():
        return  # a row an earlier alteration removed
    connection.execute("UPDATE events SET stream_id = stream_id || '#' WHERE position IN (?, ?)", params)
    for target, source in ((first, second), (second, first)):
        assignments = ", ".join(f"{c} = ?" for c in columns)
        connection.execute(f"UPDATE events SET {assignments} WHERE position = ?", (*values[source], target))


def altered_copy(alteration_list) -> tuple[Path, set[str], bool]:
    folder = Path(tempfile.mkdtemp(prefix="bops-audit-")) / "data"
    shutil.copytree(template(), folder)
    connection = sqlite3.connect(folder / "events.sqlite", isolation_level=None)
    connection.execute("ATTACH DATABASE ? AS audit", (str(folder / "audit.sqlite"),))
    before = snapshot(connection)
    affected: set[str] = set()
    checkpoint_touched = False
    try:
        for kind, statement, names in alteration_list:
            try:
                apply(connection, statement)
            except sqlite3.Error:  # a constraint refused it (NOT NULL, UNIQUE, datatype): not an alteration
                continue
            affected |= names
            checkpoint_touched |= kind == "checkpoint"
        unchanged = snapshot(connection) == before
    finally:
        connection.close()
    if unchanged:
        shutil.rmtree(folder.parent)
    return (None if unchanged else folder), affected, checkpoint_touched


def template_rows() -> tuple[list[dict], list[dict]]:
    connection = sqlite3.connect(template() / "events.sqlite")
    connection.execute("ATTACH DATABASE ? AS audit", (str(template() / "audit.sqlite"),))
    try:
        return rows_of(connection), rows_of(connection, "audit.audit_checkpoints")
    finally:
        connection.close()


def assert_detected_and_named(output: str, affected: set[str], checkpoint_touched: bool) -> None:
    assert "Traceback" not in output and "OK:" not in output, output
    lines = [line for line in output.splitlines() if line.startswith("FAILED: ")]
    assert lines, output
    named = any(f"FAILED: stream {stream_id} version " in output for stream_id in affected)
    assert named or (checkpoint_touched and "FAILED: audit checkpoint " in output), (affected, output)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_alteration_is_detected_and_named(data):
    rows, checkpoints = template_rows()
    chosen = data.draw(st.lists(alterations(rows, checkpoints), min_size=1, max_size=3), label="alterations")
    folder, affected, checkpoint_touched = altered_copy(chosen)
    assume(folder is not None)
    try:
        result = CliRunner().invoke(main, ["verify-audit", "--data-dir", str(folder)])
    finally:
        shutil.rmtree(folder.parent)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert_detected_and_named(result.output, affected, checkpoint_touched)


def test_the_untouched_template_verifies():
    folder = Path(tempfile.mkdtemp(prefix="bops-audit-")) / "data"
    shutil.copytree(template(), folder)
    result = CliRunner().invoke(main, ["verify-audit", "--data-dir", str(folder)])
    shutil.rmtree(folder.parent)
    assert result.exit_code == 0 and "OK: 10 events in 3 streams verified against 2 checkpoints" in result.output


def test_an_event_written_back_as_text_is_named_by_the_command_in_a_real_process():
    """The issue's case: the sqlite3 shell writes an edited event back as TEXT; the command used to crash."""
    rows, _ = template_rows()
    row = rows[1]
    edited = row["data"].decode().replace("a1", "forged")
    folder, _, _ = altered_copy([("set", ("UPDATE events SET data = ? WHERE position = ?", (edited, 2)), set())])
    environment = {name: value for name, value in __import__("os").environ.items() if not name.startswith("BOPS_")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bops.cli", "verify-audit", "--data-dir", str(folder)],
            capture_output=True,
            text=True,
            cwd=PROJECT,
            env=environment,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(folder.parent)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"FAILED: stream {row['stream_id']} version {row['version']} " in done.stderr
    assert "stored data is text" in done.stderr
