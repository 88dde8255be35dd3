"""The case officer's assessment record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from events import EventPayload
from events.assessment import MAX_ITEMS, AssessmentRecorded, Condition
from services.assessment.domain import guards
from services.assessment.domain.state import PlanningApplication
from shared.officer_identity import SignedInOfficer


def record_assessment(
    state: PlanningApplication,
    officer: SignedInOfficer,
    *,
    summary_of_works: str,
    site_description: str | None = None,
    consultation_summary: str | None = None,
    amenity: str | None = None,
    policy_considerations: str | None = None,
    conditions: Sequence[Condition | Mapping[str, Any]] = (),
    informatives: Sequence[str] = (),
) -> list[EventPayload]:
    """Record (or re-record) the assessment; each recording replaces the last."""
    guards.case_work(state, officer, "assess applications")
    guards.status(state, guards.UNDER_ASSESSMENT, "record the assessment")
    fields = guards.Fields()
    summary = fields.long("summaryOfWorks", summary_of_works)
    texts = {
        name: fields.long(api, value, required=False)
        for name, api, value in (
            ("site_description", "siteDescription", site_description),
            ("consultation_summary", "consultationSummary", consultation_summary),
            ("amenity", "amenity", amenity),
            ("policy_considerations", "policyConsiderations", policy_considerations),
        )
    }
    checked_conditions = _conditions(fields, conditions)
    checked_informatives = _informatives(fields, informatives)
    fields.check()
    return [
        AssessmentRecorded(
            summary_of_works=summary or "",
            conditions=tuple(checked_conditions),
            informatives=tuple(checked_informatives),
            **texts,
        )
    ]


def _conditions(fields: guards.Fields, conditions: Sequence[Condition | Mapping[str, Any]]) -> list[Condition]:
    if len(conditions) > MAX_ITEMS:
        fields.add("conditions", f"at most {MAX_ITEMS}")
        return []
    checked = []
    for index, condition in enumerate(conditions):
        item = condition.model_dump() if isinstance(condition, Condition) else condition
        if not isinstance(item, Mapping):
            fields.add(f"conditions[{index}]", "must have a text and a reason")
            continue
        text = fields.long(f"conditions[{index}].text", item.get("text"))
        reason = fields.text(f"conditions[{index}].reason", item.get("reason"))
        if text and reason:
            checked.append(Condition(text=text, reason=reason))
    return checked


def _informatives(fields: guards.Fields, informatives: Sequence[str]) -> list[str]:
    if len(informatives) > MAX_ITEMS:
        fields.add("informatives", f"at most {MAX_ITEMS}")
        return []
    checked = []
    for index, informative in enumerate(informatives):
        text = fields.long(f"informatives[{index}]", informative)
        if text:
            checked.append(text)
    return checked
