"""Precompiled page templates (shared/pages/compiled.py): what the Lambda bundle ships renders the same pages."""

from __future__ import annotations

import re

import pytest
from jinja2 import ModuleLoader, PackageLoader

from shared.pages.compiled import COMPILED_TEMPLATES_ENV, GOVUK_FRONTEND, compile_all, template_loader
from shared.pages.rendering import page_environment, render_page

PAGES = [  # (template package, template, context): pages of each kind, with the GOV.UK macros they import
    ("services.assessment.console", "message.html", {"title": "Not found", "message": "No such <page>", "status": 404}),
    ("services.councils", "sign_in.html", {"title": "Sign in", "errors": {"email": "Enter your email address"}}),
    ("services.councils", "admin_message.html", {"title": "No", "message": "Administrators only", "errors": {}}),
]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compiled-templates")
    return folder, compile_all(folder)


def without_nonce(html: str) -> str:
    return re.sub(r'nonce="[^"]+"', 'nonce=""', html)


def test_every_template_package_is_compiled(compiled):
    folder, packages = compiled
    assert {"services.assessment.applicant", "services.assessment.console", "services.councils", "shared.pages"} <= set(
        packages
    )
    assert packages[-1] == GOVUK_FRONTEND
    for package in packages:
        assert list((folder / package).glob("tmpl_*.py")), package


@pytest.mark.parametrize(("package", "template", "context"), PAGES)
def test_a_compiled_page_is_the_page_its_sources_render(compiled, monkeypatch, package, template, context):
    monkeypatch.delenv(COMPILED_TEMPLATES_ENV, raising=False)
    page_environment.cache_clear()
    from_sources = render_page(page_environment(package), template, serviceName="Demo Council", **context)
    monkeypatch.setenv(COMPILED_TEMPLATES_ENV, str(compiled[0]))
    page_environment.cache_clear()
    try:
        environment = page_environment(package)
        assert not environment.loader.loaders[0].has_source_access  # the compiled modules, not the sources
        from_modules = render_page(environment, template, serviceName="Demo Council", **context)
    finally:
        page_environment.cache_clear()
    assert "govuk-" in from_modules.html
    assert without_nonce(from_modules.html) == without_nonce(from_sources.html)


def test_without_a_compiled_folder_the_sources_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv(COMPILED_TEMPLATES_ENV, str(tmp_path / "absent"))
    assert isinstance(template_loader("shared.pages"), PackageLoader)
    (tmp_path / "absent" / "shared.pages").mkdir(parents=True)
    assert isinstance(template_loader("shared.pages"), ModuleLoader)
