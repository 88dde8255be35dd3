"""Rendering pages: one Jinja environment per set of template packages, over the govuk-frontend-jinja macros."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PrefixLoader

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


@cache
def page_environment(*packages: str) -> Environment:
    """Templates from each of `packages` (their `templates/` folder), then the shared shell (`shared.pages`), then
    govuk-frontend-jinja under the `govuk_frontend_jinja/` prefix; HTML always escaped. Each package's templates are
    the bundle's precompiled ones when it has them (`shared.pages.compiled`)."""
    loaders = [template_loader(package) for package in (*packages, "shared.pages")]
    environment = Environment(
        loader=ChoiceLoader([*loaders, PrefixLoader({GOVUK_FRONTEND: template_loader(GOVUK_FRONTEND)})]),
        **TEMPLATE_OPTIONS,
    )
    environment.globals.update(
        assetPath=ASSET_ROUTE,
        stylesheet=f"{ASSET_ROUTE}/{STYLESHEET}",
        script=f"{ASSET_ROUTE}/{SCRIPT}",
        error_summary=error_summary,
        field_error=field_error,
    )
    return environment


@dataclass(frozen=True)
class RenderedPage:
    html: str
    headers: dict[str, str]


def render_page(environment: Environment, template: str, **context: Any) -> RenderedPage:
    """The page and its headers (a fresh CSP nonce for its inline scripts each time)."""
    nonce = secrets.token_urlsafe(16)
    html = environment.get_template(template).render(cspNonce=nonce, **context)
    return RenderedPage(html, {**PAGE_HEADERS, "Content-Security-Policy": CONTENT_SECURITY_POLICY.format(nonce=nonce)})
