"""What a set of real responses shows of their shape, and how another response differs from it: the keys at every
level (those every instance has, and those some have), the JSON types seen at each (null included), and whether a
string was always a moment (`2025-08-18T16:54:35.701+01:00`) or a day (`2025-08-18`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def string_format(value: str) -> str:
    return "moment" if MOMENT.match(value) else "day" if DAY.match(value) else "text"


@dataclass
class Shape:
    types: set[str] = field(default_factory=set)
    objects: int = 0  # how many objects were seen here
    key_counts: Counter[str] = field(default_factory=Counter)
    keys: dict[str, Shape] = field(default_factory=dict)
    items: Shape | None = None
    formats: set[str] = field(default_factory=set)

    def learn(self, value: Any) -> Shape:
        kind = json_type(value)
        self.types.add(kind)
        if kind == "object":
            self.objects += 1
            for key, inner in value.items():
                self.key_counts[key] += 1
                self.keys.setdefault(key, Shape()).learn(inner)
        elif kind == "array":
            self.items = self.items or Shape()
            for item in value:
                self.items.learn(item)
        elif kind == "string":
            self.formats.add(string_format(value))
        return self

    @property
    def required(self) -> set[str]:
        return {key for key, seen in self.key_counts.items() if seen == self.objects}


def shape_of(values: Iterable[Any]) -> Shape:
    shape = Shape()
    for value in values:
        shape.learn(value)
    return shape


def differences(ours: Any, shape: Shape, path: str = "", may_be_null: frozenset[str] = frozenset()) -> list[str]:
    """How `ours` differs from the shape: a missing key every instance had, a key none had, a JSON type never seen
    (null is accepted where the shape saw null, or at a path in `may_be_null`: things not modelled yet), a string not
    in the format the shape's strings always had. Arrays: each of our items against every item seen (an empty array,
    ours or theirs, has nothing to compare)."""
    found: list[str] = []
    kind = json_type(ours)
    if kind == "null" and (path in may_be_null or "null" in shape.types):
        return found
    if kind not in shape.types and not (kind == "integer" and "number" in shape.types):
        return [f"{path or '(top)'}: {kind}, where the fixtures show {sorted(shape.types)}"]
    if kind == "object":
        for key in sorted(shape.required - set(ours)):
            found.append(f"{path}.{key}: missing")
        for key, inner in ours.items():
            if key not in shape.keys:
                found.append(f"{path}.{key}: not in the fixtures")
            else:
                found.extend(differences(inner, shape.keys[key], f"{path}.{key}", may_be_null))
    elif kind == "array" and shape.items is not None and shape.items.types:
        for item in ours:
            found.extend(differences(item, shape.items, f"{path}[]", may_be_null))
    elif kind == "string" and len(shape.formats) == 1 and "text" not in shape.formats:
        expected = next(iter(shape.formats))
        if string_format(ours) != expected:
            found.append(f"{path}: {ours!r} is not a {expected} as in the fixtures")
    return found
