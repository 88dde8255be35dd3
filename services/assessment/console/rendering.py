"""Rendering console pages: the shared GOV.UK page shell (`shared.pages`) with the console's layout (`console.html`:
the council's name, the signed-in officer, the navigation and the sign-out form)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.officer_identity import SignedInOfficer
from shared.pages.rendering import HTML_CONTENT_TYPE, page_environment, render_page
from shared.pages.session import CSRF_FIELD, SIGN_IN_PATH, SIGN_OUT_PATH

TEMPLATES = "services.assessment.console"
SERVICE_NAME = "Planning casework"


@dataclass(frozen=True)
class NavigationItem:
    text: str
    href: str
    roles: tuple[str, ...] = ("assessor", "reviewer", "administrator")


# The console's main navigation, in order (the documents and administration pages add theirs here).
NAVIGATION: list[NavigationItem] = [NavigationItem("Dashboard", "/")]


@dataclass(frozen=True)
class ConsolePage:
    html: str
    headers: dict[str, str]
    content_type: str = HTML_CONTENT_TYPE


def council_name(council: str) -> str:
    from shared.wiring import dependencies

    return dependencies().council_settings(council).name


def navigation(officer: SignedInOfficer, path: str) -> list[dict[str, Any]]:
    items = []
    for item in NAVIGATION:
        if officer.role not in item.roles:
            continue
        current = path == item.href if item.href == "/" else path.startswith(item.href)
        items.append({"text": item.text, "href": item.href, "active": current, "current": path == item.href})
    return items


def render(template: str, officer: SignedInOfficer, csrf: str, path: str, **context: Any) -> ConsolePage:
    rendered = render_page(
        page_environment(TEMPLATES),
        template,
        serviceName=f"{council_name(officer.council)} planning",
        officer=officer,
        csrf=csrf,
        csrf_field=CSRF_FIELD,
        sign_out=SIGN_OUT_PATH,
        navigation=navigation(officer, path),
        errors=context.pop("errors", None) or {},
        **context,
    )
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
