"""What the notifications service reacts to: the steps of an application's life that someone is told about."""

from __future__ import annotations

from services.notifications import CALLBACK_PATH, OUTSTANDING_EVENT_TYPES
from shared.applicant_links import LINK_SECRET
from shared.declarations import HttpFunction, Route, ScheduledJob, ServiceDeclaration, Subscription
from shared.notification_records import OUTSTANDING_READ_MODEL
from shared.notify import NOTIFY_API_KEY_SECRET, NOTIFY_CALLBACK_TOKEN_SECRET

SENDER_HANDLER = "services.notifications.handler.lambda_handler"
STATUS_POLLER_HANDLER = "services.notifications.status_poller.lambda_handler"
CALLBACK_HANDLER = "services.notifications.callback.lambda_handler"

# Every event that triggers a message (services/notifications/messages.py says which, to whom).
TRIGGER_EVENT_TYPES = (
    "PlanningApplicationSubmitted",
    "PlanningApplicationInvalidated",
    "ValidationRequestSent",
    "ValidationRequestCancelled",
    "ValidationRequestAutoClosed",
    "PlanningApplicationValidated",
    "PlanningApplicationDetermined",
    "PlanningApplicationWithdrawn",
    "PlanningApplicationReturned",
    "RecommendationSubmitted",
    "RecommendationChallenged",
)


SERVICE = ServiceDeclaration(
    name="notifications",
    http=(
        HttpFunction(
            name="notify-callback",
            handler=CALLBACK_HANDLER,
            # public for API Gateway: the handler checks the council's bearer token (Notify sends no other credential)
            routes=(Route("POST", CALLBACK_PATH),),
            secrets=(NOTIFY_CALLBACK_TOKEN_SECRET,),
            reads_read_models=(OUTSTANDING_READ_MODEL,),
        ),
    ),
    subscriptions=(
        Subscription(
            name="notifications-sender",
            handler=SENDER_HANDLER,
            event_types=TRIGGER_EVENT_TYPES,
            timeout_s=60,
            secrets=(LINK_SECRET, NOTIFY_API_KEY_SECRET),
            idempotency=True,  # each message handed to Notify once (services/notifications/idempotency.py)
            concurrency=4,  # sending waits on Notify: several applications' messages at once
        ),
        Subscription(  # the messages awaiting a status or an officer's eye, so the poller never lists every stream
            name="notifications-outstanding",
            handler="services.notifications.outstanding.lambda_handler",
            event_types=OUTSTANDING_EVENT_TYPES,
            projection="services.notifications.outstanding.OutstandingProjection",
            writes_read_models=(OUTSTANDING_READ_MODEL,),
        ),
    ),
    scheduled=(
        ScheduledJob(
            name="notify-status",
            handler=STATUS_POLLER_HANDLER,
            every_minutes=5,  # Notify settles most emails within minutes
            secrets=(NOTIFY_API_KEY_SECRET,),
            appends_events=True,
            reads_read_models=(OUTSTANDING_READ_MODEL,),
        ),
    ),
)
