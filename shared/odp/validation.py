"""Validate ODP submissions against the official JSON Schemas with jsonschema-rs."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from shared.odp.catalogue import is_known_type
from shared.odp.compaction import closest_options, compact_published, compacted_path
from shared.odp.formats import SCHEMA_FILES, UnknownApplicationType, application_type_value, detect_format

DEFAULT_MAX_ISSUES = 20
_MAX_MESSAGE = 300
_MAX_TIED_BRANCHES = 3
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_BRANCHING = (jsonschema_rs.ValidationErrorKind.AnyOf, jsonschema_rs.ValidationErrorKind.OneOfNotValid)
_SHAPE_MISMATCH = (
    jsonschema_rs.ValidationErrorKind.Type,
    jsonschema_rs.ValidationErrorKind.Constant,
    jsonschema_rs.ValidationErrorKind.Enum,
)


def is_uuid(value: object) -> bool:
    """The `uuid` format check (RFC 4122 hyphenated form); non-strings pass, as format checks do."""
    return not isinstance(value, str) or _UUID.match(value) is not None


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One schema violation: a JSON pointer into the payload and a message."""

    path: str
    message: str


# Module-level caches: parsed schemas and compiled validators, keyed by resolved schema dir + schema name (+ branch).
_LOCK = threading.RLock()
_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {}
_COMPACTED: dict[tuple[str, str], dict[str, Any]] = {}
_BRANCHES: dict[str, dict[str, str]] = {}
_VALIDATORS: dict[tuple[str, str, str | None], jsonschema_rs.Validator] = {}


def _schema(schema_dir: str, name: str) -> dict[str, Any]:
    key = (schema_dir, name)
    with _LOCK:
        if key not in _SCHEMAS:
            _SCHEMAS[key] = orjson.loads((Path(schema_dir) / name).read_bytes())  # ~2x json's speed on 0.8 MB
        return _SCHEMAS[key]


def _compacted(schema_dir: str, name: str) -> dict[str, Any]:
    """The schema as compiled: code-list `anyOf`s as `enum`s (`shared.odp.compaction`, same verdicts), from its
    compacted copy when the folder has one made from these very bytes, else compacted here."""
    key = (schema_dir, name)
    with _LOCK:
        if key not in _COMPACTED:
            published = (Path(schema_dir) / name).read_bytes()
            try:
                _COMPACTED[key] = orjson.loads(compacted_path(Path(schema_dir), name, published).read_bytes())
            except FileNotFoundError:
                _COMPACTED[key] = compact_published(published)
        return _COMPACTED[key]


def prototype_branches(schema_dir: str | Path) -> dict[str, str]:
    """Map each prototype `applicationType` to the definition name of its `anyOf` branch."""
    key = str(Path(schema_dir).resolve())
    with _LOCK:
        if key not in _BRANCHES:
            schema = _compacted(key, SCHEMA_FILES["prototypeApplication"])  # compaction keeps these branches whole
            definitions = schema["definitions"]
            branches: dict[str, str] = {}
            for option in schema["anyOf"]:
                name = option["$ref"].rsplit("/", 1)[-1]
                const = definitions[name]["properties"]["applicationType"]["const"]
                branches[const] = name
            _BRANCHES[key] = branches
        return _BRANCHES[key]


def prototype_branch_schema(schema_dir: str | Path, application_type: str, compacted: bool = True) -> dict[str, Any]:
    """A standalone schema for one prototype type: its branch plus all `definitions` (so refs resolve).

    Compacted (`shared.odp.compaction`) as it is compiled, or as published (`compacted=False`, for reference checks).
    """
    key = str(Path(schema_dir).resolve())
    branch = prototype_branches(key).get(application_type)
    if branch is None:
        raise UnknownApplicationType(application_type)
    name = SCHEMA_FILES["prototypeApplication"]
    schema = _compacted(key, name) if compacted else _schema(key, name)
    return {**schema["definitions"][branch], "$schema": schema["$schema"], "definitions": schema["definitions"]}


def _validator(schema_dir: str, name: str, branch: str | None) -> jsonschema_rs.Validator:
    key = (schema_dir, name, branch)
    compiled = _VALIDATORS.get(key)
    if compiled is not None:
        return compiled
    with _LOCK:
        if key not in _VALIDATORS:
            schema = _compacted(schema_dir, name) if branch is None else prototype_branch_schema(schema_dir, branch)
            _VALIDATORS[key] = jsonschema_rs.Draft7Validator(schema, formats={"uuid": is_uuid}, validate_formats=True)
        return _VALIDATORS[key]


