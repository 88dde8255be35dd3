"""Without the ODP reference data nothing half-works: `bops serve` refuses to start, the suite stops before collection,
and a runtime that lost its schemas answers 503 saying so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shared import reference_data
from tests.conftest import PROJECT, Client
from tests.intake.support import auth, create_council, prepared


def test_one_environment_variable_names_the_reference_data(monkeypatch, tmp_path):
    monkeypatch.setenv(reference_data.ENVIRONMENT_VARIABLE, str(tmp_path))
    assert reference_data.odp_schema_dir() == tmp_path.resolve() / "odp" / "schemas"
    with pytest.raises(reference_data.ReferenceDataMissing) as missing:
        reference_data.require_odp()
    assert str(tmp_path / "odp" / "schemas") in str(missing.value)
    assert f"{reference_data.ENVIRONMENT_VARIABLE}={tmp_path}" in str(missing.value)


def test_the_default_is_shared_beside_the_project(monkeypatch):
    monkeypatch.delenv(reference_data.ENVIRONMENT_VARIABLE, raising=False)
    assert reference_data.reference_dir() == PROJECT.parent / "shared"
    assert "../shared beside the project" in reference_data.missing_message(Path("/nowhere"))


def test_serve_refuses_to_start_without_the_schemas(monkeypatch, tmp_path):
    from bops.cli import main

    monkeypatch.setenv(reference_data.ENVIRONMENT_VARIABLE, str(tmp_path / "absent"))
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert f"expected {tmp_path / 'absent' / 'odp' / 'schemas'}" in result.output
    assert not (tmp_path / "data").exists()  # refused before anything was created


def test_the_suite_says_what_is_missing_instead_of_failing_at_collection(tmp_path):
    env = {**os.environ, reference_data.ENVIRONMENT_VARIABLE: str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-p", "no:randomly", "-p", "no:xdist", "tests/odp"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"The ODP reference data is missing: expected {tmp_path / 'odp' / 'schemas'}" in result.stderr
    assert "IndexError" not in result.stdout + result.stderr


def test_a_runtime_without_its_schemas_answers_503_and_stores_nothing(tmp_path, odp_dir):
    from bops.runtime import EmbeddedRuntime, RuntimeOptions

    runtime = EmbeddedRuntime(RuntimeOptions(tmp_path / "data", port=0, odp_schema_dir=tmp_path / "gone"))
    runtime.start()
    try:
        key = create_council(runtime, "TST")
        head = runtime.deps.event_store.head_position()
        payload = prepared(odp_dir / "examples/application/planningPermission/fullHouseholder.json", "TST", None)
        status, _, body = Client(runtime.base_url).request("POST", "/api/v2/planning_applications", payload, auth(key))
        assert status == 503
        assert str(tmp_path / "gone") in body["error"]["message"]
        assert runtime.deps.event_store.head_position() == head
    finally:
        runtime.stop()


def test_the_makefile_and_ci_ask_the_helper_and_fail_when_it_fails(tmp_path):
    env = {**os.environ, reference_data.ENVIRONMENT_VARIABLE: str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "shared/reference_data.py"], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1 and "The ODP reference data is missing" in result.stderr
    assert "python3 shared/reference_data.py\n" in (PROJECT / ".ci" / "run").read_text()
    dry_run = subprocess.run(
        ["make", "-n", "run", "test", "bench", "UV=uv"], cwd=PROJECT, env=env, capture_output=True, text=True
    ).stdout
    assert dry_run.count("python3 shared/reference_data.py") == 1  # make runs a prerequisite once
    syncs = {line.strip() for line in dry_run.splitlines() if " sync " in line}
    assert syncs == {"uv sync --frozen --all-groups"}  # `make run` and `make test` share one environment
