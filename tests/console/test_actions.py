"""The action forms' adapter: every console action is an officer API command (and every non-document command has
its form), form fields become the command's own body model, and the domain's field names come back to the form's."""

from __future__ import annotations

import pytest

from services.assessment.console.actions import ACTIONS, FormProblem, body_data, command_of, field_id, fields_of
from services.assessment.officer_api.commands import COMMANDS, DOCUMENT_COMMANDS


def test_every_command_but_the_documents_pages_has_its_action():
    on_documents_pages = {c.path for c in DOCUMENT_COMMANDS} | {"documents/{document_id}/check"}
    assert {a.command for a in ACTIONS.values()} == {c.path for c in COMMANDS} - on_documents_pages
    for action in ACTIONS.values():
        assert action.name == "_".join(p for p in action.command.split("/") if not p.startswith("{"))
        assert command_of(action).path == action.command


def test_form_fields_become_the_command_s_body():
    assessment = ACTIONS["assessment"]
    form = {
        "version": "7",
        "summary_of_works": "A rear extension",
        "amenity": "  ",
        "conditions_1_text": "",
        "conditions_1_reason": "",
        "conditions_2_text": "Matching materials",
        "conditions_2_reason": "Character",
        "informatives": "One\n\n Two \n",
    }
    data, slots = body_data(assessment, fields_of(assessment, None), form)
    assert data == {
        "version": 7,
        "summaryOfWorks": "A rear extension",
        "conditions": [{"text": "Matching materials", "reason": "Character"}],
        "informatives": ["One", "Two"],
    }
    assert slots == [2]
    body = command_of(assessment).body.model_validate(data)
    assert body.summary_of_works == "A rear extension" and body.conditions[0].text == "Matching materials"
    determine = ACTIONS["determine"]
    data, _ = body_data(
        determine,
        fields_of(determine, None),
        {"version": "1", "decision_date-day": "9", "decision_date-month": "3", "decision_date-year": "2026"},
    )
    assert data == {"version": 1, "decisionDate": "2026-03-09"}
    with pytest.raises(FormProblem) as problem:
        body_data(determine, fields_of(determine, None), {"decision_date-day": "30", "decision_date-month": "2"})
    assert list(problem.value.errors) == ["decision_date-day"]
    request = ACTIONS["validation_requests"]
    data, _ = body_data(request, fields_of(request, "fee_change"), {"version": "0", "type": "fee_change"})
    assert data == {"version": 0, "type": "fee_change"}


@pytest.mark.parametrize("version", ["²", "١٢", "\uff11\uff12", "-1", " 7", "9" * 5000])
def test_a_version_that_is_not_plain_ascii_digits_is_no_version(version):
    """`"²".isdigit()` is true but `int("²")` fails (and `int()` of 5,000 digits): the body gets -1, which its model
    refuses as bad input, never an error."""
    assign = ACTIONS["assign"]
    data, _ = body_data(assign, fields_of(assign, None), {"version": version, "officer_id": "me"})
    assert data["version"] == -1


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("1", "1", "99999999999999999999"), ("²", "1", "2026"), ("1", "1", "\uff12\uff10\uff12\uff16")],
)
def test_a_date_whose_parts_are_not_plain_numbers_is_not_a_real_date(day, month, year):
    """A year too large for `date` raised OverflowError (a 500), not the form's error."""
    validate = ACTIONS["validate"]
    form = {"version": "1", "valid_from-day": day, "valid_from-month": month, "valid_from-year": year}
    with pytest.raises(FormProblem) as problem:
        body_data(validate, fields_of(validate, None), form)
    assert list(problem.value.errors) == ["valid_from-day"]


def test_the_domain_s_field_names_are_the_form_s():
    assert field_id("publicReason", []) == "public_reason"
    assert field_id("conditions[0].reason", [2]) == "conditions_2_reason"
    assert field_id("proposedCondition.text", []) == "proposed_condition_text"
    assert field_id("validFrom", []) == "valid_from"
