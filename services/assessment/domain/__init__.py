"""The planning application's domain: a pure functional aggregate over its streams.

Commands are functions `command(state, officer, *, inputs..., today) -> [events]` that never append; the state is a
fold of the events (`fold`). A command refuses with an `AssessmentRefusal` (Conflict 409, InvalidCommand 422,
NotPermitted 403, NotFound 404) and then produces nothing. Importing this package loads every command.
"""

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
from services.assessment.domain.describe import describe
from services.assessment.domain.documents import (
    archive_document,
    change_document_tags,
    publish_document,
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
