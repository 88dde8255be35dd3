"""What the assessment service declares: the audit trail's periodic checkpoint (it owns the audit trail), and the daily
job that auto-closes validation requests with the read model that tells it which applications have one due."""

from __future__ import annotations

from services.assessment import AUTO_CLOSE_EVENT_TYPES, AUTO_CLOSE_READ_MODEL
from shared.applicant_links import LINK_SECRET
from shared.declarations import HttpFunction, Route, ScheduledJob, ServiceDeclaration, Subscription
from shared.eventstore.checkpoints import HEAD_SECRET, KEY_SECRET

AUDIT_CHECKPOINTS_HANDLER = "services.assessment.audit_checkpoints.lambda_handler"
DAILY_HANDLER = "services.assessment.daily.lambda_handler"
# Late in the London day: a request's auto-close day is the applicant's last day to answer, so it closes at its end.
DAILY_AT = "23:30"
APPLICANT_PAGES_HANDLER = "services.assessment.applicant.pages.lambda_handler"
APPLICANT_PAGE = "/applicant/{council}/{reference}/validation_requests/{request_id}"
APPLICANT_API = "/api/applicant/v1/{council}/{reference}/validation_requests/{request_id}"

SERVICE = ServiceDeclaration(
    name="assessment",
    http=(
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
        ),
        ScheduledJob(
            name="daily",
            handler=DAILY_HANDLER,
            daily_at=DAILY_AT,
            appends_events=True,
            reads_read_models=(AUTO_CLOSE_READ_MODEL,),
        ),
    ),
    subscriptions=(
        Subscription(
            name="auto-close-due",
            handler="services.assessment.auto_close_projection.lambda_handler",
            event_types=AUTO_CLOSE_EVENT_TYPES,
            projection="services.assessment.auto_close_projection.AutoCloseProjection",
            writes_read_models=(AUTO_CLOSE_READ_MODEL,),
        ),
    ),
)
