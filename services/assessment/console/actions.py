"""The console's action forms: one page and one POST per officer API command (`officer_api.commands.COMMANDS`), at
`/applications/{reference}/actions/{action}` where `action` is the command's path without its parameters (`assign`,
`validation_requests`, `validation_requests_cancel`, `validate`, `review`, `determine`...).

Nothing here decides anything. A posted form becomes the command's own body model (`officer_api.bodies`, the JSON
API's, validated the same way) through a thin form-fields adapter, and runs through the officer API's `perform` (the
same domain function, the same version check, the same append). Whether an action is offered at all is the domain's
answer too: the command is asked, without appending anything, on the current state with an empty form (`ask`): a
refusal for the role (403) or the state (409) hides it; only bad input (422) means the form can be filled in.

The application page needs every answer at once (`offers`): asked once per (application state, officer, day) and kept
in a small LRU of this process, so a page shown again on an unchanged application asks nothing. The entry holds the
very state object it was computed from (the casework's cached fold: a new object whenever any of the application's
streams moved) and is used only for that object, so an answer is never older than the state the page shows.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from services.assessment.console.refusals import ConsoleRefusal
from shared.whole_numbers import whole_number

if TYPE_CHECKING:
    from services.assessment.domain.state import PlanningApplication
    from services.assessment.officer_api.commands import Command, Request
    from shared.officer_identity import SignedInOfficer

Kind = Literal["text", "textarea", "date", "radios", "lines", "conditions", "condition", "json", "yes_no"]
CONDITION_SLOTS = 3  # empty condition slots offered beyond the ones already recorded


@dataclass(frozen=True)
class FormField:
    """One field of a form: `name` is the command body's field (snake_case), also the field's name and id."""

    name: str
    kind: Kind
    label: str
    hint: str | None = None
    optional: bool = False
    # radios: the choices (value, text) for this application, from the domain where it has them
    choices: Callable[[PlanningApplication], Sequence[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class Action:
    name: str  # in the URL
    command: str  # the officer API command's path
    title: str  # the page's heading
    button: str
    done: str  # the banner after it worked
    fields: tuple[FormField, ...] = ()
    parameter: str | None = None  # the path parameter the form carries as a field (`request_id`)
    warning: bool = False


REASON = FormField("reason", "textarea", "Reason")


def _decisions(state: PlanningApplication) -> list[tuple[str, str]]:
    from services.assessment.console.labels import DECISIONS
    from services.assessment.domain.decision import decisions_for

    return [(d, DECISIONS.get(d, d)) for d in decisions_for(state)]


def _documents(state: PlanningApplication) -> list[tuple[str, str]]:
    return [(d.id, d.name) for d in state.documents.values() if d.source != "decision_notice" and d.current]


def _constraints(state: PlanningApplication) -> list[tuple[str, str]]:
    return [(c.value, c.description or c.value) for c in state.current_constraints]


REQUEST_DETAILS: dict[str, tuple[FormField, ...]] = {
    "additional_document": (FormField("requested_document", "text", "Document needed"),),
    "replacement_document": (FormField("document_id", "radios", "Document to replace", choices=_documents),),
    "red_line_boundary_change": (
        FormField(
            "proposed_boundary",
            "json",
            "Proposed red-line boundary",
            hint="A GeoJSON Polygon or MultiPolygon (geometry or Feature)",
        ),
    ),
    "description_change": (FormField("proposed_description", "textarea", "Proposed description"),),
    "fee_change": (FormField("fee_amount", "text", "Fee amount in pounds", hint="For example, 258.00"),),
    "other_change": (FormField("suggestion", "textarea", "What the applicant should change"),),
    "ownership_certificate": (),
    "pre_commencement_condition": (FormField("proposed_condition", "condition", "Proposed condition"),),
    "heads_of_terms": (FormField("terms", "textarea", "Heads of terms"),),
    "time_extension": (
        FormField("proposed_expiry_date", "date", "Proposed expiry date", hint="For example, 27 3 2026"),
    ),
}
REQUEST_TYPE_LABELS = {
    "additional_document": "Additional document",
    "replacement_document": "Replacement document",
    "red_line_boundary_change": "Red-line boundary change",
    "description_change": "Description change",
    "fee_change": "Fee change",
    "other_change": "Other change",
    "ownership_certificate": "Ownership certificate",
    "pre_commencement_condition": "Pre-commencement condition",
    "heads_of_terms": "Heads of terms",
    "time_extension": "Time extension",
}
YES_NO = (("yes", "Yes"), ("no", "No"))

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "assign",
            "assign",
            "Assign the case officer",
            "Assign",
            "Case officer assigned",
            (FormField("officer_id", "radios", "Case officer", choices=lambda state: ()),),
        ),
        Action(
            "red_line_boundary_check",
            "red_line_boundary/check",
            "Check the red-line boundary",
            "Save check",
            "Red-line boundary checked",
            (
                FormField("valid", "yes_no", "Is the red-line boundary valid?"),
                FormField("invalid_reason", "textarea", "If it is invalid, why", optional=True),
            ),
        ),
        Action(
            "fee_check",
            "fee/check",
            "Check the fee",
            "Save check",
            "Fee checked",
            (
                FormField("valid", "yes_no", "Is the fee valid?"),
                FormField("invalid_reason", "textarea", "If it is invalid, why", optional=True),
            ),
        ),
        Action(
            "constraints",
            "constraints",
            "Add a planning constraint",
            "Add constraint",
            "Constraint added",
            (
                FormField("constraint", "text", "Constraint", hint="Its planning data name, like conservationArea"),
                FormField("description", "textarea", "Description", optional=True),
            ),
        ),
        Action(
            "constraints_remove",
            "constraints/remove",
            "Remove a planning constraint",
            "Remove constraint",
            "Constraint removed",
            (FormField("constraint", "radios", "Constraint", choices=_constraints), REASON),
        ),
        Action(
            "validation_requests",
            "validation_requests",
            "Make a validation request",
            "Make request",
            "Validation request made",
        ),
        Action(
            "validation_requests_cancel",
            "validation_requests/{request_id}/cancel",
            "Cancel a validation request",
            "Cancel request",
            "Validation request cancelled",
            (REASON,),
            parameter="request_id",
            warning=True,
        ),
        Action(
            "invalidate",
            "invalidate",
            "Invalidate the application",
            "Invalidate and send requests",
            "Application invalidated: the validation requests were sent",
            warning=True,
        ),
        Action(
            "validate",
            "validate",
            "Validate the application",
            "Validate",
            "Application validated",
            (
                FormField(
                    "valid_from",
                    "date",
                    "Valid from",
                    hint="Leave it empty for the date the service works out; never a future date",
                    optional=True,
                ),
            ),
        ),
        Action(
            "site_notice",
            "site_notice",
            "Record a site notice",
            "Save",
            "Site notice recorded",
            (FormField("displayed_on", "date", "Date the site notice was displayed"),),
        ),
        Action(
            "press_notice",
            "press_notice",
            "Record a press notice",
            "Save",
            "Press notice recorded",
            (FormField("published_on", "date", "Date the press notice was published"),),
        ),
        Action(
            "assessment",
            "assessment",
            "Assess the application",
            "Save assessment",
            "Assessment saved",
            (
                FormField("summary_of_works", "textarea", "Summary of works"),
                FormField("site_description", "textarea", "Site description", optional=True),
                FormField("consultation_summary", "textarea", "Consultation summary", optional=True),
                FormField("amenity", "textarea", "Amenity", optional=True),
                FormField("policy_considerations", "textarea", "Policy considerations", optional=True),
                FormField("conditions", "conditions", "Conditions", optional=True),
                FormField("informatives", "lines", "Informatives", hint="One per line", optional=True),
            ),
        ),
        Action(
            "recommendation",
            "recommendation",
            "Make a recommendation",
            "Submit recommendation",
            "Recommendation submitted for review",
            (
                FormField("decision", "radios", "Recommended decision", choices=_decisions),
                FormField("public_reason", "textarea", "Reason (public)", hint="It appears on the decision notice"),
                FormField("private_note", "textarea", "Note to the reviewer (private)", optional=True),
            ),
        ),
        Action(
            "review",
            "review",
            "Review the recommendation",
            "Save review",
            "Review saved",
            (
                FormField(
                    "action",
                    "radios",
                    "Do you agree with the recommendation?",
                    choices=lambda state: (("agree", "Agree"), ("challenge", "Challenge")),
                ),
                FormField("comment", "textarea", "Comment", hint="Required when you challenge", optional=True),
            ),
        ),
        Action(
            "committee",
            "committee",
            "Send to committee",
            "Send to committee",
            "Application sent to committee",
            (REASON,),
        ),
        Action(
            "committee_decision",
            "committee_decision",
            "Record the committee's decision",
            "Save decision",
            "Committee decision recorded",
            (
                FormField("decision", "radios", "Committee's decision", choices=_decisions),
                FormField("decided_on", "date", "Date of the committee's decision"),
                FormField("notes", "textarea", "Notes", optional=True),
            ),
        ),
        Action(
            "determine",
            "determine",
            "Determine the application",
            "Determine and issue the decision notice",
            "Application determined: the decision notice was issued",
            (
                FormField(
                    "decision_date",
                    "date",
                    "Decision date",
                    hint="Leave it empty for today; never a future date",
                    optional=True,
                ),
            ),
        ),
        Action(
            "time_extension",
            "time_extension",
            "Ask for a time extension",
            "Send request",
            "Time extension requested",
            (*REQUEST_DETAILS["time_extension"], REASON),
        ),
        Action(
            "withdraw",
            "withdraw",
            "Withdraw the application",
            "Withdraw",
            "Application withdrawn",
            (REASON,),
            warning=True,
        ),
        Action("return", "return", "Return the application", "Return", "Application returned", (REASON,), warning=True),
        Action("close", "close", "Close the application", "Close", "Application closed", (REASON,), warning=True),
    )
}


def action_named(name: str) -> Action:
    found = ACTIONS.get(name)
    if found is None:
        raise ConsoleRefusal(404, f"There is no action {name}")
    return found


def command_of(action: Action) -> Command:
    return _commands()[action.command]


@cache
def _commands() -> dict[str, Command]:
    """The officer API's commands by path."""
    from services.assessment.officer_api.commands import COMMANDS

    return {c.path: c for c in COMMANDS}


