"""Text a person typed into a form, as the product keeps it: the rule every page and form applies at the edge, before
anything is stored (events keep text forever, and a character no one can see would be kept with it).

What browsers send differently is normalised: line endings (a textarea posts CRLF) become one newline. What no person
types is refused, naming the field, never silently dropped (the person sees what was wrong and what is kept): NUL and
the other C0 and C1 control characters but tab and newline, DEL, and the bidirectional embeddings, overrides and
isolates (U+202A-U+202E, U+2066-U+2069), which make text read differently from how it is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

# The C0 controls but tab and newline (a carriage return is a line ending, normalised before), DEL, the C1 controls
# (together: Unicode's category Cc), and the bidirectional embeddings, overrides and isolates.
UNTYPABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
REASON = "Remove the characters that cannot be typed (control or text-direction characters), then try again"

Value = TypeVar("Value", str, list[str])


class UntypableText(ValueError):
    """Fields holding characters no person types: each form turns it into its own 4xx naming them (`fields`)."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__(self.sentence)

    @property
    def sentence(self) -> str:
        """One sentence naming the fields (by their names on the form), for a page or an API's message."""
        names = " and ".join(self.fields)
        has = "field has" if len(self.fields) == 1 else "fields have"
        return f"The {names} {has} characters that cannot be typed (control or text-direction characters)"


def untypable(text: str) -> bool:
    return UNTYPABLE.search(text) is not None


def typed_text(text: str, field: str) -> str:
    """The text with its line endings as one newline; refused (`UntypableText` naming `field`) when it holds a
    character no one types."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    if untypable(normalised):
        raise UntypableText({field: REASON})
    return normalised


def without_untypable(text: str) -> str:
    """The text with what no one types taken out: only to show a refused form again, never to store."""
    return UNTYPABLE.sub("", text)


def typed_fields(fields: Mapping[str, Value]) -> dict[str, Value]:
    """Every field of a posted form through `typed_text` (a field's repeated values too), refusing all the bad fields
    at once; the fields' names themselves are the page's and must be typable as well."""
    problems: dict[str, str] = {}
    kept: dict[str, Value] = {}
    for name, value in fields.items():
        if untypable(name):
            problems["form"] = f"The form has a field whose name cannot be typed: {REASON[0].lower()}{REASON[1:]}"
            continue
        try:
            kept[name] = typed_text(value, name) if isinstance(value, str) else [typed_text(v, name) for v in value]
        except UntypableText as refused:
            problems.update(refused.fields)
    if problems:
        raise UntypableText(problems)
    return kept


def typed_json(value: Any) -> Any:
    """A JSON body with every text in it through `typed_text` (named by its path: `conditions.0.text`), refusing all
    the bad ones at once: an API's twin of `typed_fields` (iterative: a deep body exhausts no recursion)."""
    problems: dict[str, str] = {}

    def typed(text: str, where: str) -> str:
        try:
            return typed_text(text, where or "body")
        except UntypableText as refused:
            problems.update(refused.fields)
            return text

    root: list[Any] = [value]
    pending: list[tuple[Any, Any, str]] = [(root, 0, "")]
    while pending:
        container, key, where = pending.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = typed(item, where)
        elif isinstance(item, dict):
            for name in list(item):
                typed(name, f"{where}.{name}" if where else name)
                pending.append((item, name, f"{where}.{name}" if where else name))
        elif isinstance(item, list):
            pending.extend((item, index, f"{where}.{index}" if where else str(index)) for index in range(len(item)))
    if problems:
        raise UntypableText(dict(sorted(problems.items())))
    return root[0]
