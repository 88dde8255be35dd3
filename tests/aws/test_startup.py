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
print(json.dumps({{"before": before, "after": gc.get_threshold(), "heavy": [m for m in ("pydantic", "boto3",
    "aws_lambda_powertools") if m in sys.modules]}}))
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
    assert found["after"][0] == 50_000 and found["after"][1:] == found["before"][1:]


def test_elsewhere_the_collector_is_untouched():
    found = probe("services", lambda_env=False)
    assert found["after"] == found["before"]
