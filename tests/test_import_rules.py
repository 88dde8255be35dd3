"""The import rules (`[tool.importlinter]` in pyproject.toml, run by `make test` as `lint-imports`) hold today, and
each one fails when a module breaks it: checked on a copy of the project's packages with one offending module added.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
PACKAGES = ("events", "shared", "services", "bops", "cdk")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    chosen = [argument for contract in contracts for argument in ("--contract", contract)]
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *chosen],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    for package in PACKAGES:
        shutil.copytree(PROJECT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(PROJECT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_project_keeps_every_rule():
    done = lint_imports(PROJECT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


# (contract id, module to add or extend, its offending import)
BREAKS = [
    ("events", "events/_offender.py", "import shared.clock"),
    ("services", "services/intake/_offender.py", "import services.councils.state"),
    ("services", "services/councils/_offender.py", "from services.intake import records"),
    ("shared", "shared/_offender.py", "import services.intake.api"),
    ("shared", "shared/councils/_offender.py", "import services.councils.service"),
    ("shared", "shared/_offender.py", "import bops.cli"),
    ("cdk", "cdk/_offender.py", "import bops.runtime"),
    ("cdk", "cdk/_offender.py", "import services.intake.api"),
    ("cdk", "services/__init__.py", "import services.intake.records"),  # an internal reached through the list
    ("declarations", "services/intake/declaration.py", "import services.intake.documents.fetcher"),
    ("bops", "services/intake/_offender.py", "import bops.environment"),
    ("bops", "cdk/_offender.py", "from bops import demo"),
]


@pytest.mark.parametrize(("contract", "module", "statement"), BREAKS)
def test_breaking_a_rule_fails_its_contract(copy: Path, contract: str, module: str, statement: str):
    target = copy / module
    original = target.read_text() if target.exists() else None
    try:
        target.write_text((original or "") + f"\n{statement}\n")
        broken = lint_imports(copy, contract)
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_text(original)
    assert broken.returncode != 0, broken.stdout + broken.stderr
    assert "BROKEN" in broken.stdout


def test_the_copy_is_clean_before_any_break(copy: Path):
    done = lint_imports(copy)
    assert done.returncode == 0, done.stdout + done.stderr