def _pointer(parts: list[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass(frozen=True, slots=True)
class _Found:
    parts: tuple[str | int, ...]
    message: str
    summary: bool


def _leaves(error: jsonschema_rs.ValidationError) -> list[_Found]:
    parts = tuple(error.instance_path)
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        return [_Found((*parts, kind.property), f"{json.dumps(kind.property)} is a required property", False)]
    if isinstance(kind, _BRANCHING):
        return [_Found(parts, "does not match any of the allowed shapes", True)]
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum) and _is_code_list(kind.options):
        return _code_list_leaves(parts, error.instance, kind.options)
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return [_Found(parts, message, False)]


def _is_code_list(options: list[Any]) -> bool:
    return bool(options) and all(isinstance(option, dict) for option in options)


def _code_list_leaves(parts: tuple[str | int, ...], instance: Any, options: list[Any]) -> list[_Found]:
    """A value refused by a long enum (a compacted code list): what sets it apart from the nearest code, if one is."""
    closest = closest_options(instance, options)
    if closest is None:
        return [_Found(parts, f"is not one of the {len(options)} allowed options", True)]
    return [_Found(parts if name is None else (*parts, name), message, False) for name, message in closest]


def _is_shape_mismatch(kind: Any) -> bool:
    """A wrong type or constant; a code-list enum counts as the `anyOf` it was compacted from, which is not."""
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum) and _is_code_list(kind.options):
        return False
    return isinstance(kind, _SHAPE_MISMATCH)


def _expand(error: jsonschema_rs.ValidationError) -> list[_Found]:
    """Flatten one error; for anyOf/oneOf, descend into the branch(es) that came closest to matching."""
    if not isinstance(error.kind, _BRANCHING):
        return _leaves(error)
    depth = len(error.instance_path)
    branches = error.kind.context or ()
    best: list[_Found] = []
    best_score: tuple[int, int] | None = None
    ties = 0
    for branch in branches:
        found = [item for sub in branch for item in _expand(sub)]
        shallow = sum(1 for sub in branch if len(sub.instance_path) <= depth and _is_shape_mismatch(sub.kind))
        score = (shallow, len(found))
        if best_score is None or score < best_score:
            best, best_score, ties = found, score, 1
        elif score == best_score:
            best.extend(found)
            ties += 1
    if ties > _MAX_TIED_BRANCHES:  # an enum-like anyOf (e.g. file types): one line, not one per option
        return [_Found(tuple(error.instance_path), f"is not one of the {len(branches)} allowed options", True)]
    return best or _leaves(error)


def _issues(errors: list[jsonschema_rs.ValidationError], limit: int) -> list[SchemaIssue]:
    found = [item for error in errors for item in _expand(error)]
    found.sort(key=lambda f: (f.summary, -len(f.parts), _pointer(list(f.parts)), f.message))
    issues: list[SchemaIssue] = []
    seen: set[tuple[str, str]] = set()
    for item in found:
        issue = SchemaIssue(_pointer(list(item.parts)), item.message)
        if (issue.path, issue.message) not in seen:
            seen.add((issue.path, issue.message))
            issues.append(issue)
            if len(issues) >= limit:
                break
    return issues


class OdpValidator:
    """Validates ODP payloads (all three formats); compiled validators are shared process-wide."""

    def __init__(self, schema_dir: Path, max_issues: int = DEFAULT_MAX_ISSUES) -> None:
        self.schema_dir = Path(schema_dir).resolve()
        self.max_issues = max_issues
        self._key = str(self.schema_dir)

    def _validator_for(self, payload: dict[str, Any]) -> jsonschema_rs.Validator:
        fmt = detect_format(payload)
        if fmt == "prototypeApplication":
            code = payload["applicationType"]
            if not isinstance(code, str) or code not in prototype_branches(self._key):
                raise UnknownApplicationType(code)
            return _validator(self._key, SCHEMA_FILES[fmt], code)
        code = application_type_value(payload)
        if isinstance(code, str) and not is_known_type(code):
            raise UnknownApplicationType(code)
        return _validator(self._key, SCHEMA_FILES[fmt], None)

    def compile_all(self) -> None:
        """Compile every schema now (each is otherwise compiled by the first payload of its format): what a
        SnapStart function does before its snapshot (`shared.startup`)."""
        for fmt, name in SCHEMA_FILES.items():
            if fmt == "prototypeApplication":
                for code in prototype_branches(self._key):
                    _validator(self._key, name, code)
            else:
                _validator(self._key, name, None)

    def validate(self, payload: Any) -> list[SchemaIssue]:
        """Schema issues for `payload`, most specific first (empty = valid).

        Raises UnknownApplicationType when the payload names a type the catalogue/schema does not know.
        """
        if not isinstance(payload, dict):
            return [SchemaIssue("", "payload must be a JSON object")]
        validator = self._validator_for(payload)
        if validator.is_valid(payload):
            return []
        return _issues(list(validator.iter_errors(payload)), self.max_issues)
