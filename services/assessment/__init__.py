"""The assessment service: a planning application's life from validation to decision, on its streams.

Names the declaration and the code share live here, so that a handler's cold start never defines the declarations.
Importing this package imports nothing else: it is imported before any handler module of the service, whose first
statement is `lambda_start` (shared/startup.py: the garbage collector's tuning for a cold start), so that the heavy
imports (the events, pydantic's models) come after it (under the default thresholds they cost a few ms more).
"""

CASE_LIST_READ_MODEL = "case-list"  # the officers' case list (services/assessment/case_list)
AUTO_CLOSE_READ_MODEL = "auto-close-due"  # the applications with open auto-closable requests and their days
# What the auto-close read model's projection reads: requests made, sent and ended, and the statuses that end a case.
AUTO_CLOSE_EVENT_TYPES = (
    "ValidationRequestDrafted",
    "ValidationRequestSent",
    "ValidationRequestAnswered",
    "ValidationRequestAutoClosed",
    "ValidationRequestCancelled",
    "PlanningApplicationDetermined",
    "PlanningApplicationWithdrawn",
    "PlanningApplicationReturned",
    "PlanningApplicationClosed",
)
# The councils service's officers read model (services/councils/officer_projection.py): who may be assigned a case.
OFFICERS_READ_MODEL = "officers"
# The daily job's London time (declaration.py; the job reads it here, without the declarations' imports). Late in the
# day: a request's auto-close day is the applicant's last day to answer, so it closes at its end.
DAILY_AT = "23:30"
# The audit's notes of the streams whose head moved (services/assessment/moved_streams.py), kept for every event type.
MOVED_STREAMS_READ_MODEL = "audit-moved-streams"


def every_event_type() -> tuple[str, ...]:
    """Every product event type (the audit's moved-streams notes are kept for all), from the events' registry."""
    from events.registry import EVENT_MODULES

    return tuple(event_type for types in EVENT_MODULES.values() for event_type in types)
