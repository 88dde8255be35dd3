"""The action forms' pages: `GET /applications/{reference}/actions/{action}` shows the form of an action the domain
would take now (`actions.ask`), `POST` runs it through the officer API's `perform` and answers Post/Redirect/Get back
to the application page with a success banner; bad input gives the form again with the error summary (nothing
stored); a stale version gives the form again at the new version with what changed since (the audit trail's words)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from aws_lambda_powertools.event_handler.api_gateway import Response

from services.assessment.console import acknowledge
from services.assessment.console.actions import (
    ACTIONS,
    CONDITION_SLOTS,
    REQUEST_TYPE_LABELS,
    Action,
    FormField,
    FormProblem,
    action_named,
    ask,
    body_data,
    command_of,
    field_errors,
    fields_of,
    offers,
    pydantic_problems,
)
from services.assessment.console.refusals import ConsoleRefusal
from shared.typed_text import UntypableText, typed_fields, without_untypable
from shared.whole_numbers import whole_number

if TYPE_CHECKING:
    from services.assessment.domain.state import PlanningApplication
    from shared.officer_identity import SignedInOfficer

MAX_FORM_FIELDS = 400


def _handler() -> Any:
    from services.assessment.console import handler

    return handler


def _load(signed_in: SignedInOfficer, reference: str) -> PlanningApplication:
    from services.assessment.console.application import load_application

    return load_application(_handler().casework(), signed_in, reference)


def posted_form() -> dict[str, str]:
    """The urlencoded form (first value of each field), refused with 400 when unreadable or without the session's CSRF
    token (checked before anything else is looked at)."""
    from shared.pages.session import CSRF_FIELD, csrf_matches
    from shared.request_body import MalformedBody, raw_body

    event = _handler().app.current_event
    try:
        text = raw_body(event.body, bool(event.is_base64_encoded)).decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except (MalformedBody, UnicodeDecodeError, ValueError):
        raise ConsoleRefusal(400, "The form could not be read") from None
    form = {name: values[0] for name, values in fields.items()}
    if not csrf_matches(_handler().session_csrf(), form.get(CSRF_FIELD)):
        raise ConsoleRefusal(
            400, "The form has expired or did not come from this service: go back, reload and try again"
        )
    try:
        return typed_fields(form)
    except UntypableText as refused:
        raise UntypableForm(refused, form) from None


class UntypableForm(ConsoleRefusal):
    """A form with characters no one types (`shared.typed_text`): 422 naming the fields; an action's form is shown
    again with them beside the fields and what was typed without those characters (nothing stored)."""

    def __init__(self, refused: UntypableText, form: Mapping[str, str]) -> None:
        super().__init__(422, f"{refused.sentence}: remove them and try again")
        self.fields = {name: "Remove the characters that cannot be typed from this field" for name in refused.fields}
        self.given = {
            name: without_untypable(value) if name in refused.fields else value for name, value in form.items()
        }


def _officer_choices(state: PlanningApplication, signed_in: SignedInOfficer) -> list[tuple[str, str]]:
    from services.assessment.officers import case_officers
    from shared.wiring import dependencies

    found = case_officers(dependencies().read_models, signed_in.council)
    mine = [("me", f"Me ({signed_in.name})")] if signed_in.role != "administrator" else []
    return mine + [(o.id, f"{o.name} ({o.role})") for o in found if o.id != signed_in.id or not mine]


def _choices(f: FormField, state: PlanningApplication, signed_in: SignedInOfficer) -> list[tuple[str, str]]:
    if f.kind == "yes_no":
        return [("yes", "Yes"), ("no", "No")]
    if f.name == "officer_id":
        return _officer_choices(state, signed_in)
    return list(f.choices(state)) if f.choices else []


def _prefilled(action: Action, state: PlanningApplication) -> dict[str, str]:
    """What the form starts with: the assessment as recorded (each recording replaces the last)."""
    given: dict[str, str] = {}
    a = state.assessment
    if action.name == "assessment" and a is not None:
        for name in (
            "summary_of_works",
            "site_description",
            "consultation_summary",
            "amenity",
            "policy_considerations",
        ):
            given[name] = getattr(a, name) or ""
        given["informatives"] = "\n".join(a.informatives)
        for slot, condition in enumerate(a.conditions, start=1):
            given[f"conditions_{slot}_text"] = condition.text
            given[f"conditions_{slot}_reason"] = condition.reason
    return given


def _field_views(
    fields: Sequence[FormField],
    state: PlanningApplication,
    signed_in: SignedInOfficer,
    given: Mapping[str, str],
    errors: Mapping[str, str],
) -> list[dict[str, Any]]:
    views = []
    for f in fields:
        view: dict[str, Any] = {
            "name": f.name,
            "kind": f.kind,
            "label": f.label + (" (optional)" if f.optional else ""),
            "hint": f.hint,
            "value": given.get(f.name, ""),
            "error": errors.get(f"{f.name}-day" if f.kind == "date" else f.name),
            "choices": _choices(f, state, signed_in),
        }
        if f.kind == "date":
            view["parts"] = {p: given.get(f"{f.name}-{p}", "") for p in ("day", "month", "year")}
        if f.kind == "conditions":
            filled = [n for n in range(1, 101) if given.get(f"{f.name}_{n}_text") or given.get(f"{f.name}_{n}_reason")]
            count = max(filled, default=0) + CONDITION_SLOTS
            view["slots"] = [
                {
                    "number": n,
                    "text": given.get(f"{f.name}_{n}_text", ""),
                    "reason": given.get(f"{f.name}_{n}_reason", ""),
                    "text_error": errors.get(f"{f.name}_{n}_text"),
                    "reason_error": errors.get(f"{f.name}_{n}_reason"),
                }
                for n in range(1, count + 1)
            ]
        if f.kind == "condition":
            view["text"] = given.get(f"{f.name}_text", "")
            view["reason"] = given.get(f"{f.name}_reason", "")
            view["text_error"] = errors.get(f"{f.name}_text")
            view["reason_error"] = errors.get(f"{f.name}_reason")
        views.append(view)
    return views


def _request_of(state: PlanningApplication, request_id: str) -> dict[str, Any]:
    from services.assessment.domain.view import request_view

    found = state.requests.get(request_id)
    if found is None:
        raise ConsoleRefusal(404, "There is no such validation request in this application")
    return request_view(found)


def form_page(
    signed_in: SignedInOfficer,
    state: PlanningApplication,
    action: Action,
    extra: Mapping[str, str],
    *,
    status: int = 200,
    given: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    changes: Sequence[Mapping[str, Any]] | None = None,
    closed: bool = False,
) -> Response:
    today = _handler().casework().today()
    request_type = extra.get("type") or None
    fields = fields_of(action, request_type)
    context: dict[str, Any] = {
        "title": action.title,
        "action": action,
        "reference": state.reference,
        "address": state.site.address if state.submission else "",
        "version": state.version,
        "extra": {k: v for k, v in extra.items() if v},
        "fields": _field_views(
            fields, state, signed_in, given if given is not None else _prefilled(action, state), errors or {}
        ),
        "errors": dict(errors or {}),
        "changes": changes,
        "closed": closed,
        "request_type": request_type,
        "request_type_label": REQUEST_TYPE_LABELS.get(request_type or "", ""),
        "post_to": f"/applications/{quote(state.reference)}/actions/{action.name}",
    }
    if action.name == "validation_requests" and not request_type:
        context["types"] = list(offers(state, signed_in, today).request_types)
    if action.parameter == "request_id":
        context["request"] = _request_of(state, extra.get("request_id", ""))
    if action.name == "invalidate":
        context["pending"] = [r for r in state.requests.values() if r.state == "pending"]
    if action.name == "determine":
        from services.assessment.domain import decision_to_issue

        context["decision"] = decision_to_issue(state)
    if action.name == "validate":
        default = state.default_valid_from()
        context["default_valid_from"] = default.isoformat() if default else None
    return _handler().page("action.html", http_status=status, **context)


def _extra(action: Action, source: Mapping[str, str]) -> dict[str, str]:
    """The form's own hidden choices: a validation request's type, the request a cancel is about."""
    extra = {}
    if action.name == "validation_requests":
        extra["type"] = source.get("type", "")
    if action.parameter:
        extra[action.parameter] = source.get(action.parameter, "")
    return extra


def _offered(
    action: Action, state: PlanningApplication, signed_in: SignedInOfficer, today: date, extra: Mapping[str, str]
) -> None:
    """Refuse (403, 404 or 409, the domain's words) an action the domain would not take now."""
    if action.name == "validation_requests" and not extra.get("type"):
        if offers(state, signed_in, today).request_types:
            return
        offer = ask(action, state, signed_in, today, {"type": "other_change"})
        if offer.open or offer.status == 409:
            raise ConsoleRefusal(
                409, offer.message or "No validation request can be made now", "You cannot do this now"
            )
    else:
        offer = ask(action, state, signed_in, today, extra)
    if not offer.open:
        raise ConsoleRefusal(offer.status, offer.message, "You cannot do this now" if offer.status == 409 else None)


def show(reference: str, name: str) -> Response:
    if name == acknowledge.ACTION:
        return acknowledge.show(reference)
    handler = _handler()
    signed_in = handler.officer()
    action = action_named(name)
    state = _load(signed_in, reference)
    extra = _extra(action, handler.query_parameters())
    _offered(action, state, signed_in, handler.casework().today(), extra)
    return form_page(signed_in, state, action, extra)


def run(reference: str, name: str) -> Response:
    from pydantic import ValidationError

    from services.assessment.domain.errors import AssessmentRefusal, Conflict, NotFound, NotPermitted
    from services.assessment.officer_api.handler import perform

    if name == acknowledge.ACTION:
        return acknowledge.run(reference)
    handler = _handler()
    signed_in = handler.officer()
    action = action_named(name)
    try:
        form = posted_form()
    except UntypableForm as untypable:
        state = _load(signed_in, reference)
        extra = _extra(action, untypable.given)
        return form_page(signed_in, state, action, extra, status=422, given=untypable.given, errors=untypable.fields)
    state = _load(signed_in, reference)
    extra = _extra(action, form)
    fields = fields_of(action, extra.get("type"))
    command = command_of(action)
    slots: list[int] = []
    try:
        data, slots = body_data(action, fields, form)
        body = command.body.model_validate(data)
    except FormProblem as problem:
        return form_page(signed_in, state, action, extra, status=422, given=form, errors=problem.errors)
    except ValidationError as error:
        errors = field_errors(fields, pydantic_problems(error), slots)
        return form_page(signed_in, state, action, extra, status=422, given=form, errors=errors)
    work = handler.casework()
    parameters = {action.parameter: extra[action.parameter]} if action.parameter else {}
    try:
        perform(work, signed_in, command, reference, parameters, body, work.today())
    except NotPermitted as refused:
        raise ConsoleRefusal(403, _sentence(refused.message)) from None
    except NotFound as refused:
        raise ConsoleRefusal(404, _sentence(refused.message)) from None
    except Conflict as conflict:
        return _conflict(signed_in, reference, action, extra, form, conflict)
    except AssessmentRefusal as refused:
        errors = field_errors(fields, refused.fields, slots) or {"form": _sentence(refused.message)}
        return form_page(signed_in, state, action, extra, status=refused.status, given=form, errors=errors)
    location = f"/applications/{quote(reference)}?done={action.name}"
    return Response(303, None, "", headers={"Location": location, "Cache-Control": "no-store"})


def _conflict(
    signed_in: SignedInOfficer,
    reference: str,
    action: Action,
    extra: Mapping[str, str],
    form: Mapping[str, str],
    conflict: Exception,
) -> Response:
    """Stale: the form again at the new version, with the audit trail's entries since the version the officer saw.
    Not stale (the state itself refuses): the form again with the domain's reason."""
    from services.assessment.officer_api.audit import audit_entries

    work = _handler().casework()
    fresh = _load(signed_in, reference)
    seen = whole_number(form.get("version", ""))
    message = _sentence(getattr(conflict, "message", str(conflict)))
    if seen is None or seen >= fresh.version:
        return form_page(signed_in, fresh, action, extra, status=409, given=form, errors={"form": message})
    entries = [
        e
        for e in audit_entries(work.events(signed_in.council, reference))
        if e["stream"] == "main" and e["version"] > seen
    ]
    errors = {"changes": "The application changed since you opened this form: check what changed, then submit again"}
    offer = ask(action, fresh, signed_in, work.today(), extra) if action.name != "validation_requests" else None
    closed = offer is not None and not offer.open
    if offer is not None and closed:
        errors["form"] = f"You cannot do this now: {offer.message}"
    given = {k: v for k, v in form.items() if k != "version"}
    return form_page(
        signed_in, fresh, action, extra, status=409, given=given, errors=errors, changes=entries, closed=closed
    )


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


__all__ = ["ACTIONS", "run", "show"]
