"""Why an applicant's request was refused before (or instead of) the domain: status, message and the bad fields."""

from __future__ import annotations

from collections.abc import Mapping


class ApplicantRefusal(Exception):
    status = 400

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})


class BadRequest(ApplicantRefusal):
    """Malformed input: not UTF-8, not the form or JSON it claims to be, too deep, too many parts."""


class LinkNotFound(ApplicantRefusal):
    """A bad token, or no such council, application or request: one answer for all, so nothing is revealed."""

    status = 404

    def __init__(self) -> None:
        super().__init__("This link is not valid. Check that you copied the whole link from the message we sent.")


class RequestClosed(ApplicantRefusal):
    """The request was answered, auto-closed or cancelled: its link no longer works."""

    status = 410

    def __init__(self) -> None:
        super().__init__("This request is closed. You do not need to do anything else.")


class TooLarge(ApplicantRefusal):
    status = 413


class UnsupportedMediaType(ApplicantRefusal):
    status = 415


class Unprocessable(ApplicantRefusal):
    """Well-formed input that breaks a rule: a missing answer, a file that is not a PDF, PNG or JPEG."""

    status = 422


class DomainRefusal(ApplicantRefusal):
    """The domain refused the answer (`AssessmentRefusal`): its status, message and fields, carried as they are."""

    def __init__(self, status: int, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message, fields)
        self.status = status
