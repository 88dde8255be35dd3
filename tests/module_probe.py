"""What a fresh interpreter has imported after running some code: how cold-start tests see a handler's imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PROBE = r"""
import importlib, json, os, sys
{code}
print(json.dumps(sorted(sys.modules)))
"""


def modules_loaded_after(code: str, environment: dict[str, str] | None = None) -> list[str]:
    """Every module a fresh interpreter (without the caller's AWS_/BOPS_ variables) holds after running `code`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOPS_"))}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)],
        cwd=PROJECT,
        env={**env, **(environment or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])
