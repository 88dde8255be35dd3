"""Code-list compaction: which `anyOf`s become `enum`s, that verdicts stay the same, and the messages it leads to.

The verdicts of whole payloads against the published schemas are checked by `test_odp_validation.py` (python
`jsonschema` on the uncompacted schemas); these tests pin the rewrite itself.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest

from shared.odp import OdpValidator, SchemaIssue, validation
from shared.odp.compaction import (
    COMPACTED_FOLDER,
    closed_constant,
    closest_options,
    compact,
    compact_published,
    compact_schema,
    write_compacted,
)
from tests.odp.support import EXAMPLES_DIR, SCHEMA_DIR, load


def code(value: str, description: str, **more: Any) -> dict[str, Any]:
    """An ODP code-list branch: a closed object of constants."""
    constants = {"value": value, "description": description, **more}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(constants),
        "properties": {name: {"const": constant, "type": _json_type(constant)} for name, constant in constants.items()},
    }


def _json_type(value: Any) -> str:
    return {str: "string", bool: "boolean", type(None): "null"}[type(value)]


RED_TEXT: dict[str, Any] = {"const": "Red"}
CODE_LIST = {"$id": "#Colour", "description": "A colour", "anyOf": [code("red", "Red"), code("blue", "Blue")]}


def test_a_code_list_becomes_an_enum_of_its_objects() -> None:
    assert compact(CODE_LIST) == {
        "$id": "#Colour",
        "description": "A colour",
        "enum": [{"value": "red", "description": "Red"}, {"value": "blue", "description": "Blue"}],
    }


def test_nested_code_lists_merge_into_one_enum() -> None:
    nested = {"anyOf": [{"anyOf": CODE_LIST["anyOf"]}, code("green", "Green")]}
    assert compact(nested) == {
        "enum": [
            {"value": "red", "description": "Red"},
            {"value": "blue", "description": "Blue"},
            {"value": "green", "description": "Green"},
        ]
    }


@pytest.mark.parametrize(
    "branch",
    [
        {**code("red", "Red"), "additionalProperties": True},  # open object: more than one instance matches
        {**code("red", "Red"), "required": ["value"]},  # description optional
        {**code("red", "Red"), "minProperties": 1},  # another keyword
        {**code("red", "Red"), "properties": {"value": {"const": "red"}, "description": {"type": "string"}}},
        {**code("red", "Red"), "properties": {"value": {"const": 1}, "description": RED_TEXT}},
        {**code("red", "Red"), "properties": {"value": {"const": "r", "type": "integer"}, "description": RED_TEXT}},
        {"$ref": "#/definitions/Red"},
    ],
    ids=["open", "optional", "other keyword", "not a constant", "number", "type disagrees", "reference"],
)
def test_anything_but_a_closed_object_of_constants_is_left_alone(branch: dict[str, Any]) -> None:
    assert closed_constant(branch) is None
    schema = {"anyOf": [code("blue", "Blue"), branch]}
    assert compact(schema) == schema


@pytest.mark.parametrize(
    "instance",
    [
        {"value": "red", "description": "Red"},
        {"description": "Blue", "value": "blue"},
        {"value": "red", "description": "Blue"},
        {"value": "red"},
        {"value": "red", "description": "Red", "extra": 1},
        {"value": "red", "description": None},
        {"value": True, "description": "Red"},
        "red",
        None,
        [],
    ],
)
def test_the_enum_accepts_exactly_what_the_any_of_accepts(instance: Any) -> None:
    published = jsonschema_rs.Draft7Validator(CODE_LIST).is_valid(instance)
    assert jsonschema_rs.Draft7Validator(compact(CODE_LIST)).is_valid(instance) == published
    assert jsonschema.Draft7Validator(CODE_LIST).is_valid(instance) == published


def test_the_published_code_lists_are_compacted() -> None:
    schema = json.loads((SCHEMA_DIR / "application.json").read_text(encoding="utf-8"))
    compacted = compact_schema(schema)["definitions"]
    for name in ("PropertyType", "ProjectType", "FileType", "ApplicationType"):
        assert "anyOf" not in compacted[name] and len(compacted[name]["enum"]) > 10, name
    assert schema["definitions"]["PropertyType"]["anyOf"], "the published schema itself is not changed"


def test_the_nearest_code_is_named() -> None:
    options = [{"value": "red", "description": "Red"}, {"value": "blue", "description": "Blue"}]
    assert closest_options({"value": "red", "description": "Rouge"}, options) == [("description", '"Red" was expected')]
    assert closest_options({"value": "red"}, options) == [("description", '"description" is a required property')]
    assert closest_options({"value": "red", "description": "Red", "x": 1}, options) == [
        (None, "Additional properties are not allowed ('x' was unexpected)")
    ]
    assert closest_options({"value": "green", "description": "Green"}, options) is None  # two equally far
    assert closest_options("red", options) is None


def _householder_with_project_type(change: dict[str, Any]) -> dict[str, Any]:
    payload = load(EXAMPLES_DIR / "application/planningPermission/fullHouseholder.json")
    project_type = copy.deepcopy(payload["data"]["proposal"]["projectType"][0])
    payload["data"]["proposal"]["projectType"][0] = {**project_type, **change}
    return payload


def test_a_wrong_description_in_a_code_list_names_the_expected_one() -> None:
    payload = load(EXAMPLES_DIR / "application/planningPermission/fullHouseholder.json")
    expected = payload["data"]["proposal"]["projectType"][0]["description"]
    issues = OdpValidator(SCHEMA_DIR).validate(_householder_with_project_type({"description": "Something else"}))
    assert issues == [SchemaIssue("/data/proposal/projectType/0/description", f"{json.dumps(expected)} was expected")]


def test_an_unknown_code_is_not_one_of_the_allowed_options() -> None:
    issues = OdpValidator(SCHEMA_DIR).validate(_householder_with_project_type({"value": "x.y", "description": "z"}))
    assert [issue.path for issue in issues] == ["/data/proposal/projectType/0"]
    assert issues[0].message.startswith("is not one of the ") and issues[0].message.endswith(" allowed options")


def _schema_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "schemas"
    folder.mkdir()
    shutil.copyfile(SCHEMA_DIR / "application.json", folder / "application.json")
    return folder


def _refuse_to_compact(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the schemas the validator compacts itself (by size), instead of reading a compacted copy."""
    compacted: list[int] = []

    def compact_here(published: bytes) -> dict[str, Any]:
        compacted.append(len(published))
        return compact_published(published)

    monkeypatch.setattr(validation, "compact_published", compact_here)
    return compacted


