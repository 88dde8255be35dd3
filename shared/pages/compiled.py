"""Page templates compiled ahead of time: Jinja's own `compile_templates` and `ModuleLoader`.

Jinja parses and compiles a template to Python the first time it is rendered: for a console page (its shell and the
GOV.UK Frontend macros it imports) that is most of a second of a cold start. The Lambda bundle step
(`make lambda-bundle`, which the CDK app runs when the bundle is stale) compiles every package's templates once:

    python -m shared.pages.compiled build/lambda/compiled-templates

into one folder per template package (the project's packages with a `templates/` folder, and `govuk_frontend_jinja`),
which the bundle's bytecode step then compiles like any module. The stack points `BOPS_COMPILED_TEMPLATES` at it;
`template_loader` loads a package's templates from its folder there when it exists, else from the package's sources
(tests, `bops serve`). Compiled and source templates are the same templates, compiled with the same options
(`TEMPLATE_OPTIONS`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, ModuleLoader, PackageLoader, select_autoescape

COMPILED_TEMPLATES_ENV = "BOPS_COMPILED_TEMPLATES"
GOVUK_FRONTEND = "govuk_frontend_jinja"
PROJECT = Path(__file__).resolve().parents[2]
SOURCE_ROOTS = ("services", "shared")  # where the project's template packages live
TEMPLATE_OPTIONS: dict[str, Any] = {
    "autoescape": select_autoescape(default=True, default_for_string=True),
    "trim_blocks": True,
    "lstrip_blocks": True,
}


def template_loader(package: str) -> BaseLoader:
    """The package's templates: compiled, when the compiled folder holds them, else from the package."""
    root = os.environ.get(COMPILED_TEMPLATES_ENV)
    if root and (Path(root) / package).is_dir():
        return ModuleLoader(Path(root) / package)
    return PackageLoader(package)


def load_templates(environment: Environment, *names: str) -> None:
    """Load templates into the environment's cache now (a SnapStart before-snapshot hook: `shared.startup`)."""
    for name in names:
        environment.get_template(name)


def template_packages(project: Path) -> list[str]:
    """Every package of the project with a `templates/` folder, and GOV.UK Frontend's."""
    found = {
        ".".join(folder.parent.relative_to(project).parts)
        for root in SOURCE_ROOTS
        for folder in (project / root).rglob("templates")
        if folder.is_dir() and (folder.parent / "__init__.py").is_file()
    }
    return [*sorted(found), GOVUK_FRONTEND]


def compile_all(target: Path, project: Path = PROJECT) -> list[str]:
    """Compile every template package into `target/<package>` (a template that does not compile fails the build)."""
    packages = template_packages(project)
    for package in packages:
        environment = Environment(loader=PackageLoader(package), **TEMPLATE_OPTIONS)
        environment.compile_templates(str(target / package), zip=None, ignore_errors=False)
    return packages


if __name__ == "__main__":
    compiled = compile_all(Path(sys.argv[1]))
    print(f"compiled the templates of {', '.join(compiled)} into {sys.argv[1]}")
