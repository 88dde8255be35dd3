"""What the assessment service declares: so far only the audit trail's periodic checkpoint (it owns the audit trail)."""

from __future__ import annotations

from shared.applicant_links import LINK_SECRET
from shared.declarations import HttpFunction, Route, ScheduledJob, ServiceDeclaration
from shared.eventstore.checkpoints import HEAD_SECRET, KEY_SECRET

AUDIT_CHECKPOINTS_HANDLER = "services.assessment.audit_checkpoints.lambda_handler"
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
    ),
)
