"""The officer API's refusals of its own (not signed in, malformed bodies and queries), shaped as the domain's:
`{"message": ..., "errors": [{"field", "message"}]}`."""

from __future__ import annotations

from collections.abc import Mapping

import orjson


class ApiRefusal(Exception):
    def __init__(self, status: int, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = dict(fields or {})


class Unauthorized(ApiRefusal):
    def __init__(self, message: str) -> None:
        super().__init__(401, message)


def refusal_body(message: str, fields: Mapping[str, str]) -> str:
    errors = [{"field": field, "message": text} for field, text in fields.items()]
    return orjson.dumps({"message": message, "errors": errors}).decode("utf-8")
