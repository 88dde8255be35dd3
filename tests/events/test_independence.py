"""Stored events must replay forever: the event contracts depend on nothing of the project but themselves."""

from __future__ import annotations

import ast
from pathlib import Path

EVENTS = Path(__file__).resolve().parents[2] / "events"
PROJECT_PACKAGES = {"bops", "cdk", "services", "shared", "tests", "bench"}


def project_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] in PROJECT_PACKAGES}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PROJECT_PACKAGES:
            found.add(node.module)
    return found


def test_the_events_package_imports_no_other_project_package():
    offending = {str(path.relative_to(EVENTS.parent)): project_imports(path) for path in sorted(EVENTS.rglob("*.py"))}
    assert {name: found for name, found in offending.items() if found} == {}


def test_the_check_sees_an_import_of_the_project(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import json\nfrom shared.odp.model import Submission\nimport services.intake\n")
    assert project_imports(module) == {"shared.odp.model", "services.intake"}
