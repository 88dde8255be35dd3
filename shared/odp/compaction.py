"""The ODP schemas in the form we compile: code lists written as `anyOf` become `enum`s, with the same verdicts.

ODP writes each code list (property types, project types, file types, planning designations...) as an `anyOf` of
closed objects of constants, one per code:

    {"type": "object", "additionalProperties": false, "required": ["value", "description"],
     "properties": {"value": {"const": "commercial", "type": "string"}, "description": {"const": "Commercial", ...}}}

An instance matches such a branch exactly when it equals `{"value": "commercial", "description": "Commercial"}`, so the
`anyOf` accepts exactly what `{"enum": [those objects]}` accepts. jsonschema-rs compiles every branch into five
validators and an enum into one: application.json (826 KB, ~1,500 such branches) compiles in ~11 ms instead of ~35 ms,
the largest part of the intake API's cold start that is ours. Only `anyOf`s whose every branch has that exact shape are
rewritten; anything else is left as it is. `closest_options` turns an enum refusal back into the specific message the
`anyOf` would have led to.

The Lambda asset also carries each schema already compacted (`write_compacted`, at synthesis), in a `compacted/` folder
beside it under a name holding the SHA-256 of the schema it came from, so a cold start reads 214 kB instead of parsing
826 kB and rewriting it; a schema without its compacted copy (or with a stale one) is compacted when it is first used.

    python -m shared.odp.compaction SCHEMA_FOLDER
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

COMPACTED_FOLDER = "compacted"

_JSON_TYPES: dict[type, str] = {str: "string", bool: "boolean", type(None): "null"}
_ANNOTATIONS = frozenset({"description", "title", "$comment"})
_BRANCH_KEYS = frozenset({"type", "additionalProperties", "required", "properties"}) | _ANNOTATIONS
_CONSTANT_KEYS = frozenset({"const", "type"}) | _ANNOTATIONS


def closed_constant(branch: Any) -> dict[str, Any] | None:
    """The one object `branch` accepts, when it is a closed object of string/boolean/null constants; else None."""
    if not isinstance(branch, dict):
        return None
    properties = branch.get("properties")
    if (
        branch.get("type") != "object"
        or branch.get("additionalProperties") is not False
        or not isinstance(properties, dict)
        or not branch.keys() <= _BRANCH_KEYS
        or sorted(branch.get("required", ())) != sorted(properties)
    ):
        return None
    accepted: dict[str, Any] = {}
    for name, schema in properties.items():
        if not isinstance(schema, dict) or "const" not in schema or not schema.keys() <= _CONSTANT_KEYS:
            return None
        constant = schema["const"]
        json_type = _JSON_TYPES.get(type(constant))
        if json_type is None or schema.get("type", json_type) != json_type:
            return None  # numbers are left alone: 1 and 1.0 are equal to `const` and `enum` alike, but keep it plain
        accepted[name] = constant
    return accepted


def _merged_options(branches: list[Any]) -> list[Any] | None:
    options: list[Any] = []
    for branch in branches:
        if (
            isinstance(branch, dict)
            and isinstance(branch.get("enum"), list)
            and branch.keys() <= {"enum"} | _ANNOTATIONS
        ):
            if not all(isinstance(option, dict) for option in branch["enum"]):
                return None
            options.extend(branch["enum"])
            continue
        accepted = closed_constant(branch)
        if accepted is None:
            return None
        options.append(accepted)
    return options


def compact(node: Any) -> Any:
    """`node` with every code-list `anyOf` (nested ones included) as an `enum`; `node` itself when nothing changes."""
    if not isinstance(node, dict) or not isinstance(node.get("anyOf"), list) or "enum" in node:
        return node
    branches = [compact(branch) for branch in node["anyOf"]]
    options = _merged_options(branches)
    rest = {key: value for key, value in node.items() if key != "anyOf"}
    if options is None:
        return {**rest, "anyOf": branches}
    return {**rest, "enum": options}


def compact_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A schema with its definitions' code lists compacted (the root and `definitions` are where ODP keeps them)."""
    definitions = schema.get("definitions")
    compacted = compact(dict(schema))
    if isinstance(definitions, dict):
        compacted["definitions"] = {name: compact(definition) for name, definition in definitions.items()}
    return compacted


def closest_options(instance: Any, options: list[Any]) -> list[tuple[str | None, str]] | None:
    """For an object refused by a compacted enum: what keeps it from the one option nearest to it.

    Each item is (property, message), property None for the object itself, worded as jsonschema-rs words the same
    refusal of the `anyOf` branch. None when the instance is not an object or no single option is nearest: the caller
    then says it is not one of the allowed options, as it did for the `anyOf`.
    """
    if not isinstance(instance, dict) or not options or not all(isinstance(option, dict) for option in options):
        return None
    best: list[tuple[str | None, str]] | None = None
    tied = False
    for option in options:
        found = _differences(instance, option)
        if best is None or len(found) < len(best):
            best, tied = found, False
        elif len(found) == len(best):
            tied = True
    return None if tied or not best else best


def _differences(instance: dict[str, Any], option: dict[str, Any]) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for name, value in option.items():
        if name not in instance:
            found.append((name, f"{json.dumps(name)} is a required property"))
        elif instance[name] != value or type(instance[name]) is not type(value):
            found.append((name, f"{json.dumps(value)} was expected"))
    unexpected = [name for name in instance if name not in option]
    if unexpected:
        listed = ", ".join(repr(name) for name in unexpected)
        verb = "was" if len(unexpected) == 1 else "were"
        found.append((None, f"Additional properties are not allowed ({listed} {verb} unexpected)"))
    return found


def compact_published(published: bytes) -> dict[str, Any]:
    """The schema file's bytes, parsed and compacted; left as published if a JSON pointer reaches into an `anyOf`
    (a `$ref` to `.../anyOf/2` would lose its target once the list became an enum)."""
    import orjson

    schema = orjson.loads(published)
    return schema if b"/anyOf/" in published else compact_schema(schema)


def compacted_path(schema_dir: Path, name: str, published: bytes) -> Path:
    """Where the compacted copy of the schema file `name`, whose bytes are `published`, is kept."""
    return schema_dir / COMPACTED_FOLDER / f"{Path(name).stem}.{hashlib.sha256(published).hexdigest()}.json"


def write_compacted(schema_dir: Path) -> list[Path]:
    """Write the compacted copy of every `*.json` schema in `schema_dir` (the folder's earlier copies are replaced)."""
    import orjson

    folder = schema_dir / COMPACTED_FOLDER
    if folder.is_dir():
        for old in folder.glob("*.json"):
            old.unlink()
    folder.mkdir(exist_ok=True)
    written = []
    for schema in sorted(schema_dir.glob("*.json")):
        published = schema.read_bytes()
        target = compacted_path(schema_dir, schema.name, published)
        target.write_bytes(orjson.dumps(compact_published(published)))
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python -m shared.odp.compaction SCHEMA_FOLDER", file=sys.stderr)
        return 2
    written = write_compacted(Path(argv[0]))
    print(f"{len(written)} compacted ODP schemas in {Path(argv[0]) / COMPACTED_FOLDER}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
