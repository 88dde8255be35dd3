"""Intake's body decoding for both ways API Gateway delivers a body (text, or base64 with isBase64Encoded)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.body import MAX_JSON_DEPTH, parse_json, raw_body, too_deep
from services.intake.errors import MalformedRequest


def test_text_and_base64_bodies_give_the_bytes_sent():
    assert raw_body('{"a": "é"}', False) == '{"a": "é"}'.encode()
    assert raw_body(base64.b64encode(b"\xff\x00").decode(), True) == b"\xff\x00"
    assert raw_body(None, False) == raw_body("", True) == b""


@pytest.mark.parametrize(
    ("body", "base64_encoded", "reason"),
    [
        ('{"a": "\ud800"}', False, "not UTF-8"),  # a lone surrogate in a text body (API Gateway's JSON allows it)
        ("not base64!", True, "not valid base64"),
        (base64.b64encode(b"\x1f\x8b\x08\x00").decode(), True, "compressed"),
        (base64.b64encode("{}".encode("utf-16")).decode(), True, "not UTF-8"),
    ],
)
def test_bodies_that_are_not_utf8_are_refused_with_the_reason(body, base64_encoded, reason):
    with pytest.raises(MalformedRequest, match=reason):
        parse_json(raw_body(body, base64_encoded))


def test_depth_limit_at_its_edge():
    assert parse_json(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(MalformedRequest, match="nested too deep"):
        parse_json(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=30,
)


def depth(value) -> int:
    if isinstance(value, dict | list):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((depth(child) for child in children), default=0)
    return 0


@given(json_values, st.integers(0, 8))
def test_too_deep_agrees_with_a_recursive_depth(value, limit):
    assert too_deep(value, limit) == (depth(value) > limit)
