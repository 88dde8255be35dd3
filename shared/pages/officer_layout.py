"""The layout every officer page shares, the console's (assessment service) and the administration pages' (councils
service): the council's service name, the navigation, the signed-in officer and the sign-out form with the session's
CSRF token (`templates/officer_layout.html`, which officer pages extend). Each service gives its own navigation items as
data; the layout keeps those the officer's role may use and marks the current one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment

from shared.officer_identity import ROLES, OfficerRole, SignedInOfficer
from shared.pages.rendering import RenderedPage, render_page
from shared.pages.session import CSRF_FIELD, SIGN_OUT_PATH


@dataclass(frozen=True)
class NavigationItem:
    text: str
    href: str
    roles: tuple[OfficerRole, ...] = ROLES


def navigation(items: Sequence[NavigationItem], role: OfficerRole, path: str) -> list[dict[str, Any]]:
    """`govukServiceNavigation` items: the dashboard (`/`) is current on itself only, any other on its own pages."""
    shown = []
    for item in items:
        if role in item.roles:
            active = path == item.href if item.href == "/" else path.startswith(item.href)
            shown.append({"text": item.text, "href": item.href, "active": active, "current": path == item.href})
    return shown


def council_service_name(council: str, name: str | None = None) -> str:
    """The service's name in the header: the council's `name` if the page knows it, else the name it records."""
    if name is None:
        from shared.wiring import dependencies

        name = dependencies().council_name(council)
    return f"{name} planning"


def render_officer_page(
    environment: Environment,
    template: str,
    officer: SignedInOfficer,
    csrf: str,
    path: str,
    items: Sequence[NavigationItem],
    *,
    council_name: str | None = None,
    **context: Any,
) -> RenderedPage:
    """An officer page: `template` (extending `officer_layout.html`) with the layout's data and the page's `context`.
    `council_name`: the council's name, when the page read its council already (else its settings are read)."""
    return render_page(
        environment,
        template,
        serviceName=council_service_name(officer.council, council_name),
        officer=officer,
        csrf=csrf,
        csrf_field=CSRF_FIELD,
        sign_out=SIGN_OUT_PATH,
        navigation=navigation(items, officer.role, path),
        errors=context.pop("errors", None) or {},
        **context,
    )
