"""The planning application's domain: a pure functional aggregate over its streams.

Commands are functions `command(state, officer, *, inputs..., today) -> [events]` that never append; the state is a
fold of the events (`fold`). A command refuses with an `AssessmentRefusal` (Conflict 409, InvalidCommand 422,
NotPermitted 403, NotFound 404) and then produces nothing. Each name is imported from its module on first use: a
handler that only folds (the applicant's page, the daily job) does not load every command (~10-20 ms of a cold start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Imported now: `describe` is also its module's name, which a lazy export would let the module shadow.
from services.assessment.domain.describe import describe
from shared.lazy import lazy_exports

if TYPE_CHECKING:  # the same names, for the type checker
    from services.assessment.domain.applicant import UploadedDocument, answer_validation_request
    from services.assessment.domain.assessment import record_assessment
    from services.assessment.domain.assignment import assign
    from services.assessment.domain.checks import (
        add_constraint,
        check_document,
        check_fee,
        check_red_line_boundary,
        remove_constraint,
    )
    from services.assessment.domain.closure import close, return_application, withdraw
    from services.assessment.domain.daily import auto_close_due
    from services.assessment.domain.decision import (
        DecisionNoticeFile,
        decision_to_issue,
        determine,
        record_committee_decision,
        review,
        send_to_committee,
        submit_recommendation,
    )
    from services.assessment.domain.documents import (
        archive_document,
        change_document_tags,
        publish_document,
        request_document_fetch,
        unpublish_document,
        upload_document,
        upload_redacted_copy,
    )
    from services.assessment.domain.errors import AssessmentRefusal, Conflict, InvalidCommand, NotFound, NotPermitted
    from services.assessment.domain.notices import record_press_notice, record_site_notice
    from services.assessment.domain.state import PlanningApplication, SiteConstraint, fold
    from services.assessment.domain.streams import side_stream_of
    from services.assessment.domain.validation import invalidate, validate
    from services.assessment.domain.validation_requests import (
        cancel_validation_request,
        draft_validation_request,
        request_time_extension,
    )
    from services.assessment.domain.versioning import check_version
    from services.assessment.domain.view import application_view, request_view

_EXPORTS = {
    "AssessmentRefusal": "services.assessment.domain.errors",
    "Conflict": "services.assessment.domain.errors",
    "DecisionNoticeFile": "services.assessment.domain.decision",
    "InvalidCommand": "services.assessment.domain.errors",
    "NotFound": "services.assessment.domain.errors",
    "NotPermitted": "services.assessment.domain.errors",
    "PlanningApplication": "services.assessment.domain.state",
    "SiteConstraint": "services.assessment.domain.state",
    "UploadedDocument": "services.assessment.domain.applicant",
    "add_constraint": "services.assessment.domain.checks",
    "answer_validation_request": "services.assessment.domain.applicant",
    "application_view": "services.assessment.domain.view",
    "archive_document": "services.assessment.domain.documents",
    "assign": "services.assessment.domain.assignment",
    "auto_close_due": "services.assessment.domain.daily",
    "cancel_validation_request": "services.assessment.domain.validation_requests",
    "change_document_tags": "services.assessment.domain.documents",
    "check_document": "services.assessment.domain.checks",
    "check_fee": "services.assessment.domain.checks",
    "check_red_line_boundary": "services.assessment.domain.checks",
    "check_version": "services.assessment.domain.versioning",
    "close": "services.assessment.domain.closure",
    "decision_to_issue": "services.assessment.domain.decision",
    "determine": "services.assessment.domain.decision",
    "draft_validation_request": "services.assessment.domain.validation_requests",
    "fold": "services.assessment.domain.state",
    "invalidate": "services.assessment.domain.validation",
    "publish_document": "services.assessment.domain.documents",
    "record_assessment": "services.assessment.domain.assessment",
    "record_committee_decision": "services.assessment.domain.decision",
    "record_press_notice": "services.assessment.domain.notices",
    "record_site_notice": "services.assessment.domain.notices",
    "remove_constraint": "services.assessment.domain.checks",
    "request_document_fetch": "services.assessment.domain.documents",
    "request_time_extension": "services.assessment.domain.validation_requests",
    "request_view": "services.assessment.domain.view",
    "return_application": "services.assessment.domain.closure",
    "review": "services.assessment.domain.decision",
    "send_to_committee": "services.assessment.domain.decision",
    "side_stream_of": "services.assessment.domain.streams",
    "submit_recommendation": "services.assessment.domain.decision",
    "unpublish_document": "services.assessment.domain.documents",
    "upload_document": "services.assessment.domain.documents",
    "upload_redacted_copy": "services.assessment.domain.documents",
    "validate": "services.assessment.domain.validation",
    "withdraw": "services.assessment.domain.closure",
}
__getattr__ = lazy_exports(globals(), _EXPORTS)

__all__ = [
    "AssessmentRefusal",
    "Conflict",
    "DecisionNoticeFile",
    "InvalidCommand",
    "NotFound",
    "NotPermitted",
    "PlanningApplication",
    "SiteConstraint",
    "UploadedDocument",
    "add_constraint",
    "answer_validation_request",
    "application_view",
    "archive_document",
    "assign",
    "auto_close_due",
    "cancel_validation_request",
    "change_document_tags",
    "check_document",
    "check_fee",
    "check_red_line_boundary",
    "check_version",
    "close",
    "decision_to_issue",
    "describe",
    "determine",
    "draft_validation_request",
    "fold",
    "invalidate",
    "publish_document",
    "record_assessment",
    "record_committee_decision",
    "record_press_notice",
    "record_site_notice",
    "remove_constraint",
    "request_document_fetch",
    "request_time_extension",
    "request_view",
    "return_application",
    "review",
    "send_to_committee",
    "side_stream_of",
    "submit_recommendation",
    "unpublish_document",
    "upload_document",
    "upload_redacted_copy",
    "validate",
    "withdraw",
]
