"""The notifications service: tells applicants, agents and officers about each step of an application (GOV.UK Notify,
or the local outbox), each message once and on the record."""

# What the handlers read without loading the declaration (which defines every service's declarations' classes).
CALLBACK_PATH = "/callbacks/notify/{council}"  # the URL given to Notify: {API base URL}/callbacks/notify/{council}
OUTSTANDING_EVENT_TYPES = (
    "NotificationSent",
    "NotificationDelivered",
    "NotificationFailed",
    "NotificationFailureAcknowledged",
)
