"""What the notifications service reacts to: the steps of an application's life that someone is told about."""

from __future__ import annotations

from shared.applicant_links import LINK_SECRET
from shared.declarations import ScheduledJob, ServiceDeclaration, Subscription

SENDER_HANDLER = "services.notifications.handler.lambda_handler"
STATUS_POLLER_HANDLER = "services.notifications.status_poller.lambda_handler"
# A council's GOV.UK Notify API key in the secrets store (services/notifications/notify_settings.py).
NOTIFY_API_KEY_SECRET = "{council}/notify-api-key"

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
    ),
    scheduled=(
        ScheduledJob(
            name="notify-status",
            handler=STATUS_POLLER_HANDLER,
            every_minutes=5,  # Notify settles most emails within minutes
            secrets=(NOTIFY_API_KEY_SECRET,),
            appends_events=True,
        ),
    ),
)
