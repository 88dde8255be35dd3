"""A Lambda handler's process collects garbage less often while it starts; other processes are left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
before = gc.get_threshold()
import {module}
heavy = [m for m in ("pydantic", "boto3", "aws_lambda_powertools") if m in sys.modules]
print(json.dumps({{"before": before, "after": gc.get_threshold(), "heavy": heavy}}))
"""


def probe(module: str, lambda_env: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOPS_"))}
    if lambda_env:
        env["AWS_LAMBDA_FUNCTION_NAME"] = "bops-demo-intake-api"
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("package", ["shared", "services"])
def test_a_lambda_process_raises_the_young_threshold_before_any_heavy_import(package):
    found = probe(package, lambda_env=True)
    assert found["heavy"] == []
    assert found["after"][0] == 250_000 and found["after"][1:] == found["before"][1:]


def test_elsewhere_the_collector_is_untouched():
    found = probe("services", lambda_env=False)
    assert found["after"] == found["before"]


DEFERRED = """
import json, sys
import services.intake.api as api
from shared.apigateway import proxy_event
at_import = "aws_lambda_powertools.event_handler.appsync" in sys.modules
class Context:
    function_name = "x"; memory_limit_in_mb = 512; aws_request_id = "r"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:x"
event = proxy_event("GET", "/api/v2/openapi.json", "/api/v2/openapi.json", None, [], [], b"")
status = api.lambda_handler(event, Context())["statusCode"]
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, AppSyncResolver
same = APIGatewayRestResolver is api.APIGatewayRestResolver
print(json.dumps({"at_import": at_import, "status": status, "same": same}))
"""


def test_on_lambda_powertools_event_handler_init_runs_only_when_something_needs_it():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOPS_"))}
    env["AWS_LAMBDA_FUNCTION_NAME"] = "bops-demo-intake-api"
    done = subprocess.run([sys.executable, "-c", DEFERRED], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"at_import": False, "status": 200, "same": True}


def test_deferring_a_package_that_is_not_one_is_refused(tmp_path, monkeypatch):
    from shared.lazy import defer_package_inits

    (tmp_path / "bops_plain_module.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    defer_package_inits(["bops_plain_module"])
    with pytest.raises(ImportError, match="not a package"):
        import bops_plain_module  # noqa: F401


def test_a_deferred_package_loads_only_the_submodule_of_a_reexported_name(tmp_path, monkeypatch):
    from shared.lazy import defer_package_inits

    package = tmp_path / "bops_reexports"
    package.mkdir()
    init = 'from .first import First\nfrom .second import Second as Renamed\nRAN = "yes"\n'
    (package / "__init__.py").write_text(init)
    (package / "first.py").write_text("class First: ...\n")
    (package / "second.py").write_text("class Second: ...\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    defer_package_inits(["bops_reexports"])
    try:
        from bops_reexports import First

        assert First.__module__ == "bops_reexports.first"
        assert "bops_reexports.second" not in sys.modules
        import bops_reexports

        assert bops_reexports.Renamed.__name__ == "Second" and "RAN" not in vars(bops_reexports)
        assert bops_reexports.RAN == "yes"  # any other name runs the real __init__
    finally:
        for name in [name for name in sys.modules if name.startswith("bops_reexports")]:
            del sys.modules[name]
