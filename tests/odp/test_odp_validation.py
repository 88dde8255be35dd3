"""Schema validation: refusals with JSON pointer paths, unknown types, caching and agreement with `jsonschema`."""

from __future__ import annotations

import os
from typing import Any

import jsonschema
import pytest

from shared.odp import OdpValidator, SchemaIssue, UnknownApplicationType
from shared.odp import validation as validation_module
from shared.odp.validation import prototype_branches
from tests.odp.support import (
    EXAMPLES_DIR,
    MUTATIONS,
    SCHEMA_DIR,
    Mutation,
    example_id,
    example_paths,
    iter_cases,
    load,
    mutated,
    reference_is_valid,
    set_type_code,
)

EXAMPLES = example_paths()
# One representative example per format family, for the (slow) python `jsonschema` cross-check of every mutation.
REPRESENTATIVES = {
    "application/planningPermission/fullHouseholder.json",
    "prototypeApplication/advertConsent.json",
    "preApplication/preApp.json",
}


@pytest.fixture(scope="module")
def validator() -> OdpValidator:
    return OdpValidator(SCHEMA_DIR)


def _mutation_id(mutation: Mutation) -> str:
    return mutation[0]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=_mutation_id)
@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_mutation_is_refused_at_its_path(validator: OdpValidator, example: Any, mutation: Mutation) -> None:
    issues = validator.validate(mutated(load(example[1]), mutation))
    assert issues, "mutated payload was accepted"
    assert mutation[2] in [issue.path for issue in issues]
    assert all(isinstance(issue, SchemaIssue) for issue in issues)


def _example(relative: str) -> dict[str, Any]:
    return load(EXAMPLES_DIR / relative)


@pytest.mark.parametrize(
    "relative", ["application/planningPermission/fullHouseholder.json", "prototypeApplication/worksToTrees.json"]
)
def test_issue_messages_name_the_problem(validator: OdpValidator, relative: str) -> None:
    payload = _example(relative)
    del payload["data"]["applicant"]["email"]
    payload["metadata"]["id"] = "1234"
    payload["data"]["surprise"] = 1
    issues = validator.validate(payload)
    by_path = {issue.path: issue.message for issue in issues}
    assert "email" in by_path["/data/applicant/email"]
    assert "uuid" in by_path["/metadata/id"]
    assert "surprise" in by_path["/data"]
    # most specific (deepest) first, anyOf summaries never before a concrete issue
    depths = [issue.path.count("/") for issue in issues]
    assert depths == sorted(depths, reverse=True)


def test_issues_are_capped_and_deduplicated(validator: OdpValidator) -> None:
    payload = _example("application/planningPermission/fullHouseholder.json")
    for item in payload["responses"]:
        item["question"] = 1
    issues = validator.validate(payload)
    assert len(issues) == 20
    assert len(set(issues)) == len(issues)
    small = OdpValidator(SCHEMA_DIR, max_issues=3).validate(payload)
    assert len(small) == 3


@pytest.mark.parametrize(
    ("relative", "code"),
    [
        ("application/planningPermission/fullHouseholder.json", "pp.full.madeUp"),
        ("prototypeApplication/planningPermission/fullHouseholder.json", "pp.full.madeUp"),
        ("prototypeApplication/planningPermission/fullHouseholder.json", "pp.full"),  # catalogued, no prototype branch
        ("prototypeApplication/advertConsent.json", "preApp"),
    ],
)
def test_unknown_type_code_raises(validator: OdpValidator, relative: str, code: str) -> None:
    with pytest.raises(UnknownApplicationType) as raised:
        validator.validate(set_type_code(_example(relative), code))
    assert raised.value.code == code


def test_non_string_prototype_type_raises(validator: OdpValidator) -> None:
    payload = _example("prototypeApplication/worksToTrees.json")
    payload["applicationType"] = 7
    with pytest.raises(UnknownApplicationType):
        validator.validate(payload)


def test_known_type_with_wrong_description_is_refused(validator: OdpValidator) -> None:
    payload = set_type_code(_example("application/planningPermission/fullHouseholder.json"), "pp.full.minor")
    assert validator.validate(payload)


def test_prototype_of_another_type_is_checked_against_that_type(validator: OdpValidator) -> None:
    payload = _example("prototypeApplication/planningPermission/fullHouseholder.json")
    payload["applicationType"] = "advertConsent"
    assert validator.validate(payload)


def test_non_object_payload(validator: OdpValidator) -> None:
    assert validator.validate([]) == [SchemaIssue("", "payload must be a JSON object")]  # type: ignore[arg-type]


def test_validators_are_compiled_once_per_process(validator: OdpValidator) -> None:
    payload = _example("prototypeApplication/worksToTrees.json")
    validator.validate(payload)
    key = (str(SCHEMA_DIR.resolve()), "prototypeApplication.json", "wtt.consent")
    compiled = validation_module._VALIDATORS[key]
    OdpValidator(SCHEMA_DIR).validate(payload)
    assert validation_module._VALIDATORS[key] is compiled


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5276b1c3-89fb-4c7b-98eb-59493f76e046", True),
        ("5276B1C3-89FB-4C7B-98EB-59493F76E046", True),
        ("5276b1c389fb4c7b98eb59493f76e046", False),
        ("{5276b1c3-89fb-4c7b-98eb-59493f76e046}", False),
        ("not-a-uuid", False),
        (12, True),
    ],
)
def test_uuid_format(value: object, expected: bool) -> None:
    assert validation_module.is_uuid(value) is expected


def _agreement_cases() -> list[Any]:
    full = os.environ.get("BOPS_ODP_FULL") == "1"
    cases = []
    for case_id, fmt, payload, expected in iter_cases():
        if expected is None or full or case_id.split(":")[0] in REPRESENTATIVES:
            cases.append(pytest.param(fmt, payload, expected, id=case_id))
    return cases


@pytest.mark.parametrize(("fmt", "payload", "expected"), _agreement_cases())
def test_verdict_agrees_with_python_jsonschema(
    validator: OdpValidator, fmt: str, payload: dict[str, Any], expected: str | None
) -> None:
    """Every example, and every mutation of representative examples (all with BOPS_ODP_FULL=1)."""
    ours_valid = not validator.validate(payload)
    assert ours_valid == (expected is None)
    assert reference_is_valid(fmt, payload) == ours_valid


def test_unknown_type_verdict_agrees_with_python_jsonschema(validator: OdpValidator) -> None:
    payload = set_type_code(_example("application/planningPermission/major.json"), "pp.full.madeUp")
    assert reference_is_valid("application", payload) is False
    with pytest.raises(UnknownApplicationType):
        validator.validate(payload)


def test_unknown_prototype_type_matches_no_branch_in_python_jsonschema(validator: OdpValidator) -> None:
    """Python `jsonschema` needs ~20 s for the whole prototype anyOf, so check the branch discriminators only."""
    payload = set_type_code(_example("prototypeApplication/planningPermission/major.json"), "pp.full.madeUp")
    discriminators = {
        "anyOf": [
            {"properties": {"applicationType": {"const": code}}, "required": ["applicationType"]}
            for code in prototype_branches(SCHEMA_DIR)
        ]
    }
    assert len(discriminators["anyOf"]) == 95
    assert not jsonschema.Draft7Validator(discriminators).is_valid(payload)
    with pytest.raises(UnknownApplicationType):
        validator.validate(payload)
