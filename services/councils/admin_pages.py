"""The console's administration pages (administrators only): the council's officers (invite, change role, deactivate,
reset password), its API keys (create, shown once; revoke) and its settings (what is fixed at deployment shown
read-only). A thin handler over `services.councils.administration`, which runs the same commands as `bops`.

Every route is `auth="officer"` (the authorizer checked the session cookie); every page checks the role on the server
(an assessor or reviewer gets 403), every form carries the session's CSRF token (`shared.pages.session`), checked
before anything else (a form without it: 400, nothing stored). A new password or API key is shown once, on the page
that answers the form, never stored in the clear nor in the log.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start(prepare=lambda: prepare_snapshot())  # defined below: SnapStart calls it once this module is loaded

from typing import TYPE_CHECKING, Any  # noqa: E402
from urllib.parse import parse_qs  # noqa: E402

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response  # noqa: E402

from shared.notify.settings import KINDS  # noqa: E402
from shared.observability import count, logger, observed  # noqa: E402
from shared.officer_identity import NotSignedIn, SignedInOfficer, SignInRequired, signed_in_officer  # noqa: E402

if TYPE_CHECKING:
    from services.councils.administration import Administration

app = APIGatewayRestResolver()
TEMPLATES = "services.councils"
ADMIN = "/admin"
OFFICERS = f"{ADMIN}/officers"
API_KEYS = f"{ADMIN}/api-keys"
SETTINGS = f"{ADMIN}/settings"
MAX_FORM_BYTES = 64 * 1024
ROLE_NAMES = {"assessor": "Assessor", "reviewer": "Reviewer", "administrator": "Administrator"}


class PageRefusal(Exception):
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def officer() -> SignedInOfficer:
    try:
        signed_in = signed_in_officer(app.current_event.request_context.authorizer)
    except SignInRequired:
        raise
    except NotSignedIn as error:
        raise PageRefusal(401, "Sign in", "Sign in to use the console") from error
    if signed_in.role != "administrator":
        raise PageRefusal(403, "You cannot see this page", "Only the council's administrators can see this page")
    return signed_in


def prepare_snapshot() -> None:
    """Before a SnapStart snapshot: the clients, the council commands and the pages (rendered once: the shell and the
    GOV.UK macros)."""
    from shared.pages.compiled import load_templates
    from shared.pages.rendering import page_environment

    administration()
    load_templates(page_environment(TEMPLATES), "admin_officers.html", "admin_officer.html", "admin_api_keys.html")
    load_templates(page_environment(TEMPLATES), "admin_settings.html")
    refused(PageRefusal(404, "Page not found", ""))


def administration() -> Administration:
    from services.councils.administration import Administration
    from shared.wiring import dependencies

    return dependencies().memo("administration", Administration)


def session_csrf() -> str:
    from shared.pages.session import csrf_token, session_token

    token = session_token(app.current_event.headers)
    return csrf_token(token) if token else ""


def form() -> dict[str, list[str]]:
    """The posted form's fields (urlencoded), after its CSRF token was checked."""
    from shared.pages.session import CSRF_FIELD, csrf_matches
    from shared.request_body import MalformedBody, raw_body
    from shared.typed_text import UntypableText, typed_fields

    event = app.current_event
    try:
        body = raw_body(event.body, bool(event.is_base64_encoded))
        if len(body) > MAX_FORM_BYTES:
            raise PageRefusal(413, "The form is too large", f"A form may be at most {MAX_FORM_BYTES // 1024} KB")
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (MalformedBody, UnicodeDecodeError, ValueError):
        raise PageRefusal(400, "The form could not be read", "Go back and try again") from None
    if not csrf_matches(session_csrf(), (fields.get(CSRF_FIELD) or [""])[0]):
        count("ConsoleFormsRefused")
        raise PageRefusal(400, "The form has expired", "Go back, reload the page and try again")
    try:
        return typed_fields(fields)
    except UntypableText as refused:
        raise PageRefusal(
            422, "There is a problem", f"{refused.sentence}: go back, remove them and try again"
        ) from None


def first(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0].strip()


