"""The officers' console sign-in and sign-out pages: a Powertools router the sign-in API's handler includes
(`officer_api.py`: one function signs officers in, JSON or HTML).

They are the councils service's, beside the session endpoint of the JSON API, because sign-in is: the same
`SignIn` (officer directory, officers read model, throttle, token) signs an officer in, in-process. On success the
token goes in the session cookie (`shared.pages.session`) and the officer goes to the console (`/`, the assessment
service's pages), or back to the page that sent it to sign in (`next`: a path on this site only). Sign-out revokes the
token server-side (`session_revocation`: a copy of the cookie stops working at once) and clears the cookie. Both forms
carry a CSRF token: sign-in's is a random value doubled in its own cookie (there is no session yet), sign-out's is the
session's (`csrf_token`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.api_gateway import Response, Router

from shared.observability import count, logger
from shared.pages.session import (
    CONSOLE_HOME,
    CSRF_FIELD,
    NEXT_FIELD,
    SIGN_IN_PATH,
    SIGN_OUT_PATH,
    cleared_session_cookies,
    csrf_matches,
    csrf_token,
    new_csrf_value,
    safe_next,
    served_over_https,
    session_cookie,
    session_token,
    sign_in_csrf_cookie,
    sign_in_csrf_value,
)

app = Router()
TEMPLATES = "services.councils"
SERVICE_NAME = "Planning casework"
MAX_FORM_BYTES = 8192


def https() -> bool:
    from shared.wiring import dependencies

    return served_over_https(app.current_event.headers, dependencies().settings.runtime)


def form() -> dict[str, str]:
    from shared.request_body import MalformedBody, raw_body

    event = app.current_event
    try:
        body = raw_body(event.body, bool(event.is_base64_encoded))
    except MalformedBody:
        return {}
    if len(body) > MAX_FORM_BYTES:
        return {}
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in parsed.items()}


def source_ip() -> str:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

    event = app.current_event
    return (event.request_context.identity.source_ip or "") if isinstance(event, APIGatewayProxyEvent) else ""


def sign_in_page(
    status: int,
    errors: dict[str, str] | None = None,
    email: str = "",
    message: str | None = None,
    headers: dict[str, Any] | None = None,
    next_path: str = CONSOLE_HOME,
) -> Response:
    from shared.pages.rendering import HTML_CONTENT_TYPE, page_environment, render_page

    value = new_csrf_value()
    rendered = render_page(
        page_environment(TEMPLATES),
        "sign_in.html",
        serviceName=SERVICE_NAME,
        title="Sign in",
        errors=errors or {},
        email=email,
        message=message,
        action=SIGN_IN_PATH,
        next_field=NEXT_FIELD,
        next_path=next_path,
        csrf_field=CSRF_FIELD,
        csrf=value,
    )
    cookies = [sign_in_csrf_cookie(value, https())]
    all_headers: dict[str, Any] = {**rendered.headers, **(headers or {}), "Set-Cookie": cookies}
    return Response(status, HTML_CONTENT_TYPE, rendered.html, headers=all_headers)


@app.get(SIGN_IN_PATH)
def show_sign_in() -> Response:
    query = app.current_event.query_string_parameters or {}
    signed_out = query.get("signed_out") == "1"
    next_path = safe_next(query.get(NEXT_FIELD))
    message = "You have signed out." if signed_out else "Sign in to continue." if next_path != CONSOLE_HOME else None
    return sign_in_page(200, message=message, next_path=next_path)


@app.post(SIGN_IN_PATH)
def sign_in() -> Response:
    from services.councils.officer_api import sign_in_service
    from services.councils.sign_in import InvalidSignIn, SignInRefused, TooManyAttempts, credentials

    event = app.current_event
    given = form()
    email = given.get("email", "")[:320]
    next_path = safe_next(given.get(NEXT_FIELD))
    if not csrf_matches(sign_in_csrf_value(event.headers), given.get(CSRF_FIELD)):
        count("SignInsRefused")
        return sign_in_page(
            400, {"email": "Your sign-in page had expired. Enter your details again"}, email, next_path=next_path
        )
    try:
        body = {"email": email, "password": given.get("password", "")}
        session = sign_in_service().sign_in(credentials(body), source_ip())
    except InvalidSignIn as invalid:
        errors = {}
        if "email" in invalid.fields:
            errors["email"] = "Enter your e-mail address, like name@council.gov.uk"
        if "password" in invalid.fields:
            errors["password"] = "Enter your password"
        return sign_in_page(
            422, errors or {"email": "Enter your e-mail address and password"}, email, next_path=next_path
        )
    except TooManyAttempts as throttled:
        count("SignInsThrottled")
        message = f"Too many failed attempts to sign in. Wait {throttled.retry_after} seconds, then try again"
        retry = {"Retry-After": str(throttled.retry_after)}
        return sign_in_page(429, {"email": message}, email, headers=retry, next_path=next_path)
    except SignInRefused as refused:
        logger.info("console sign-in refused", extra={"reason": refused.reason})
        count("SignInsRefused")
        return sign_in_page(401, {"email": "The e-mail address or password is not right"}, email, next_path=next_path)
    count("SignIns")
    from shared.wiring import dependencies

    lifetime = max(1, int((session.expires_at - dependencies().clock.now()).total_seconds()))
    cookies = [session_cookie(session.token, https(), lifetime), sign_in_csrf_cookie("", https(), max_age=0)]
    headers: dict[str, str | list[str]] = {"Location": next_path, "Cache-Control": "no-store", "Set-Cookie": cookies}
    return Response(303, None, "", headers=headers)


def revoke(token: str) -> None:
    """Revoke a genuine session token until its expiry (anything else is only cleared: nothing to revoke)."""
    from services.councils.authorizer import officer_tokens, session_revocations
    from services.councils.officer_tokens import InvalidToken

    try:
        claims = officer_tokens().verify(token)
    except InvalidToken:
        return
    session_revocations().revoke(token, claims.expires_at)


@app.post(SIGN_OUT_PATH)
def sign_out() -> Response:
    """Revokes and clears the session (a sign-out form without the session's CSRF token is refused: a forger
    cannot sign an officer out either)."""
    event = app.current_event
    token = session_token(event.headers)
    given = form().get(CSRF_FIELD)
    if token and not csrf_matches(csrf_token(token), given):
        return Response(400, "text/plain; charset=utf-8", "The sign-out form is not valid: go back and try again")
    if token:
        revoke(token)
    count("SignOuts")
    headers: dict[str, Any] = {
        "Location": f"{SIGN_IN_PATH}?signed_out=1",
        "Cache-Control": "no-store",
        "Set-Cookie": cleared_session_cookies(https()),
    }
    return Response(303, None, "", headers=headers)