def fields_of(action: Action, request_type: str | None) -> tuple[FormField, ...]:
    """A validation request's form: the type's own detail fields and the reason."""
    if action.name == "validation_requests":
        return (*REQUEST_DETAILS.get(request_type or "", ()), REASON) if request_type else ()
    return action.fields


# --- form fields → the command's body ----------------------------------------------------------------------------


class FormProblem(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _date(form: Mapping[str, str], name: str, label: str) -> str | None:
    parts = [form.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    day, month, year = (whole_number(p, max_digits=4) for p in parts)
    try:
        if day is None or month is None or year is None:
            raise ValueError(f"{name} is not three numbers")
        return date(year, month, day).isoformat()
    except ValueError:
        raise FormProblem({f"{name}-day": f"{label} must be a real date, like 27 3 2026"}) from None


def slots(form: Mapping[str, str], name: str) -> list[int]:
    """The condition slots posted (1, 2, ...)."""
    found = {int(m.group(1)) for key in form if (m := re.fullmatch(rf"{name}_(\d+)_(?:text|reason)", key))}
    return sorted(n for n in found if n <= 100)


def body_data(action: Action, fields: Sequence[FormField], form: Mapping[str, str]) -> tuple[dict[str, Any], list[int]]:
    """The command's JSON body (camelCase, as the officer API takes it) from the form, and which condition slot each
    condition of the body came from (to put the domain's errors back beside the right field)."""
    version = whole_number(form.get("version", ""))
    data: dict[str, Any] = {"version": -1 if version is None else version}
    if action.name == "validation_requests":
        data["type"] = form.get("type", "")
    problems: dict[str, str] = {}
    condition_slots: list[int] = []
    for f in fields:
        try:
            data[_camel(f.name)] = _value(f, form, condition_slots)
        except FormProblem as problem:
            problems.update(problem.errors)
    if problems:
        raise FormProblem(problems)
    return {k: v for k, v in data.items() if v is not None}, condition_slots


def _value(f: FormField, form: Mapping[str, str], condition_slots: list[int]) -> Any:
    """One field's value in the body (None: not given)."""
    text = form.get(f.name, "")
    if f.kind == "date":
        return _date(form, f.name, f.label)
    if f.kind == "yes_no":
        return {"yes": True, "no": False}.get(text)
    if f.kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if f.kind == "conditions":
        conditions = []
        for slot in slots(form, f.name):
            given = {p: form.get(f"{f.name}_{slot}_{p}", "") for p in ("text", "reason")}
            if any(v.strip() for v in given.values()):
                conditions.append(given)
                condition_slots.append(slot)
        return conditions
    if f.kind == "condition":
        given = {p: form.get(f"{f.name}_{p}", "") for p in ("text", "reason")}
        return given if any(v.strip() for v in given.values()) else None
    if f.kind == "json":
        return _json(text, f)
    return text if text.strip() else None  # a blank field is not given: the body model or the domain says it is needed


def _json(text: str, f: FormField) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise FormProblem({f.name: f"{f.label} must be GeoJSON (JSON text)"}) from None


def field_id(api_name: str, condition_slots: Sequence[int]) -> str:
    """The form field of an API field name: `publicReason` → `public_reason`, `conditions[0].text` →
    `conditions_2_text` (its slot), `proposedCondition.reason` → `proposed_condition_reason`."""
    parts = []
    for part in re.split(r"\.|(?=\[)", api_name):
        index = re.fullmatch(r"\[(\d+)\]", part)
        if index:
            position = int(index.group(1))
            parts.append(str(condition_slots[position] if position < len(condition_slots) else position + 1))
        elif part:
            parts.append(re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", part).lower())
    return "_".join(parts)


def field_errors(
    fields: Sequence[FormField], problems: Mapping[str, str], condition_slots: Sequence[int]
) -> dict[str, str]:
    """The domain's (or the body model's) field problems as the page's errors, worded with the field's label and keyed
    by the id the error summary links to (a date's day box); a problem with no field of the form is the page's."""
    labels = {f.name: f for f in fields}
    errors: dict[str, str] = {}
    for api_name, message in problems.items():
        name = field_id(api_name, condition_slots)
        base = next((f for f in fields if name == f.name or name.startswith(f.name + "_")), None)
        if base is None:
            errors.setdefault("form", _sentence(f"{api_name} {message}" if api_name else message))
            continue
        label = labels[base.name].label
        if name != base.name:
            label = f"{label} {name[len(base.name) + 1 :].replace('_', ' ')}"
        key = f"{name}-day" if base.kind == "date" else name
        errors.setdefault(key, _sentence(f"{label.rstrip('?')} {message}"))
    return errors


def pydantic_problems(error: Any) -> dict[str, str]:
    problems = {}
    for e in error.errors():
        name = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in e["loc"]).replace(".[", "[")
        problems[name] = (
            "is required" if e["type"] == "missing" else "is not right: " + e["msg"][:1].lower() + e["msg"][1:]
        )
    return problems


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


# --- what is offered ---------------------------------------------------------------------------------------------


@dataclass
class Offer:
    """Whether the domain would take the action now: else its refusal's status (403, 404 or 409) and message."""

    status: int = 200
    message: str = ""

    @property
    def open(self) -> bool:
        return self.status == 200


def probe_request(officer: SignedInOfficer, today: date, parameters: dict[str, str]) -> Request:
    """The officer API's `Request` for a command asked without effect: no officer is found, no file is stored, the
    decision notice is a placeholder never stored."""
    from services.assessment.domain import DecisionNoticeFile
    from services.assessment.officer_api.commands import Request

    placeholder = DecisionNoticeFile(document_id=f"probe-{uuid.uuid4()}", key="probe", sha256="0" * 64, size=1)
    return Request(
        officer,
        today,
        parameters,
        lambda state: 1,
        lambda state, day: (placeholder, lambda: None),
        lambda officer_id: None,
        None,
    )


def ask(
    action: Action, state: PlanningApplication, officer: SignedInOfficer, today: date, extra: Mapping[str, str] = {}
) -> Offer:
    """Ask the command on the current state with an empty form (nothing is appended): refused for the role (403), the
    state (409) or a missing thing (404) means the action is not on offer; bad input (422) or success means it is."""
    from services.assessment.domain.errors import AssessmentRefusal, InvalidCommand

    command = command_of(action)
    data, _ = body_data(action, fields_of(action, extra.get("type")), {"version": str(state.version), **extra})
    body = command.body.model_construct(**_snake(command, data))
    parameters = {action.parameter: extra.get(action.parameter, "")} if action.parameter else {}
    try:
        command.run(state, body, probe_request(officer, today, parameters))
    except InvalidCommand as refusal:
        if action.name == "validation_requests" and "type" in refusal.fields:
            return Offer(409, _sentence(refusal.fields["type"]))
    except AssessmentRefusal as refusal:
        return Offer(refusal.status, _sentence(refusal.message))
    return Offer()


def _snake(command: Command, data: Mapping[str, Any]) -> dict[str, Any]:
    """Body fields by name, every field present (a probe's body is built without validation)."""
    by_alias = {info.alias or name: name for name, info in command.body.model_fields.items()}
    values: dict[str, Any] = {
        name: (info.default if not info.is_required() else None) for name, info in command.body.model_fields.items()
    }
    for key, value in data.items():
        if key in by_alias:
            values[by_alias[key]] = value
    return values


def request_types_on_offer(state: PlanningApplication, officer: SignedInOfficer, today: date) -> list[tuple[str, str]]:
    from shared.calendar.periods import REQUEST_TYPES

    action = ACTIONS["validation_requests"]
    return [
        (t, REQUEST_TYPE_LABELS.get(t, t))
        for t in REQUEST_TYPES
        if t != "time_extension" and ask(action, state, officer, today, {"type": t}).open
    ]


@dataclass(frozen=True)
class Offers:
    """Everything the domain would take now from one officer on one state (what the application page links to)."""

    actions: frozenset[str]  # the action names on offer (validation requests: when at least one type is)
    request_types: tuple[tuple[str, str], ...]  # the validation request types on offer (value, label)
    cancellable: frozenset[str]  # the validation requests (ids) this officer may cancel now


CACHED_OFFERS = 256
_offers: OrderedDict[tuple[str, str, SignedInOfficer, date], tuple[PlanningApplication, Offers]] = OrderedDict()
_offers_lock = threading.Lock()


def offers(state: PlanningApplication, officer: SignedInOfficer, today: date) -> Offers:
    """`ask` for every action of the page, once per (state, officer, day): the domain stays the only judge, this only
    remembers its answers for the state object they were given on."""
    key = (state.council or officer.council, state.reference or "", officer, today)
    with _offers_lock:
        found = _offers.get(key)
        if found is not None and found[0] is state:
            _offers.move_to_end(key)
            return found[1]
    computed = _ask_all(state, officer, today)
    with _offers_lock:
        _offers[key] = (state, computed)
        _offers.move_to_end(key)
        while len(_offers) > CACHED_OFFERS:
            _offers.popitem(last=False)
    return computed


def forget_offers() -> None:
    """Empty the offers kept (the benchmark's page after a change: every action asked again)."""
    with _offers_lock:
        _offers.clear()


def _ask_all(state: PlanningApplication, officer: SignedInOfficer, today: date) -> Offers:
    types = tuple(request_types_on_offer(state, officer, today))
    names = {
        name
        for name, action in ACTIONS.items()
        if not action.parameter and name != "validation_requests" and ask(action, state, officer, today).open
    }
    if types:
        names.add("validation_requests")
    cancel = ACTIONS["validation_requests_cancel"]
    cancellable = frozenset(
        request_id
        for request_id, request in state.requests.items()
        if request.state in ("pending", "open") and ask(cancel, state, officer, today, {"request_id": request_id}).open
    )
    return Offers(frozenset(names), types, cancellable)