def page(
    template: str, signed_in: SignedInOfficer, *, status: int = 200, council_name: str | None = None, **context: Any
) -> Response:
    """An administration page in the officers' layout (`shared.pages.officer_layout`) with this service's navigation.
    `council_name`: the council's, when the page read the council's state already (so it is not read twice)."""
    from shared.pages.officer_layout import NavigationItem, render_officer_page
    from shared.pages.rendering import HTML_CONTENT_TYPE, page_environment

    navigation = [
        NavigationItem("Dashboard", "/"),
        NavigationItem("Officers", OFFICERS),
        NavigationItem("API keys", API_KEYS),
        NavigationItem("Settings", SETTINGS),
    ]
    rendered = render_officer_page(
        page_environment(TEMPLATES),
        template,
        signed_in,
        session_csrf(),
        app.current_event.path,
        navigation,
        council_name=council_name,
        roles=ROLE_NAMES,
        **context,
    )
    return Response(status, HTML_CONTENT_TYPE, rendered.html, headers=rendered.headers)


def see_other(location: str) -> Response:
    return Response(303, None, "", headers={"Location": location, "Cache-Control": "no-store"})


# --- officers --------------------------------------------------------------------------------------------------------


@app.get(ADMIN)
def home() -> Response:
    officer()
    return see_other(OFFICERS)


@app.get(OFFICERS)
def officers_page() -> Response:
    signed_in = officer()
    return officers_list(signed_in)


def officers_list(signed_in: SignedInOfficer, *, status: int = 200, **context: Any) -> Response:
    from services.councils.service import officers_by_name

    context.setdefault("given", {})
    council = administration().council(signed_in)  # its officers and its name: one read of its stream
    return page(
        "admin_officers.html",
        signed_in,
        status=status,
        title="Officers",
        council_name=council.name,
        officers=officers_by_name(council),
        **context,
    )


@app.post(OFFICERS)
def invite() -> Response:
    from services.councils.errors import CouncilError

    signed_in = officer()
    fields = form()
    given = {name: first(fields, name) for name in ("name", "email", "role")}
    errors = {}
    if not given["name"]:
        errors["name"] = "Enter the officer's name"
    if not given["email"]:
        errors["email"] = "Enter the officer's e-mail address"
    if given["role"] not in ROLE_NAMES:
        errors["role"] = "Choose the officer's role"
    if not errors:
        try:
            issued = administration().invite_officer(signed_in, **given)
        except CouncilError as error:
            errors[_officer_field(str(error))] = _sentence(str(error))
        else:
            count("OfficersInvited")
            return page(
                "admin_password.html",
                signed_in,
                title="Officer invited",
                officer_view=issued.officer,
                password=issued.password,
                invited=True,
            )
    return officers_list(signed_in, status=422, errors=errors, given=given)


def _officer_field(message: str) -> str:
    return "email" if "mail" in message else "name" if "name" in message else "role"


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _one_officer(signed_in: SignedInOfficer, officer_id: str) -> Any:
    from services.councils.errors import UnknownOfficer

    try:
        return administration().officer(signed_in, officer_id)
    except UnknownOfficer:
        raise PageRefusal(404, "Page not found", "There is no such officer in your council") from None


@app.get(f"{OFFICERS}/<officer_id>")
def officer_page(officer_id: str) -> Response:
    signed_in = officer()
    found = _one_officer(signed_in, officer_id)
    return page("admin_officer.html", signed_in, title=found.name, officer_view=found, me=found.id == signed_in.id)


@app.post(f"{OFFICERS}/<officer_id>/<action>")
def officer_action(officer_id: str, action: str) -> Response:
    from services.councils.errors import CouncilError

    signed_in = officer()
    fields = form()
    found = _one_officer(signed_in, officer_id)
    work = administration()
    try:
        if action == "role":
            role = first(fields, "role")
            if role not in ROLE_NAMES:
                raise _FieldProblem("role", "Choose a role")
            work.change_role(signed_in, officer_id, role)
        elif action == "deactivate":
            work.deactivate(signed_in, officer_id)
        elif action == "reset-password":
            issued = work.reset_password(signed_in, officer_id)
            return page(
                "admin_password.html",
                signed_in,
                title="Password reset",
                officer_view=issued.officer,
                password=issued.password,
                invited=False,
            )
        else:
            raise PageRefusal(404, "Page not found", "There is no such action")
    except _FieldProblem as problem:
        return _officer_errors(signed_in, found, {problem.field: problem.message})
    except CouncilError as error:
        field = "role" if action == "role" else "officer"
        return _officer_errors(signed_in, found, {field: _sentence(str(error))})
    return see_other(f"{OFFICERS}/{officer_id}")


def _officer_errors(signed_in: SignedInOfficer, found: Any, errors: dict[str, str]) -> Response:
    return page(
        "admin_officer.html",
        signed_in,
        status=422,
        title=found.name,
        officer_view=found,
        me=found.id == signed_in.id,
        errors=errors,
    )


