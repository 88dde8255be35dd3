"""The type checker's configuration (`[tool.mypy]` in pyproject.toml, run by `make typecheck`) rejects what it is
meant to: an implicit Optional, an error inside an unannotated function (which mypy's defaults skip) and a
`type: ignore` that ignores nothing (which they allow)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]

SNIPPETS = {
    "implicit-optional": "def f(x: int = None) -> int:\n    return 1\n",
    "untyped-def-body": "def f():\n    return 1 + 'a'\n",
    "unused-ignore": "x: int = 1  # type: ignore[assignment]\n",
}


def mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(PROJECT / "pyproject.toml"), "--no-incremental", str(path)],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_the_configuration_rejects(tmp_path: Path, name: str):
    module = tmp_path / f"{name.replace('-', '_')}.py"
    module.write_text(SNIPPETS[name])
    done = mypy(module)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error:" in done.stdout


def test_a_clean_module_passes(tmp_path: Path):
    module = tmp_path / "clean.py"
    module.write_text("def f(x: int | None = None) -> int:\n    return x or 1\n")
    done = mypy(module)
    assert done.returncode == 0, done.stdout + done.stderr
