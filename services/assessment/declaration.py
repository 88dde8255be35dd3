"""What the assessment service declares: so far only the audit trail's periodic checkpoint (it owns the audit trail)."""

from __future__ import annotations

from shared.declarations import ScheduledJob, ServiceDeclaration
from shared.eventstore.checkpoints import HEAD_SECRET, KEY_SECRET

AUDIT_CHECKPOINTS_HANDLER = "services.assessment.audit_checkpoints.lambda_handler"

SERVICE = ServiceDeclaration(
    name="assessment",
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
