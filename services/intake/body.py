"""Intake's request body: the product's body rules (`shared/request_body.py`), refused as intake's MalformedRequest."""

from __future__ import annotations

from typing import Any

from services.intake.errors import MalformedRequest
from shared import request_body
from shared.request_body import MAX_JSON_DEPTH, too_deep

__all__ = ["MAX_JSON_DEPTH", "parse_json", "raw_body", "too_deep"]


def raw_body(body: str | None, is_base64_encoded: bool) -> bytes:
    try:
        return request_body.raw_body(body, is_base64_encoded)
    except request_body.MalformedBody as malformed:
        raise MalformedRequest(str(malformed)) from None


def parse_json(body: bytes) -> Any:
    try:
        return request_body.parse_json(body)
    except request_body.MalformedBody as malformed:
        raise MalformedRequest(str(malformed)) from None
