"""Validate ODP `postSubmissionPublishedApplication` documents quickly: one compiled branch per application type.

The published schema is an `anyOf` of 95 branches (one per type), and each branch's `submission` is a
`PrototypeApplication`, itself an `anyOf` of the 95 prototype branches: validated naively, a document is tried
against 95 times 95 shapes and takes minutes. The document's `applicationType` names its branch, and the submission of a
published application is a prototype of the same type, so the validator of a type is the published branch with its
`submission` pointed at that type's prototype branch: the same verdict for every document whose submission has the
document's type (ours always does), in milliseconds.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from shared.odp.compaction import compact_published, compacted_path

if TYPE_CHECKING:
    import jsonschema_rs

    from shared.odp.validation import SchemaIssue

# jsonschema-rs and `shared.odp.validation` (which imports it) are imported by what validates: the public ODP face
# reads only `file_type_codes` on its first request (cold starts).

PUBLISHED_SCHEMA = "postSubmissionPublishedApplication.json"
_MAX_ISSUES = 20

_LOCK = threading.RLock()
_SCHEMAS: dict[str, dict[str, Any]] = {}
_VALIDATORS: dict[tuple[str, str], jsonschema_rs.Validator] = {}


def _published(schema_dir: str) -> dict[str, Any]:
    with _LOCK:
        if schema_dir not in _SCHEMAS:
            published = (Path(schema_dir) / PUBLISHED_SCHEMA).read_bytes()
            try:
                _SCHEMAS[schema_dir] = orjson.loads(
                    compacted_path(Path(schema_dir), PUBLISHED_SCHEMA, published).read_bytes()
                )
            except FileNotFoundError:
                _SCHEMAS[schema_dir] = compact_published(published)
        return _SCHEMAS[schema_dir]


def published_branches(schema_dir: str | Path) -> dict[str, str]:
    """Each application type → the definition name of its published branch."""
    schema = _published(str(Path(schema_dir).resolve()))
    definitions = schema["definitions"]
    branches: dict[str, str] = {}
    for option in schema["anyOf"]:
        name = option["$ref"].rsplit("/", 1)[-1]
        branches[definitions[name]["properties"]["applicationType"]["const"]] = name
    return branches


def published_branch_schema(schema_dir: str | Path, application_type: str) -> dict[str, Any]:
    """A standalone schema for the published documents of one type (its submission a prototype of that type)."""
    from shared.odp.validation import UnknownApplicationType, prototype_branches

    key = str(Path(schema_dir).resolve())
    branch = published_branches(key).get(application_type)
    prototype = prototype_branches(key).get(application_type)
    if branch is None or prototype is None:
        raise UnknownApplicationType(application_type)
    schema = _published(key)
    definitions = schema["definitions"]
    shape = definitions[branch]
    properties = {**shape["properties"], "submission": {"$ref": f"#/definitions/{prototype}"}}
    return {**shape, "properties": properties, "$schema": schema["$schema"], "definitions": definitions}


def _validator(schema_dir: str, application_type: str) -> jsonschema_rs.Validator:
    import jsonschema_rs

    from shared.odp.validation import is_uuid

    key = (schema_dir, application_type)
    with _LOCK:
        if key not in _VALIDATORS:
            _VALIDATORS[key] = jsonschema_rs.Draft7Validator(
                published_branch_schema(schema_dir, application_type),
                formats={"uuid": is_uuid},
                validate_formats=True,
            )
        return _VALIDATORS[key]


def _pointer(parts: list[str | int]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


class PublishedValidator:
    """Validates `postSubmissionPublishedApplication` documents, dispatching on `applicationType`."""

    def __init__(self, schema_dir: Path) -> None:
        self._key = str(Path(schema_dir).resolve())

    def validate(self, document: Any) -> list[SchemaIssue]:
        """Schema issues of `document` (empty = valid). UnknownApplicationType for a type without a branch."""
        from shared.odp.validation import SchemaIssue, UnknownApplicationType

        if not isinstance(document, dict):
            return [SchemaIssue("", "document must be a JSON object")]
        code = document.get("applicationType")
        if not isinstance(code, str):
            raise UnknownApplicationType(code)
        validator = _validator(self._key, code)
        if validator.is_valid(document):
            return []
        issues: list[SchemaIssue] = []
        for error in validator.iter_errors(document):
            issues.append(SchemaIssue(_pointer(list(error.instance_path)), error.message[:300]))
            if len(issues) >= _MAX_ISSUES:
                break
        return issues


def file_type_codes(schema_dir: str | Path) -> frozenset[str]:
    """The ODP file type codes (`PrototypeFileType`) a published file's `type` may list."""
    node = _published(str(Path(schema_dir).resolve()))["definitions"]["PrototypeFileType"]
    if isinstance(node.get("enum"), list):
        return frozenset(code for code in node["enum"] if isinstance(code, str))
    return frozenset(branch["const"] for branch in node.get("anyOf", ()) if isinstance(branch.get("const"), str))
