"""Rendering pages: one Jinja environment per set of template packages, over the govuk-frontend-jinja macros.

Built once per process (`page_environment` is cached) and never reloaded: the templates ship with the code, so each is
loaded and compiled on its first use and not looked at on disk again. A component called once per row (a tag in each
row of a table), or whose parameters repeat from page to page (a search box, the pagination of a list), goes through
`component(...)`, which renders each distinct set of parameters once (`Components`).
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PrefixLoader
from markupsafe import Markup

from shared.pages.assets import ASSET_ROUTE, SCRIPT, STYLESHEET
from shared.pages.compiled import GOVUK_FRONTEND, TEMPLATE_OPTIONS, template_loader
from shared.pages.errors import error_summary, field_error

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
# Pages carry personal data and one-off links: never cached, never framed, sent nowhere else (no referrer: the URL
# holds the applicant's token), and nothing loaded from elsewhere; the template's two inline scripts carry a nonce.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class PageEnvironment(Environment):
    """Jinja's environment, each template's globals one plain dict (Jinja's own is a ChainMap over the environment's).

    govuk-frontend-jinja's macros import their helpers each time they are called, and each import compares the
    globals of the caller with the template's: over a ChainMap that is Python-level work for every key, a third of
    the time of a page of components. A copy is right here: the environment's globals are set once, before any
    template is loaded, and never change."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


@cache
def page_environment(*packages: str) -> Environment:
    """Templates from each of `packages` (their `templates/` folder), then the shared shell (`shared.pages`), then
    govuk-frontend-jinja under the `govuk_frontend_jinja/` prefix; HTML always escaped. Each package's templates are
    the bundle's precompiled ones when it has them (`shared.pages.compiled`)."""
    loaders = [template_loader(package) for package in (*packages, "shared.pages")]
    environment = PageEnvironment(
        loader=ChoiceLoader([*loaders, PrefixLoader({GOVUK_FRONTEND: template_loader(GOVUK_FRONTEND)})]),
        auto_reload=False,
        **TEMPLATE_OPTIONS,
    )
    environment.globals.update(
        component=Components(environment),
        assetPath=ASSET_ROUTE,
        stylesheet=f"{ASSET_ROUTE}/{STYLESHEET}",
        script=f"{ASSET_ROUTE}/{SCRIPT}",
        error_summary=error_summary,
        field_error=field_error,
    )
    return environment


class Components:
    """GOV.UK components called from a template as `component("tag", params)`: a component's HTML is a function of its
    parameters only, so each distinct call is rendered by its govuk-frontend-jinja macro once and then reused (a
    dashboard of 25 rows has a handful of distinct "n days left" tags). Parameters holding anything but plain data
    (e.g. `Markup` built by the page) are rendered every time. At most `LIMIT` are kept."""

    LIMIT = 1024

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.rendered: dict[tuple[str, Any], Markup] = {}

    def __call__(self, name: str, params: dict[str, Any]) -> Markup:
        try:
            key = (name, _frozen(params))
        except TypeError:
            return self.macro(name)(params)
        html = self.rendered.get(key)
        if html is None:
            if len(self.rendered) >= self.LIMIT:
                self.rendered.clear()
            html = self.rendered[key] = self.macro(name)(params)
        return html

    def macro(self, name: str) -> Any:
        """`task-list` → govuk-frontend-jinja's `govukTaskList` (its template is loaded once, like any other)."""
        template = self.environment.get_template(f"govuk_frontend_jinja/components/{name}/macro.html")
        return getattr(template.module, "govuk" + "".join(part.capitalize() for part in name.split("-")))


def _frozen(value: Any) -> Any:
    """A hashable copy of plain parameters (dicts, lists, str, numbers, booleans, None); TypeError for anything else."""
    if value is None or type(value) is str:
        return value
    if type(value) in (int, float, bool):
        return (type(value), value)  # True == 1 == 1.0, yet a template prints them differently
    if type(value) is dict:
        return ("{", tuple((name, _frozen(item)) for name, item in value.items()))
    if type(value) in (list, tuple):
        return ("[", tuple(_frozen(item) for item in value))
    raise TypeError(f"not plain data: {type(value).__name__}")


@dataclass(frozen=True)
class RenderedPage:
    html: str
    headers: dict[str, str]


def render_page(environment: Environment, template: str, **context: Any) -> RenderedPage:
    """The page and its headers (a fresh CSP nonce for its inline scripts each time)."""
    nonce = secrets.token_urlsafe(16)
    html = environment.get_template(template).render(cspNonce=nonce, **context)
    return RenderedPage(html, {**PAGE_HEADERS, "Content-Security-Policy": CONTENT_SECURITY_POLICY.format(nonce=nonce)})
