"""The decision notice: the printable HTML document an application's determination issues (A4, one stylesheet).

The officer API's determine handler builds a `DecisionNoticeContent` from the application's state and the council's
settings, renders it here and stores the bytes as the application's decision-notice document. Every value is escaped
(Jinja2 with autoescape), so text typed by officers or applicants can never become markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from shared.odp.catalogue import application_type as catalogue_type

DECISIONS = ("granted", "refused", "not_required")


@dataclass(frozen=True)
class NoticeCondition:
    """A condition of the permission and the reason the council imposes it."""

    text: str
    reason: str


@dataclass(frozen=True)
class NoticeDocument:
    """A document the decision refers to (the approved drawings and plans)."""

    name: str
    drawing_number: str | None = None


@dataclass(frozen=True)
class DecisionNoticeContent:
    council_name: str
    reference: str
    application_type: str  # the ODP code (`pp.full.householder`); shown by its catalogue name when it has one
    address: str
    description: str
    applicant_name: str | None  # None unless the council publishes applicants' names (the notice is public)
    decision: str  # granted | refused | not_required (prior approvals only)
    decision_date: date
    public_reason: str
    conditions: tuple[NoticeCondition, ...]
    informatives: tuple[str, ...]
    documents: tuple[NoticeDocument, ...]
    case_officer_name: str
    reviewer_name: str | None = None


# (headline, the statement under it) by decision and the family of the application type ("" for any other type).
_WORDING: dict[tuple[str, str], tuple[str, str]] = {
    ("pp", "granted"): (
        "Planning permission granted",
        "The council grants planning permission for the development described above.",
    ),
    ("pp", "refused"): (
        "Planning permission refused",
        "The council refuses planning permission for the development described above, for the reasons below.",
    ),
    ("ldc", "granted"): (
        "Lawful development certificate granted",
        "The council certifies that the use or operations described above are lawful.",
    ),
    ("ldc", "refused"): (
        "Lawful development certificate refused",
        "The council refuses to certify that the use or operations described above are lawful, for the reasons below.",
    ),
    ("pa", "granted"): (
        "Prior approval required and granted",
        "The council has determined that prior approval is required for the development described above, and "
        "grants it.",
    ),
    ("pa", "refused"): (
        "Prior approval refused",
        "The council refuses prior approval for the development described above, for the reasons below.",
    ),
    ("pa", "not_required"): (
        "Prior approval not required",
        "The council has determined that prior approval is not required for the development described above.",
    ),
    ("", "granted"): ("Granted", "The council grants the application described above."),
    ("", "refused"): ("Refused", "The council refuses the application described above, for the reasons below."),
}
CONDITIONS_APPLY = "It is subject to the conditions below."


def decision_wording(decision: str, application_type: str) -> tuple[str, str]:
    """(headline, statement) for `decision` on an application of `application_type`.

    `not_required` exists only for prior approvals: anything else is a ValueError, as is an unknown decision.
    """
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    family = application_type.split(".", 1)[0]
    wording = _WORDING.get((family, decision)) or _WORDING.get(("", decision))
    if wording is None:
        raise ValueError(f"a {application_type} application cannot be decided {decision!r}")
    return wording


def application_type_name(code: str) -> str:
    known = catalogue_type(code)
    return known.name if known else code


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@cache
def _template() -> Template:
    environment = Environment(
        loader=PackageLoader("services.assessment", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("decision_notice.html")


def render_decision_notice(content: DecisionNoticeContent) -> bytes:
    """The notice as a UTF-8 HTML document, printable on A4."""
    headline, statement = decision_wording(content.decision, content.application_type)
    if content.conditions:
        statement = f"{statement} {CONDITIONS_APPLY}"
    html = _template().render(
        notice=content,
        headline=headline,
        statement=statement,
        application_type_name=application_type_name(content.application_type),
        decision_date=_long_date(content.decision_date),
        reason_heading="Reasons for refusal" if content.decision == "refused" else "Reason for the decision",
    )
    return html.encode("utf-8")
