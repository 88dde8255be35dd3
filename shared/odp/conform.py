"""Fit a JSON value to a JSON Schema: the schema-guided walk that ODP format conversions are built on.

`Conformer(definitions).conform(node, value)` returns the value reshaped to what `node` accepts, and a cost saying how
much had to change (0: it already fitted). It does what changed between ODP formats, and only that:

- a `{"value": ..., "description": ...}` code where the schema wants a plain code becomes the code;
- a code that is not in the schema's code list is mapped to the code with the same description (the longest shared
  dotted prefix breaking ties), else to its nearest listed ancestor (`residential.house.terrace`, "Terrace", becomes
  `residential.dwelling.house.terrace`);
- properties of a closed object (`additionalProperties: false`) that the schema does not know are dropped;
- an `anyOf` takes the branch that fits at the least cost (the first of equals).

Nothing is invented: a missing required property stays missing (and costs), so the caller's validation says so.
Only the keywords the ODP schemas use are read (`$ref` into `definitions`, `anyOf`, `const`, `enum`, `type`,
`properties`, `additionalProperties`, `required`, `items`); the others are left to validation.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

MISMATCH = 1000  # the value is not of the kind the schema wants (type, constant, code not in the list)
MISSING = 100  # a required property is absent
DROPPED = 1  # a property the closed object does not know was removed
MAPPED = 1  # a code was unwrapped or mapped to another code

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
    "number": (int, float),
    "integer": (int,),
}


def _is_type(value: Any, name: str) -> bool:
    if name in ("number", "integer") and isinstance(value, bool):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _JSON_TYPES.get(name, (object,)))


def _code_and_description(value: Any) -> tuple[Any, str | None, bool]:
    """(code, description, was wrapped) of a code written either plainly or as `{"value", "description"}`."""
    if isinstance(value, dict) and isinstance(value.get("value"), str) and set(value) <= {"value", "description"}:
        description = value.get("description")
        return value["value"], description if isinstance(description, str) else None, True
    return value, None, False


def _shared_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x.lower() != y.lower():
            break
        count += 1
    return count


class Conformer:
    """Conforms values to the nodes of one schema, whose `$ref`s are JSON pointers into it (`#/definitions/NAME`)."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self._codes: dict[int, dict[str, str | None] | None] = {}
        self._targets: dict[str, Any] = {}

    def _target(self, ref: str) -> Any:
        if ref not in self._targets:
            node: Any = self.root
            for part in ref.removeprefix("#").strip("/").split("/"):
                key = unquote(part).replace("~1", "/").replace("~0", "~")
                node = node[int(key)] if isinstance(node, list) else node[key]
            self._targets[ref] = node
        return self._targets[ref]

    def resolve(self, node: Any) -> dict[str, Any]:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 64:
            node = self._target(str(node["$ref"]))
            seen += 1
        return node if isinstance(node, dict) else {}

    def conform(self, node: Any, value: Any) -> tuple[Any, int]:
        node = self.resolve(node)
        codes = self._code_list(node)
        if codes is not None:
            return self._code(codes, value)
        if "anyOf" in node:
            return self._any_of(node["anyOf"], value)
        if "const" in node:
            code, _, wrapped = _code_and_description(value)
            if code == node["const"] and type(code) is type(node["const"]):
                return code, MAPPED if wrapped else 0
            return value, MISMATCH
        wanted = node.get("type")
        names = [wanted] if isinstance(wanted, str) else list(wanted) if isinstance(wanted, list) else []
        if names and not any(_is_type(value, name) for name in names):
            code, _, wrapped = _code_and_description(value)
            if wrapped and any(_is_type(code, name) for name in names):
                return code, MAPPED
            return value, MISMATCH
        if isinstance(value, dict) and ("properties" in node or "additionalProperties" in node):
            return self._object(node, value)
        if isinstance(value, list) and "items" in node:
            return self._array(node["items"], value)
        return value, 0

    def _code_list(self, node: dict[str, Any]) -> dict[str, str | None] | None:
        """A code list: an `enum` of strings, or an `anyOf` of string constants; code → description."""
        key = id(node)
        if key not in self._codes:
            found: dict[str, str | None] | None = None
            enum = node.get("enum")
            branches = node.get("anyOf")
            if isinstance(enum, list) and enum and all(isinstance(code, str) for code in enum):
                found = dict.fromkeys(enum)
            elif isinstance(branches, list) and branches:
                resolved = [self.resolve(branch) for branch in branches]
                if all(isinstance(branch.get("const"), str) for branch in resolved):
                    found = {branch["const"]: branch.get("description") for branch in resolved}
            self._codes[key] = found
        return self._codes[key]

    def _code(self, codes: dict[str, str | None], value: Any) -> tuple[Any, int]:
        code, description, wrapped = _code_and_description(value)
        if not isinstance(code, str):
            return value, MISMATCH
        if code in codes:
            return code, MAPPED if wrapped else 0
        if description is not None:
            same = [candidate for candidate, text in codes.items() if text == description]
            if same:
                return max(same, key=lambda candidate: (_shared_prefix(code, candidate), -len(candidate))), MAPPED
        parent = code
        while "." in parent:
            parent = parent.rsplit(".", 1)[0]
            if parent in codes:
                return parent, MAPPED
        return value, MISMATCH

    def _any_of(self, branches: list[Any], value: Any) -> tuple[Any, int]:
        best: tuple[Any, int] | None = None
        for branch in branches:
            converted, cost = self.conform(branch, value)
            if best is None or cost < best[1]:
                best = (converted, cost)
                if cost == 0:
                    break
        return best if best is not None else (value, MISMATCH)

    def _object(self, node: dict[str, Any], value: dict[str, Any]) -> tuple[Any, int]:
        properties: dict[str, Any] = node.get("properties") or {}
        for name, schema in properties.items():  # a discriminating constant decides before any deep walk
            if name in value:
                constant = self.resolve(schema).get("const")
                if constant is not None and _code_and_description(value[name])[0] != constant:
                    return value, MISMATCH
        extra = node.get("additionalProperties", True)
        result: dict[str, Any] = {}
        cost = 0
        for name, item in value.items():
            if name in properties:
                result[name], spent = self.conform(properties[name], item)
                cost += spent
            elif extra is False:
                cost += DROPPED
            elif isinstance(extra, dict):
                result[name], spent = self.conform(extra, item)
                cost += spent
            else:
                result[name] = item
        cost += MISSING * sum(1 for name in node.get("required", ()) if name not in result)
        return result, cost

    def _array(self, items: Any, value: list[Any]) -> tuple[Any, int]:
        result: list[Any] = []
        cost = 0
        for item in value:
            converted, spent = self.conform(items, item)
            result.append(converted)
            cost += spent
        return result, cost
