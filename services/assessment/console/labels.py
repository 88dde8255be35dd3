"""How the console words the data: statuses, application types, days left (GOV.UK tags)."""

from __future__ import annotations

from typing import Any

from shared.odp.catalogue import application_type

STATUS_LABELS = {
    "not_started": "Not started",
    "invalidated": "Invalid",
    "in_assessment": "In assessment",
    "awaiting_determination": "Awaiting determination",
    "to_be_reviewed": "To be reviewed",
    "in_committee": "In committee",
    "determined": "Determined",
    "withdrawn": "Withdrawn",
    "returned": "Returned",
    "closed": "Closed",
}
STATUS_COLOURS = {
    "not_started": "grey",
    "invalidated": "orange",
    "in_assessment": "blue",
    "awaiting_determination": "purple",
    "to_be_reviewed": "yellow",
    "in_committee": "pink",
    "determined": "green",
    "withdrawn": "grey",
    "returned": "grey",
    "closed": "grey",
}
DECISIONS = {"granted": "Granted", "refused": "Refused", "not_required": "Prior approval not required"}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def status_tag(status: str) -> dict[str, str]:
    """`govukTag` parameters of a status."""
    return {"text": status_label(status), "classes": f"govuk-tag--{STATUS_COLOURS.get(status, 'grey')}"}


def application_type_label(code: str) -> str:
    known = application_type(code)
    return known.name if known else code


def days_left_tag(days: int | None) -> dict[str, Any] | None:
    """Business days left as a tag: red once overdue, orange within a week, else green; None without an expiry."""
    if days is None:
        return None
    if days < 0:
        overdue = -days
        return {
            "text": f"Overdue by {overdue} day{'s' if overdue != 1 else ''}",
            "classes": "govuk-tag--red",
            "overdue": True,
        }
    colour = "govuk-tag--orange" if days <= 5 else "govuk-tag--green"
    return {"text": f"{days} day{'s' if days != 1 else ''} left", "classes": colour, "overdue": False}
