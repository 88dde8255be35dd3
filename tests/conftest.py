"""Fixtures shared by the whole suite: the reference material beside the project, and an embedded runtime."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared import reference_data

PROJECT = Path(__file__).resolve().parents[1]
ODP = reference_data.odp_dir()


def pytest_configure(config: pytest.Config) -> None:
    """The suite needs the ODP reference data: without it, stop before collection and say where it was expected."""
    try:
        reference_data.require_odp()
    except reference_data.ReferenceDataMissing as error:
        raise pytest.UsageError(f"{error}. Every test of intake needs it, so none were run.") from None


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no BOPS_* settings and no cached adapters, and leaves none behind."""
    from shared import wiring

    for name in list(os.environ):
        if name.startswith("BOPS_") and name != reference_data.ENVIRONMENT_VARIABLE:
            monkeypatch.delenv(name)
    wiring.reset()
    yield
    wiring.reset()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AWS emulated by moto, with fake credentials in London."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    with mock_aws():
        yield


@pytest.fixture
def odp_dir() -> Path:
    return ODP


class Client:
    """A tiny HTTP client for tests (the standard library, so it is the real network path)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def request(
        self, method: str, path: str, body: bytes | dict | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers or {})
        if isinstance(body, dict):
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, response_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, response_headers = error.code, error.read(), error.headers
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return status, response_headers, parsed


@pytest.fixture
def runtime(tmp_path: Path, odp_dir: Path) -> Iterator[Any]:
    """The embedded system (what `bops serve` runs) on a free port and a fresh data directory."""
    from bops.runtime import EmbeddedRuntime, RuntimeOptions

    instance = EmbeddedRuntime(
        RuntimeOptions(tmp_path / "data", port=0, odp_schema_dir=odp_dir / "schemas", poll_interval=0.01)
    )
    instance.start()
    instance.client = Client(instance.base_url)
    yield instance
    instance.stop()
