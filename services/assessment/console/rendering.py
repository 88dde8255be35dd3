"""Rendering console pages: the shared GOV.UK page shell with the officers' layout (`shared.pages.officer_layout`: the
council's name, the signed-in officer, the navigation and the sign-out form); the console gives its navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.officer_identity import SignedInOfficer
from shared.pages.officer_layout import NavigationItem, render_officer_page
from shared.pages.rendering import HTML_CONTENT_TYPE, page_environment, render_page
from shared.pages.session import SIGN_IN_PATH

TEMPLATES = "services.assessment.console"
SERVICE_NAME = "Planning casework"


# The console's main navigation, in order (administrators also reach the councils service's administration pages).
NAVIGATION: list[NavigationItem] = [
    NavigationItem("Dashboard", "/"),
    NavigationItem("Administration", "/admin", roles=("administrator",)),
]


@dataclass(frozen=True)
class ConsolePage:
    html: str
    headers: dict[str, str]
    content_type: str = HTML_CONTENT_TYPE


def render(template: str, officer: SignedInOfficer, csrf: str, path: str, **context: Any) -> ConsolePage:
    rendered = render_officer_page(page_environment(TEMPLATES), template, officer, csrf, path, NAVIGATION, **context)
    return ConsolePage(rendered.html, rendered.headers)


def message_page(status: int, title: str, message: str) -> ConsolePage:
    """A page that needs no officer (a refusal): the title, the message and a way back."""
    rendered = render_page(
        page_environment(TEMPLATES),
        "message.html",
        serviceName=SERVICE_NAME,
        title=title,
        message=message,
        status=status,
        sign_in=SIGN_IN_PATH,
        errors={},
    )
    return ConsolePage(rendered.html, rendered.headers)
