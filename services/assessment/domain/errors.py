"""Why the assessment domain refused a command: each refusal carries its HTTP status, a message and the bad fields.

Handlers turn them into `{"message": ..., "errors": [{"field", "message"}]}` with `status`; the domain never appends
anything when it refuses.
"""

from __future__ import annotations

from collections.abc import Mapping


class AssessmentRefusal(Exception):
    """A command the domain will not carry out."""

    status: int = 400

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})


class Conflict(AssessmentRefusal):
    """The application is in a state where the command does not apply, or changed since the officer saw it."""

    status = 409


class InvalidCommand(AssessmentRefusal):
    """The input breaks a rule; `fields` says which and why."""

    status = 422

    def __init__(self, fields: Mapping[str, str], message: str | None = None) -> None:
        super().__init__(message or "; ".join(f"{name}: {why}" for name, why in fields.items()), fields)


class NotPermitted(AssessmentRefusal):
    """The officer's role (or their part in the case) does not allow the command."""

    status = 403


class NotFound(AssessmentRefusal):
    """No such application, validation request or document."""

    status = 404
