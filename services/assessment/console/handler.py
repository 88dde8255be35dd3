"""The officers' console pages (Powertools resolver behind API Gateway and `bops serve`): a thin handler.

Every route is `auth="officer"`: the authorizer verified the session cookie and put the officer in the request context.
Pages answer with the security headers of `shared.pages.rendering` (CSP with a nonce, no framing, no referrer,
no-store). Every POST carries the session's CSRF token (`shared.pages.session.csrf_token`), checked before anything
else; a form without it is refused (400) and nothing is stored.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

from collections.abc import Callable  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response  # noqa: E402

from services.assessment.console.refusals import ConsoleRefusal  # noqa: E402
from shared.observability import count, logger, observed  # noqa: E402
from shared.officer_identity import NotSignedIn, SignedInOfficer, SignInRequired, signed_in_officer  # noqa: E402

if TYPE_CHECKING:
    from services.assessment.casework import Casework
    from shared.wiring import Dependencies

app = APIGatewayRestResolver()
TEMPLATES = "services.assessment.console"
PageRoute = Callable[..., Response]


def officer() -> SignedInOfficer:
    try:
        return signed_in_officer(app.current_event.request_context.authorizer)
    except SignInRequired:
        raise
    except NotSignedIn as error:  # only when a console route is declared without auth="officer"
        raise ConsoleRefusal(401, "Sign in to use the console") from error


def casework() -> Casework:
    from shared.wiring import dependencies

    return dependencies().memo("casework", build_casework)


def build_casework(deps: Dependencies) -> Casework:
    from services.assessment.casework import Casework

    return Casework(deps.event_store, deps.clock)


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients, the case list, this year's calendar and the pages (the shell and the
    GOV.UK macros every page uses, rendered once)."""
    from services.assessment.case_list.wiring import case_list
    from services.assessment.console import application as _application  # noqa: F401
    from services.assessment.console import dashboard as _dashboard  # noqa: F401
    from services.assessment.console.rendering import message_page
    from shared.calendar.business_days import england_and_wales_bank_holidays
    from shared.pages.compiled import load_templates
    from shared.pages.rendering import page_environment
    from shared.wiring import dependencies

    work = casework()
    case_list(dependencies())
    england_and_wales_bank_holidays(work.today().year)
    load_templates(page_environment(TEMPLATES), "dashboard.html", "application.html")
    message_page(404, "Page not found", "")


def session_csrf() -> str:
    from shared.pages.session import csrf_token, session_token

    token = session_token(app.current_event.headers)
    return csrf_token(token) if token else ""


def page(template: str, *, http_status: int = 200, **context: Any) -> Response:
    """A console page: the shell (the officer, the navigation, the sign-out form with its CSRF token) and `context`."""
    from services.assessment.console.rendering import render

    rendered = render(template, officer(), session_csrf(), app.current_event.path, **context)
    return Response(http_status, rendered.content_type, rendered.html, headers=rendered.headers)


def query_parameters() -> dict[str, str]:
    return dict(app.current_event.query_string_parameters or {})


@app.get("/")
def dashboard() -> Response:
    from services.assessment.console.dashboard import dashboard_context
    from services.assessment.console.notify_summary import notify_summary
    from shared.calendar import london_date
    from shared.wiring import dependencies

    signed_in = officer()
    deps = dependencies()
    today = london_date(deps.clock.now())  # only the case list: no casework (its domain and event log)
    context = dashboard_context(signed_in, query_parameters(), today)
    # the council's stream is read once: for the header's name here, and the Notify summary takes the same fold
    council_name = deps.council_name(signed_in.council)
    notify = notify_summary(signed_in.council)
    return page("dashboard.html", **context, notify=notify, council_name=council_name)


@app.get("/applications/<reference>")
def application(reference: str) -> Response:
    from services.assessment.console.application import application_context

    signed_in = officer()
    done = query_parameters().get("done", "")
    return page("application.html", **application_context(casework(), signed_in, reference, done))


@app.get("/applications/<reference>/actions/<action>")
def action_form(reference: str, action: str) -> Response:
    from services.assessment.console.action_pages import show

    return show(reference, action)


@app.post("/applications/<reference>/actions/<action>")
def run_action(reference: str, action: str) -> Response:
    from services.assessment.console.action_pages import run

    return run(reference, action)


@app.exception_handler(SignInRequired)
def sign_in_first(_: SignInRequired) -> Response:
    """No valid session (none, expired or signed out): to the sign-in page, which returns here (or, for a form, to
    the page it was sent from)."""
    from shared.pages.session import sign_in_redirect_for

    event = app.current_event
    headers = sign_in_redirect_for(event.http_method, event.path, event.query_string_parameters, event.headers)
    return Response(303, None, "", headers=headers)


@app.exception_handler(ConsoleRefusal)
def refused(error: ConsoleRefusal) -> Response:
    from services.assessment.console.rendering import message_page

    logger.info("console refused", extra={"status": error.status, "reason": error.message})
    count("ConsoleRefusals")
    rendered = message_page(error.status, error.title, error.message)
    return Response(error.status, rendered.content_type, rendered.html, headers=rendered.headers)


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