class _FieldProblem(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


# --- API keys --------------------------------------------------------------------------------------------------------


def api_keys_list(signed_in: SignedInOfficer, *, status: int = 200, **context: Any) -> Response:
    from services.councils.administration import SCOPES
    from services.councils.service import api_keys_by_creation

    context.setdefault("given", {"scopes": []})
    council = administration().council(signed_in)  # its keys and its name: one read of its stream
    return page(
        "admin_api_keys.html",
        signed_in,
        status=status,
        title="API keys",
        council_name=council.name,
        keys=api_keys_by_creation(council),
        scopes=SCOPES,
        **context,
    )


@app.get(API_KEYS)
def api_keys_page() -> Response:
    return api_keys_list(officer())


@app.post(API_KEYS)
def create_api_key() -> Response:
    from services.councils.administration import SCOPES
    from services.councils.errors import CouncilError

    signed_in = officer()
    fields = form()
    name = first(fields, "name")
    scopes = [scope for scope in fields.get("scopes", []) if scope in SCOPES]
    errors = {}
    if not name:
        errors["name"] = "Enter a name for the key, like the online service that will use it"
    if not scopes:
        errors["scopes"] = "Choose at least one thing the key may do"
    if not errors:
        try:
            view, key = administration().create_api_key(signed_in, name=name, scopes=scopes)
        except CouncilError as error:
            errors["name"] = _sentence(str(error))
        else:
            count("ApiKeysCreated")
            return page("admin_api_key_created.html", signed_in, title="API key created", key_view=view, key=key)
    return api_keys_list(signed_in, status=422, errors=errors, given={"name": name, "scopes": scopes})


@app.post(f"{API_KEYS}/<key_id>/revoke")
def revoke_api_key(key_id: str) -> Response:
    from services.councils.errors import CouncilError, UnknownApiKey

    signed_in = officer()
    form()
    try:
        administration().revoke_api_key(signed_in, key_id)
    except UnknownApiKey:
        raise PageRefusal(404, "Page not found", "There is no such API key in your council") from None
    except CouncilError as error:
        return api_keys_list(signed_in, status=409, errors={"keys": _sentence(str(error))})
    return see_other(API_KEYS)


# --- settings --------------------------------------------------------------------------------------------------------


def settings_page_for(signed_in: SignedInOfficer, *, status: int = 200, **context: Any) -> Response:
    settings = administration().settings(signed_in)
    context.setdefault(
        "given",
        {
            "reply_to_email": settings.reply_to_email or "",
            "public_base_url": settings.public_base_url,
            "hosts": "\n".join(settings.allow_download_hosts),
            "periods": "\n".join(f"{code}={days}" for code, days in settings.determination_periods.items()),
            "publish_names": "yes" if settings.publish_applicant_names else "no",
        },
    )
    work = administration()
    notify_form = work.notify_form(signed_in)
    context.setdefault("notify_given", _notify_given(notify_form))
    return page(
        "admin_settings.html",
        signed_in,
        status=status,
        title="Settings",
        settings=settings,
        notify=work.notify_status(signed_in),
        notify_form=notify_form,
        notify_kinds=NOTIFY_KINDS,
        **context,
    )


@app.get(SETTINGS)
def settings_page() -> Response:
    saved = (app.current_event.query_string_parameters or {}).get("saved") == "1"
    return settings_page_for(officer(), saved=saved)


@app.post(SETTINGS)
def change_settings() -> Response:
    from services.councils.errors import CouncilError, EmptySettingsChange
    from shared.whole_numbers import whole_number

    signed_in = officer()
    fields = form()
    if first(fields, "form") == "notify":
        return change_notify(signed_in, fields)
    given = {
        name: first(fields, name) for name in ("reply_to_email", "public_base_url", "hosts", "periods", "publish_names")
    }
    errors: dict[str, str] = {}
    periods: dict[str, int] = {}
    for line in given["periods"].splitlines():
        code, sep, days = line.strip().partition("=")
        if not line.strip():
            continue
        number = whole_number(days.strip())
        if not sep or number is None:
            errors["periods"] = (
                f"Write each period as TYPE=DAYS, like pp.full.householder=56 (not {line.strip()[:40]!r})"
            )
            break
        periods[code.strip()] = number
    hosts = tuple(host.strip() for host in given["hosts"].splitlines() if host.strip())
    if given["publish_names"] not in ("yes", "no", ""):
        errors["publish_names"] = "Choose whether the public register shows applicants' names"
    if not errors:
        try:
            administration().change_settings(
                signed_in,
                reply_to_email=given["reply_to_email"] or None,
                public_base_url=given["public_base_url"] or None,
                allow_download_hosts=hosts,
                determination_periods=periods,
                publish_applicant_names=given["publish_names"] == "yes" if given["publish_names"] else None,
            )
        except EmptySettingsChange:
            errors["reply_to_email"] = "Nothing changed: change a setting, then save"
        except CouncilError as error:
            errors[_settings_field(str(error))] = _sentence(str(error))
        else:
            count("CouncilSettingsChanged")
            return see_other(f"{SETTINGS}?saved=1")
    return settings_page_for(signed_in, status=422, errors=errors, given=given)


def _settings_field(message: str) -> str:
    lowered = message.lower()
    if "url" in lowered:
        return "public_base_url"
    if "host" in lowered:
        return "hosts"
    if "period" in lowered or "type" in lowered or "days" in lowered:
        return "periods"
    return "reply_to_email"


# --- GOV.UK Notify (a second form on the settings page, posting `form=notify`) ----------------------------------------

# The kinds of message (each its own template field, `template_{kind}`), named as the form shows them.
NOTIFY_KINDS = {kind: kind.replace("_", " ").capitalize() for kind in KINDS}
NOTIFY_FIELDS = ("base_url", "generic_template", "reply_to")


def _notify_given(saved: Any) -> dict[str, str]:
    """The form's values: the saved settings (never the key nor the callback token)."""
    given = {"base_url": saved.base_url, "generic_template": saved.generic_template_id, "reply_to": saved.reply_to_id}
    return given | {f"template_{kind}": saved.templates.get(kind, "") for kind in NOTIFY_KINDS}


def change_notify(signed_in: SignedInOfficer, fields: dict[str, list[str]]) -> Response:
    """Checked against Notify and saved as `bops councils set-notify` does; refused: 422 with each reason beside its
    field, the values kept except the key and the callback token, which are never shown back."""
    from shared.notify.settings import NotifySettingsRefused

    given = {name: first(fields, name) for name in (*NOTIFY_FIELDS, *(f"template_{kind}" for kind in NOTIFY_KINDS))}
    try:
        administration().change_notify(
            signed_in,
            api_key=first(fields, "api_key") or None,
            base_url=given["base_url"] or None,
            templates={kind: given[f"template_{kind}"] for kind in NOTIFY_KINDS if given[f"template_{kind}"]},
            generic_template_id=given["generic_template"] or None,
            reply_to_id=given["reply_to"] or None,
            callback_token=first(fields, "callback_token") or None,
        )
    except NotifySettingsRefused as refused:
        count("NotifySettingsRefused")
        errors: dict[str, str] = {}
        for reason in refused.reasons:
            field = _notify_field(reason, given)
            errors[field] = f"{errors[field]}; {reason}" if field in errors else _sentence(reason)
        return settings_page_for(signed_in, status=422, errors=errors, notify_given=given)
    count("NotifySettingsSaved")
    return see_other(f"{SETTINGS}?saved=1#notify")


def _notify_field(reason: str, given: dict[str, str]) -> str:
    """The form field a refusal's reason is about (its id, which the error summary links to)."""
    lowered = reason.lower()
    for name, value in given.items():
        if name.startswith("template_") and value and value in reason:
            return name
    if "callback token" in lowered:
        return "callback_token"
    if "api key" in lowered:
        return "api_key"
    if "base url" in lowered or "could not be asked" in lowered:
        return "base_url"
    if "reply-to" in lowered:
        return "reply_to"
    if "kind of message" in lowered:
        return "template_receipt"
    return "generic_template"


@app.exception_handler(SignInRequired)
def sign_in_first(_: SignInRequired) -> Response:
    """No valid session (none, expired or signed out): to the sign-in page, which returns here (or, for a form, to
    the page it was sent from)."""
    from shared.pages.session import sign_in_redirect_for

    event = app.current_event
    headers = sign_in_redirect_for(event.http_method, event.path, event.query_string_parameters, event.headers)
    return Response(303, None, "", headers=headers)


@app.exception_handler(PageRefusal)
def refused(error: PageRefusal) -> Response:
    from shared.pages.rendering import HTML_CONTENT_TYPE, page_environment, render_page

    logger.info("admin page refused", extra={"status": error.status, "reason": error.message})
    rendered = render_page(
        page_environment(TEMPLATES),
        "admin_message.html",
        serviceName="Planning casework",
        title=error.title,
        message=error.message,
        errors={},
    )
    return Response(error.status, HTML_CONTENT_TYPE, rendered.html, headers=rendered.headers)


@observed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
