"""A route whose authentication the embedded runtime cannot check stops it from starting: serving it unchecked would
leave it open to anyone. Officer routes are checked (by the declared authorizer), an unknown kind is not."""

from __future__ import annotations

import signal

import pytest
from click.testing import CliRunner

from bops.cli import main
from bops.routing import Router, UnenforceableRoute
from services import http_functions
from shared.declarations import HttpFunction, Route
from tests.runtime.serving import FUNCTIONS

CONSOLE = HttpFunction(
    "console",
    "tests.runtime.sample_handlers.echo",
    (Route("GET", "/console"), Route("GET", "/console/me", "officer"), Route("POST", "/console/x", "sso")),  # type: ignore[arg-type]
)


def test_the_router_refuses_a_route_whose_auth_it_cannot_check():
    with pytest.raises(UnenforceableRoute, match=r"POST /console/x \(auth='sso'\)") as refused:
        Router([*FUNCTIONS, CONSOLE])
    assert "GET /console " not in str(refused.value)  # only the routes at fault are named
    assert "/console/me" not in str(refused.value)  # officer routes are checked by the authorizer


def test_the_declared_routes_of_today_are_all_enforceable():
    assert {route.auth for function in http_functions() for route in function.routes} <= {
        "public",
        "api_key",
        "officer",
    }
    Router(http_functions())


def test_bops_serve_refuses_to_start_with_a_clear_message(monkeypatch, tmp_path):
    declared = http_functions()
    monkeypatch.setattr("bops.runtime.http_functions", lambda: [*declared, CONSOLE])
    data_dir = tmp_path / "data"

    def started_serving(*_):
        raise AssertionError("bops serve started serving the unknown route")

    previous = signal.signal(signal.SIGALRM, started_serving)
    signal.alarm(30)
    try:
        result = CliRunner().invoke(main, ["serve", "--data-dir", str(data_dir), "--port", "0", "--workers", "0"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cannot check: POST /console/x (auth='sso')" in result.output
    assert not (data_dir / "events.sqlite").exists()  # refused before anything started