def test_a_compacted_copy_made_from_the_same_bytes_is_read_instead_of_compacting(tmp_path, monkeypatch):
    folder = _schema_folder(tmp_path)
    [copy] = write_compacted(folder)
    assert copy.parent.name == COMPACTED_FOLDER and copy.stat().st_size < (folder / "application.json").stat().st_size
    compacted_here = _refuse_to_compact(monkeypatch)
    payload = load(EXAMPLES_DIR / "application/planningPermission/fullHouseholder.json")
    assert OdpValidator(folder).validate(payload) == []
    assert compacted_here == []


def test_a_stale_compacted_copy_is_ignored(tmp_path, monkeypatch):
    folder = _schema_folder(tmp_path)
    write_compacted(folder)
    (folder / "application.json").write_bytes((folder / "application.json").read_bytes() + b"\n")  # a new schema
    compacted_here = _refuse_to_compact(monkeypatch)
    payload = load(EXAMPLES_DIR / "application/planningPermission/fullHouseholder.json")
    assert OdpValidator(folder).validate(payload) == []
    assert len(compacted_here) == 1


def test_a_schema_whose_pointers_reach_into_an_any_of_is_left_as_published():
    schema = {"definitions": {"Colour": CODE_LIST, "Red": {"$ref": "#/definitions/Colour/anyOf/0"}}}
    published = json.dumps(schema).encode()
    assert compact_published(published) == schema
    without_pointer = json.dumps({"definitions": {"Colour": CODE_LIST}}).encode()
    assert "enum" in compact_published(without_pointer)["definitions"]["Colour"]
