"""What the assessment service declares: so far only the audit trail's periodic checkpoint and the moved-streams notes
it reads (it owns the audit trail)."""

from __future__ import annotations

from events.registry import EVENT_MODULES
from shared.declarations import ScheduledJob, ServiceDeclaration, Subscription
from shared.eventstore.checkpoints import HEAD_SECRET, KEY_SECRET

AUDIT_CHECKPOINTS_HANDLER = "services.assessment.audit_checkpoints.lambda_handler"
MOVED_STREAMS_READ_MODEL = "audit-moved-streams"
EVERY_EVENT_TYPE = tuple(event_type for types in EVENT_MODULES.values() for event_type in types)

SERVICE = ServiceDeclaration(
    name="assessment",
    subscriptions=(
        Subscription(  # notes each stream whose head moved, so the checkpoint job reads only those
            name="audit-moved-streams",
            handler="services.assessment.moved_streams.lambda_handler",
            event_types=EVERY_EVENT_TYPE,
            projection="services.assessment.moved_streams.MovedStreamsProjection",
            writes_read_models=(MOVED_STREAMS_READ_MODEL,),
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
    ),
)
