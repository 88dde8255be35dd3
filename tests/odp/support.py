"""Shared helpers for the ODP tests: example discovery, mutations and a reference `jsonschema` validator."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from shared import reference_data
from shared.odp.validation import SCHEMA_FILES, is_uuid, prototype_branch_schema, prototype_branches

ODP_DIR = reference_data.odp_dir()
SCHEMA_DIR = reference_data.odp_schema_dir()
EXAMPLES_DIR = reference_data.odp_examples_dir()
FORMATS = ("application", "prototypeApplication", "preApplication")  # also the examples sub-directory names


def example_paths() -> list[tuple[str, Path]]:
    """(format, path) for every example of the three formats (tests/conftest.py has checked they are there)."""
    return [(fmt, path) for fmt in FORMATS for path in sorted((EXAMPLES_DIR / fmt).glob("**/*.json"))]


def example_id(item: tuple[str, Path]) -> str:
    return str(item[1].relative_to(EXAMPLES_DIR))


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _set(payload: dict[str, Any], dotted: str, value: Any) -> None:
    *head, last = dotted.split(".")
    target = payload
    for key in head:
        target = target[key]
    target[last] = value


def _delete(payload: dict[str, Any], dotted: str) -> None:
    *head, last = dotted.split(".")
    target = payload
    for key in head:
        target = target[key]
    del target[last]


Mutation = tuple[str, Callable[[dict[str, Any]], None], str]

# (name, mutate in place, JSON pointer expected among the reported issue paths)
MUTATIONS: list[Mutation] = [
    ("missing metadata.id", lambda p: _delete(p, "metadata.id"), "/metadata/id"),
    ("missing data.applicant", lambda p: _delete(p, "data.applicant"), "/data/applicant"),
    ("missing data.property", lambda p: _delete(p, "data.property"), "/data/property"),
    ("metadata.id not a uuid", lambda p: _set(p, "metadata.id", "not-a-uuid"), "/metadata/id"),
    ("bad applicant email", lambda p: _set(p, "data.applicant.email", "not-an-email"), "/data/applicant/email"),
    ("phone wrong type", lambda p: _set(p, "data.applicant.phone.primary", 7946), "/data/applicant/phone/primary"),
    ("easting wrong type", lambda p: _set(p, "data.property.address.x", "east"), "/data/property/address/x"),
    ("organisation too long", lambda p: _set(p, "metadata.organisation", "TOOLONG"), "/metadata/organisation"),
    ("extra top-level property", lambda p: _set(p, "unexpected", True), ""),
    ("extra data property", lambda p: _set(p, "data.unexpected", True), "/data"),
    ("responses wrong type", lambda p: _set(p, "responses", {"question": "x"}), "/responses"),
]


def mutated(payload: dict[str, Any], mutation: Mutation) -> dict[str, Any]:
    clone = copy.deepcopy(payload)
    mutation[1](clone)
    return clone


def set_type_code(payload: dict[str, Any], code: str) -> dict[str, Any]:
    """A copy of `payload` naming a different application type code."""
    clone = copy.deepcopy(payload)
    if "applicationType" in clone:
        clone["applicationType"] = code
    else:
        clone["data"]["application"]["type"] = {"value": code, "description": "Made up"}
    return clone


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = dict(jsonschema.Draft7Validator.FORMAT_CHECKER.checkers)
    checker.checks("uuid")(is_uuid)
    return checker


@cache
def reference_validator(fmt: str, application_type: str | None = None) -> jsonschema.Draft7Validator:
    """A python `jsonschema` Draft7Validator for the format as published, uncompacted (prototypes: the branch of
    `application_type`, which python `jsonschema` checks in seconds where the whole anyOf takes ~20 s)."""
    if fmt == "prototypeApplication" and application_type in prototype_branches(SCHEMA_DIR):
        schema = prototype_branch_schema(SCHEMA_DIR, application_type, compacted=False)
    else:
        schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[fmt]).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=_format_checker())


def reference_is_valid(fmt: str, payload: dict[str, Any]) -> bool:
    return reference_validator(fmt, payload.get("applicationType")).is_valid(payload)


def iter_cases() -> Iterator[tuple[str, str, dict[str, Any], str | None]]:
    """(case id, format, payload, expected pointer or None for valid) over examples and their mutations."""
    for fmt, path in example_paths():
        payload = load(path)
        name = str(path.relative_to(EXAMPLES_DIR))
        yield name, fmt, payload, None
        for mutation in MUTATIONS:
            yield f"{name}: {mutation[0]}", fmt, mutated(payload, mutation), mutation[2]
