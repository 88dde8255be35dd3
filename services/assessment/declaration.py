"""What the assessment service declares: the officer API with the case list's projection subscriber, the applicant
pages, the audit trail's periodic checkpoint with the moved-streams notes it reads (it owns the audit trail), and the
daily job that auto-closes validation requests with the read model that tells it which applications have one due."""

from __future__ import annotations

from events.streams import MAIN_STREAM_EVENT_TYPES
from services.assessment import (
    AUTO_CLOSE_EVENT_TYPES,
    AUTO_CLOSE_READ_MODEL,
    CASE_LIST_READ_MODEL,
    DAILY_AT,
    MOVED_STREAMS_READ_MODEL,
    OFFICERS_READ_MODEL,
    every_event_type,
)
from shared.applicant_links import LINK_SECRET
from shared.declarations import HttpFunction, Route, ScheduledJob, ServiceDeclaration, Subscription
from shared.eventstore.checkpoints import HEAD_SECRET, KEY_SECRET
from shared.notification_records import OUTSTANDING_READ_MODEL as NOTIFICATIONS_OUTSTANDING_READ_MODEL

AUDIT_CHECKPOINTS_HANDLER = "services.assessment.audit_checkpoints.lambda_handler"
DAILY_HANDLER = "services.assessment.daily.lambda_handler"
APPLICANT_PAGES_HANDLER = "services.assessment.applicant.pages.lambda_handler"
APPLICANT_PAGE = "/applicant/{council}/{reference}/validation_requests/{request_id}"
APPLICANT_API = "/api/applicant/v1/{council}/{reference}/validation_requests/{request_id}"
APPLICATION_DOCUMENTS_PAGE = "/applications/{reference}/documents"  # the console's documents pages


# The officers' console (services/assessment/console): HTML pages over the same commands and read models as the
# officer API. `/` is the dashboard; an application's pages are under CONSOLE_APPLICATION; each action's form (GET)
# posts to itself (POST): CONSOLE_ACTION, `action` being an officer API command's path without its parameters
# (`console/actions.py`; an unknown one is 404).
CONSOLE_HANDLER = "services.assessment.console.handler.lambda_handler"
CONSOLE_APPLICATION = "/applications/{reference}"
CONSOLE_PAGES = ("/", CONSOLE_APPLICATION)
CONSOLE_ACTION = CONSOLE_APPLICATION + "/actions/{action}"

OFFICER_API = "/api/officer/v1"
COLLECTION = f"{OFFICER_API}/planning_applications"
APPLICATION = COLLECTION + "/{reference}"
# One POST per domain command under the application (the handler's `officer_api.commands.COMMANDS`, checked by a test).
COMMAND_PATHS = (
    "assign",
    "documents/{document_id}/check",
    "red_line_boundary/check",
    "fee/check",
    "constraints",
    "constraints/remove",
    "validation_requests",
    "validation_requests/{request_id}/cancel",
    "invalidate",
    "validate",
    "site_notice",
    "press_notice",
    "assessment",
    "recommendation",
    "review",
    "committee",
    "committee_decision",
    "determine",
    "withdraw",
    "return",
    "close",
    "time_extension",
    "documents",
    "documents/{document_id}/replace",
    "documents/{document_id}/tags",
    "documents/{document_id}/publish",
    "documents/{document_id}/unpublish",
    "documents/{document_id}/redacted_copy",
    "documents/{document_id}/archive",
)

# The API's routes for those commands: few, because each path segment is an API Gateway resource and a stack holds at
# most 500 (tests/cdk). A command whose path is one segment goes through `{command}`, a document's through
# `documents/{document_id}/{action}`; the handler's resolver serves each exact path of COMMAND_PATHS (404 for any
# other). A path whose first segment is also a parent resource (`constraints/remove`, `validation_requests/...`,
# `documents/...`) keeps its own route: API Gateway matches a literal segment before a parameter and never goes back.
COMMAND_ROUTES = (
    "{command}",
    "constraints",
    "constraints/remove",
    "validation_requests",
    "validation_requests/{request_id}/cancel",
    "red_line_boundary/check",
    "fee/check",
    "documents",
    "documents/{document_id}/{action}",
)

