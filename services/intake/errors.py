"""Why intake refuses a request: each maps to one HTTP status with reasons."""

from __future__ import annotations

from typing import Any


class IntakeRefusal(Exception):
    status = 400

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": {"code": self.status, "message": self.message}}
        if self.errors:
            body["error"]["detail"] = self.errors
        return body


class MalformedRequest(IntakeRefusal):
    status = 400


class Forbidden(IntakeRefusal):
    status = 403


class NotFound(IntakeRefusal):
    status = 404


class SubmissionConflict(IntakeRefusal):
    status = 409


class PayloadTooLarge(IntakeRefusal):
    status = 413


class UnsupportedMediaType(IntakeRefusal):
    status = 415


class InvalidSubmission(IntakeRefusal):
    status = 422


class ServiceUnavailable(IntakeRefusal):
    """This deployment cannot take submissions (e.g. it has no ODP schemas): nothing was stored."""

    status = 503
