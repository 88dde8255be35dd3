"""The `bops` command: every command has --help, creating commands print one JSON object with --json."""

from __future__ import annotations

import json
import socket
import sqlite3

import pytest
from click.testing import CliRunner

from bops.cli import main


@pytest.fixture
def bops(tmp_path):
    runner = CliRunner()
    data_dir = str(tmp_path / "data")

    def run(*args: str, expect: int = 0):
        result = runner.invoke(main, [*args, "--data-dir", data_dir], catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result

    run.data_dir = tmp_path / "data"
    return run


def commands(group, prefix=()):
    for name, command in getattr(group, "commands", {}).items():
        yield (*prefix, name)
        yield from commands(command, (*prefix, name))


@pytest.mark.parametrize("path", list(commands(main)), ids=" ".join)
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("days", ["²", "9" * 5000, "ten"])
def test_a_determination_period_that_is_not_a_plain_number_is_a_usage_error(bops, days):
    """`"²".isdigit()` is true but `int("²")` fails, as `int()` of 5,000 digits does: both were a traceback."""
    bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney")
    result = bops("councils", "set", "LBH", "--determination-period", f"pp.full={days}", expect=2)
    assert "is not TYPE=DAYS" in result.output


def test_councils_officers_and_keys(bops):
    created = json.loads(bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney", "--json").output)
    assert created == {"code": "LBH", "name": "Hackney", "slug": "hackney"}
    settings = json.loads(
        bops(
            "councils",
            "set",
            "LBH",
            "--public-base-url",
            "https://planning.hackney.gov.uk",
            "--allow-download-host",
            "api.editor.planx.uk",
            "--reference-suffix",
            "pp.full.householder=HH",
            "--determination-period",
            "pp.full=63",
            "--json",
        ).output
    )
    assert settings["allow_download_hosts"] == ["api.editor.planx.uk"]
    assert settings["determination_periods"] == {"pp.full": 63}
    assert settings["reference_suffixes"]["pp.full.householder"] == "HH"
    assert json.loads(bops("councils", "list", "--json").output)["councils"][0]["code"] == "LBH"
    officer = json.loads(
        bops(
            "officers",
            "create",
            "--council",
            "LBH",
            "--email",
            "a@hackney.gov.uk",
            "--name",
            "Ann",
            "--role",
            "assessor",
            "--password",
            "correct horse",
            "--json",
        ).output
    )
    assert officer["role"] == "assessor" and officer["id"]
    listed = json.loads(bops("officers", "list", "--json").output)["officers"]
    assert [o["email"] for o in listed] == ["a@hackney.gov.uk"]
    key = json.loads(
        bops(
            "api-keys",
            "create",
            "--council",
            "LBH",
            "--name",
            "PlanX",
            "--scope",
            "planning_application:write",
            "--json",
        ).output
    )
    assert key["key"].startswith("bops_") and key["id"]
    keys = json.loads(bops("api-keys", "list", "--json").output)["api_keys"]
    assert keys[0]["id"] == key["id"] and "key" not in keys[0]
    assert json.loads(bops("api-keys", "revoke", key["id"], "--json").output) == {"id": key["id"], "revoked": True}
    raw = (bops.data_dir / "events.sqlite").read_bytes()
    assert key["key"].encode() not in raw and b"correct horse" not in raw


def test_bad_input_is_a_clear_error(bops):
    result = bops("councils", "create", "TOOLONG", "--name", "x", "--slug", "x", expect=1)
    assert "Error" in result.output
    bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney")
    assert "exists" in bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney", expect=1).output
    assert "no API key" in bops("api-keys", "revoke", "nope", expect=1).output


def test_verify_audit_names_the_first_tampered_event(bops):
    bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney")
    bops("councils", "set", "LBH", "--name", "Hackney Council")
    bops("councils", "set", "LBH", "--name", "London Borough of Hackney")
    assert "OK: 3 events" in bops("verify-audit").output
    with sqlite3.connect(bops.data_dir / "events.sqlite") as connection:
        [(data,)] = connection.execute("SELECT data FROM events WHERE version = 2").fetchall()
        forged = bytes(data).replace(b"Hackney Council", b"Hackney Borough")
        connection.execute("UPDATE events SET data = ? WHERE version = 2", (forged,))
    result = bops("verify-audit", expect=1)
    event_id = json.loads(forged)["event_id"]
    assert f"stream council:LBH version 2 event {event_id}" in result.output


def test_replay_rebuilds_a_read_model(bops):
    bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney")
    bops("api-keys", "create", "--council", "LBH", "--name", "PlanX", "--scope", "planning_application:read")
    with sqlite3.connect(bops.data_dir / "readmodels.sqlite") as connection:
        connection.execute("DELETE FROM read_model_documents WHERE projection = 'api-keys'")
    result = bops("replay", "api-keys")
    assert "Rebuilt api-keys" in result.output
    with sqlite3.connect(bops.data_dir / "readmodels.sqlite") as connection:
        [(count,)] = connection.execute("SELECT COUNT(*) FROM read_model_documents WHERE projection = 'api-keys'")
        assert count == 1
    assert "unknown projection" in bops("replay", "nothing", expect=1).output


def test_a_council_publishes_applicants_names_or_not(bops):
    bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney")
    shown = json.loads(bops("councils", "set", "LBH", "--publish-applicant-names", "yes", "--json").output)
    assert shown["publish_applicant_names"] is True
    hidden = json.loads(bops("councils", "set", "LBH", "--publish-applicant-names", "no", "--json").output)
    assert hidden["publish_applicant_names"] is False
    assert "Invalid value" in bops("councils", "set", "LBH", "--publish-applicant-names", "maybe", expect=2).output


def test_the_download_credential_goes_to_the_secrets_store_not_the_log(bops):
    bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney")
    bops("councils", "set", "LBH", "--download-credential", "planx-secret-123")
    from services.intake.documents.credentials import load_download_credential
    from shared.secrets import LocalSecretsFile

    assert load_download_credential(LocalSecretsFile(bops.data_dir / "secrets.json"), "LBH") == "planx-secret-123"
    assert b"planx-secret-123" not in (bops.data_dir / "events.sqlite").read_bytes()
    assert "no council" in bops("councils", "set", "NOPE", "--name", "x", expect=1).output


def test_a_bad_bops_variable_stops_every_command_with_its_name_and_no_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("BOPS_MAX_BODY_BYTES", "lots")
    result = CliRunner().invoke(main, ["councils", "list", "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert "Error: Invalid settings: BOPS_MAX_BODY_BYTES='lots': must be a whole number" in result.output
    assert not (tmp_path / "data").exists()


def test_serve_on_a_port_in_use_is_a_clear_error(bops):
    """It was a traceback ending in `OSError: [Errno 98] Address already in use`."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = bops("serve", "--port", str(port), "--workers", "0", expect=1)
    assert f"Error: cannot listen on 127.0.0.1:{port}: " in result.output and "in use" in result.output
