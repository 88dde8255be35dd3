"""The older `application` format converted to `prototypeApplication`, and the schema-guided walk under it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from shared.odp import OdpValidator, UnknownApplicationType
from shared.odp.conform import MISMATCH, Conformer
from shared.odp.conversion import PROTOTYPE_SCHEMA_URL, to_prototype
from tests.odp.support import EXAMPLES_DIR, SCHEMA_DIR, load, reference_is_valid

APPLICATIONS = sorted((EXAMPLES_DIR / "application").glob("**/*.json"))


def _id(path: Path) -> str:
    return str(path.relative_to(EXAMPLES_DIR / "application"))


@pytest.fixture(scope="module")
def validator() -> OdpValidator:
    return OdpValidator(SCHEMA_DIR)


def test_every_application_example_has_its_prototype_pair() -> None:
    assert len(APPLICATIONS) == 13
    for path in APPLICATIONS:
        assert (EXAMPLES_DIR / "prototypeApplication" / path.relative_to(EXAMPLES_DIR / "application")).is_file()


@pytest.mark.parametrize("path", APPLICATIONS, ids=_id)
def test_each_converted_application_validates_as_a_prototype(validator: OdpValidator, path: Path) -> None:
    original = load(path)
    untouched = copy.deepcopy(original)
    converted = to_prototype(original, SCHEMA_DIR)
    assert original == untouched  # a pure function: the input is never changed
    assert validator.validate(converted) == []
    assert reference_is_valid("prototypeApplication", converted)  # python jsonschema, the branch as published


def _comparable(payload: dict[str, Any]) -> dict[str, Any]:
    """What the paired examples state alike (the pairs were written separately: fees, payment references and some
    answers differ between them, so the whole documents are not expected to be equal)."""
    data = payload["data"]
    return {
        "applicationType": payload["applicationType"],
        "metadata.id": payload["metadata"]["id"],
        "metadata.schema": payload["metadata"]["schema"],
        "property.type": data["property"].get("type"),
        "property.address": data["property"]["address"],
        "proposal.description": data["proposal"]["description"],
        "proposal.projectType": data["proposal"].get("projectType"),
        "applicant.keys": sorted(data["applicant"]),
        "applicant.email": data["applicant"]["email"],
        "user": data["user"],
        "files": [(file["name"], file["type"]) for file in payload["files"]],
        "preAssessment": payload.get("preAssessment"),
        "questions": [response["question"] for response in payload["responses"]],
    }


@pytest.mark.parametrize("path", APPLICATIONS, ids=_id)
def test_each_converted_application_says_what_its_paired_prototype_says(path: Path) -> None:
    converted = to_prototype(load(path), SCHEMA_DIR)
    paired = load(EXAMPLES_DIR / "prototypeApplication" / path.relative_to(EXAMPLES_DIR / "application"))
    mine, theirs = _comparable(converted), _comparable(paired)
    if "siteContact" in theirs["applicant.keys"] and "siteContact" not in mine["applicant.keys"]:
        pytest.fail("the conversion dropped a site contact the prototype keeps")
    if not paired.get("preAssessment"):
        mine["preAssessment"] = theirs["preAssessment"] = None  # [] and absent say the same
    assert mine == theirs


def test_a_prototype_is_copied_unchanged() -> None:
    prototype = load(EXAMPLES_DIR / "prototypeApplication" / "planningPermission" / "fullHouseholder.json")
    converted = to_prototype(prototype, SCHEMA_DIR)
    assert converted == prototype and converted is not prototype


def test_the_type_and_schema_move_and_codes_become_plain() -> None:
    original = load(EXAMPLES_DIR / "application" / "planningPermission" / "fullHouseholder.json")
    converted = to_prototype(original, SCHEMA_DIR)
    assert converted["applicationType"] == "pp.full.householder"
    assert "type" not in converted["data"]["application"]
    assert converted["metadata"]["schema"] == PROTOTYPE_SCHEMA_URL
    assert converted["data"]["property"]["type"] == "residential.dwelling.house.terrace"  # renamed in the prototype
    assert converted["data"]["proposal"]["projectType"] == ["extend.roof.dormer"]
    assert converted["data"]["application"]["CIL"] == original["data"]["application"]["CIL"]  # the branch has it


def test_what_the_type_has_no_place_for_is_dropped() -> None:
    original = load(EXAMPLES_DIR / "application" / "priorApproval" / "largerExtension.json")
    assert "siteContact" in original["data"]["applicant"]
    converted = to_prototype(original, SCHEMA_DIR)
    assert "siteContact" not in converted["data"]["applicant"]  # prior approval's applicant has none
    assert converted["preAssessment"] == original["preAssessment"]  # a list of objects the prototype keeps whole


def test_a_parent_type_without_a_prototype_branch_is_refused() -> None:
    original = load(EXAMPLES_DIR / "application" / "planningPermission" / "fullHouseholder.json")
    original["data"]["application"]["type"] = {"value": "pp", "description": "Planning Permission"}
    with pytest.raises(UnknownApplicationType):
        to_prototype(original, SCHEMA_DIR)


# The walk itself, on small schemas.

_SCHEMA: dict[str, Any] = {
    "definitions": {
        "Kind": {
            "anyOf": [
                {"const": "residential.dwelling.house.terrace", "description": "Terrace", "type": "string"},
                {"const": "residential.dwelling", "description": "Residential dwelling", "type": "string"},
                {"const": "commercial", "description": "Commercial", "type": "string"},
            ]
        },
        "Closed": {
            "type": "object",
            "additionalProperties": False,
            "required": ["kind"],
            "properties": {"kind": {"$ref": "#/definitions/Kind"}, "count": {"type": "number"}},
        },
        "With%20space": {"type": "string"},
    }
}


def _conform(node: Any, value: Any) -> tuple[Any, int]:
    return Conformer(_SCHEMA).conform(node, value)


def test_a_code_is_unwrapped_and_renamed_by_its_description() -> None:
    value = {"value": "residential.house.terrace", "description": "Terrace"}
    assert _conform({"$ref": "#/definitions/Kind"}, value)[0] == "residential.dwelling.house.terrace"


def test_a_code_without_a_match_takes_its_nearest_listed_ancestor() -> None:
    value = {"value": "residential.dwelling.boat", "description": "House Boat"}
    assert _conform({"$ref": "#/definitions/Kind"}, value)[0] == "residential.dwelling"


def test_a_code_with_nothing_near_stays_and_costs_a_mismatch() -> None:
    assert _conform({"$ref": "#/definitions/Kind"}, "land.forest") == ("land.forest", MISMATCH)


def test_unknown_properties_of_a_closed_object_are_dropped() -> None:
    converted, cost = _conform({"$ref": "#/definitions/Closed"}, {"kind": "commercial", "count": 2, "extra": {"a": 1}})
    assert converted == {"kind": "commercial", "count": 2} and cost == 1


def test_an_any_of_takes_the_branch_that_fits_best() -> None:
    node = {
        "anyOf": [
            {"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}}},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["b"],
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
            },
        ]
    }
    assert _conform(node, {"a": "x", "b": "y", "c": "z"})[0] == {"a": "x", "b": "y"}
    assert _conform(node, {"a": "x"}) == ({"a": "x"}, 0)


def test_an_object_that_the_schema_wants_whole_is_not_unwrapped() -> None:
    node = {
        "anyOf": [
            {"type": "string"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["value", "description"],
                "properties": {"value": {"type": "string"}, "description": {"type": "string"}},
            },
        ]
    }
    value = {"value": "Planning permission", "description": "It looks like..."}
    assert _conform(node, value) == (value, 0)


def test_refs_are_json_pointers_with_escapes() -> None:
    assert _conform({"$ref": "#/definitions/With%2520space"}, "x") == ("x", 0)