SERVICE = ServiceDeclaration(
    name="assessment",
    http=(
        HttpFunction(
            name="officer-api",
            handler="services.assessment.officer_api.handler.lambda_handler",
            routes=(
                Route("GET", COLLECTION, auth="officer"),
                Route("GET", APPLICATION, auth="officer"),
                Route("GET", APPLICATION + "/audit", auth="officer"),
                Route("GET", APPLICATION + "/documents/{document_id}", auth="officer"),
                *(Route("POST", f"{APPLICATION}/{path}", auth="officer") for path in COMMAND_ROUTES),
                Route("GET", f"{OFFICER_API}/openapi.json"),
            ),
            reads_read_models=(CASE_LIST_READ_MODEL, OFFICERS_READ_MODEL),
            memory_mb=1024,
        ),
        HttpFunction(
            name="console",
            handler=CONSOLE_HANDLER,
            routes=(
                *(Route("GET", path, auth="officer") for path in CONSOLE_PAGES),
                Route("GET", CONSOLE_ACTION, auth="officer"),
                Route("POST", CONSOLE_ACTION, auth="officer"),
            ),
            reads_read_models=(CASE_LIST_READ_MODEL, OFFICERS_READ_MODEL, NOTIFICATIONS_OUTSTANDING_READ_MODEL),
            memory_mb=1024,
        ),
        # The applicant's pages and their JSON twin: public routes, the link's token checked by the handler; and the
        # GOV.UK Frontend files every page of the product uses (shared/pages).
        HttpFunction(
            name="applicant-pages",
            handler=APPLICANT_PAGES_HANDLER,
            routes=(
                Route("GET", APPLICANT_PAGE),
                Route("POST", APPLICANT_PAGE),
                Route("GET", APPLICANT_API),
                Route("POST", APPLICANT_API),
                Route("GET", "/assets/{path+}"),
            ),
            secrets=(LINK_SECRET,),
        ),
        # The console's documents pages (services/assessment/console/documents.py: they join the console's resolver).
        HttpFunction(
            name="console-documents",
            handler="services.assessment.console.documents.lambda_handler",
            routes=(
                Route("GET", APPLICATION_DOCUMENTS_PAGE, auth="officer"),
                Route("POST", APPLICATION_DOCUMENTS_PAGE, auth="officer"),
                Route("POST", APPLICATION_DOCUMENTS_PAGE + "/fetch_again", auth="officer"),
                Route("GET", APPLICATION_DOCUMENTS_PAGE + "/{document_id}", auth="officer"),
                Route("GET", APPLICATION_DOCUMENTS_PAGE + "/{document_id}/file", auth="officer"),
                Route("POST", APPLICATION_DOCUMENTS_PAGE + "/{document_id}/{action}", auth="officer"),
            ),
            memory_mb=1024,
        ),
    ),
    subscriptions=(
        Subscription(  # notes each stream whose head moved, so the checkpoint job reads only those
            name="audit-moved-streams",
            handler="services.assessment.moved_streams.lambda_handler",
            event_types=every_event_type(),
            projection="services.assessment.moved_streams.MovedStreamsProjection",
            writes_read_models=(MOVED_STREAMS_READ_MODEL,),
        ),
        Subscription(
            name="case-list",
            handler="services.assessment.case_list.projection.lambda_handler",
            event_types=MAIN_STREAM_EVENT_TYPES,
            projection="services.assessment.case_list.projection.CaseListProjection",
            writes_read_models=(CASE_LIST_READ_MODEL,),
            concurrency=4,  # each delivery reads one application's stream: several applications at once
        ),
        Subscription(
            name="auto-close-due",
            handler="services.assessment.auto_close_projection.lambda_handler",
            event_types=AUTO_CLOSE_EVENT_TYPES,
            projection="services.assessment.auto_close_projection.AutoCloseProjection",
            writes_read_models=(AUTO_CLOSE_READ_MODEL,),
        ),
    ),
    scheduled=(
        ScheduledJob(
            name="audit-checkpoints",
            handler=AUDIT_CHECKPOINTS_HANDLER,
            every_minutes=15,
            # The key seals the checkpoints; the head (the newest checkpoint's number and seal) is rewritten by each.
            secrets=(KEY_SECRET, HEAD_SECRET),
            writes_secrets=(HEAD_SECRET,),
            writes_audit_checkpoints=True,
            writes_read_models=(MOVED_STREAMS_READ_MODEL,),  # takes away the notes of the heads it sealed
        ),
        ScheduledJob(
            name="daily",
            handler=DAILY_HANDLER,
            daily_at=DAILY_AT,
            appends_events=True,
            reads_read_models=(AUTO_CLOSE_READ_MODEL,),
        ),
    ),
)
