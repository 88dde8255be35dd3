"""A request body as API Gateway (or `bops serve`) delivers it, turned into JSON or refused with the reason.

API Gateway passes a body as text, or base64 with `isBase64Encoded` when it is not text (binary media types; the
embedded server does the same for a body that is not UTF-8). Every JSON API of the product wants the bytes the client
sent, UTF-8 JSON no deeper than any real request: a deeper document would only exhaust a parser's or validator's
recursion. Each API turns `MalformedBody` into its own 400.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

MAX_JSON_DEPTH = 64  # the ODP examples nest 11 deep


class MalformedBody(ValueError):
    """The body is not base64 where it says so, not UTF-8, not JSON, or nested too deep: a 400 with this reason."""


def raw_body(body: str | None, is_base64_encoded: bool) -> bytes:
    if not body:
        return b""
    if is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error:
            raise MalformedBody("The body is marked base64 but is not valid base64") from None
    return body.encode("utf-8", "surrogatepass")  # a lone surrogate is refused below as not UTF-8, not here


def parse_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        compressed = " (it looks compressed: send it uncompressed)" if body[:2] == b"\x1f\x8b" else ""
        raise MalformedBody(
            f"The body is not UTF-8: byte {body[error.start]:#04x} at position {error.start}{compressed}"
        ) from None
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise MalformedBody(f"The body is not valid JSON: {error}") from None
    if too_deep(payload, max_depth):
        raise MalformedBody(f"The JSON is nested too deep: more than {max_depth} levels of objects and arrays")
    return payload


def too_deep(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest more than `limit` levels (iterative: no recursion to exhaust)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
