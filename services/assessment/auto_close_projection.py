"""The auto-close read model: one document per application that has auto-closable requests open (or drafted), with
each one's auto-close day, so the daily job folds only those applications instead of scanning them all.

A document is `{"council", "reference", "requests": {request_id: {"type", "closes_on"}}, "next_due"}` (`closes_on` is
None until the request is sent; `next_due` is the earliest `closes_on`). It goes when its last request ends (answered,
auto-closed, cancelled) or the application does (determined, withdrawn, returned, closed), so the read model holds
only the applications the job may still have to act on.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from events import RecordedEvent  # noqa: E402
from events.assessment import ValidationRequestDrafted, ValidationRequestSent  # noqa: E402
from events.streams import application_stream, parse_application_stream  # noqa: E402
from services.assessment import AUTO_CLOSE_EVENT_TYPES, AUTO_CLOSE_READ_MODEL  # noqa: E402
from shared.application_status import OPEN_STATUSES, STATUS_AFTER  # noqa: E402
from shared.bus import subscriber  # noqa: E402
from shared.projections.projection import Document  # noqa: E402
from shared.projections.projector import Projector  # noqa: E402

NAME = AUTO_CLOSE_READ_MODEL
ENDED = frozenset({"ValidationRequestAnswered", "ValidationRequestAutoClosed", "ValidationRequestCancelled"})
FINAL = frozenset(event_type for event_type, status in STATUS_AFTER.items() if status not in OPEN_STATUSES)


class AutoCloseProjection:
    name = NAME
    event_types = frozenset(AUTO_CLOSE_EVENT_TYPES)

    def key(self, event: RecordedEvent) -> str | None:
        """The application's main stream (its side streams carry no requests)."""
        found = parse_application_stream(event.stream_id)
        return event.stream_id if found and event.stream_id == application_stream(*found) else None

    def apply(self, document: Document | None, event: RecordedEvent) -> Document | None:
        # imported when first needed: `holidays` takes most of a second to import, which a cold start need not pay
        from shared.calendar.periods import AUTO_CLOSE_AFTER, auto_closes_on

        if event.event_type in FINAL:
            return None
        payload = event.payload
        if isinstance(payload, ValidationRequestDrafted):
            if payload.request_type not in AUTO_CLOSE_AFTER:
                return document
            council, reference = parse_application_stream(event.stream_id) or ("", "")
            current = document or {"council": council, "reference": reference, "requests": {}}
            requests = {**current["requests"], payload.request_id: {"type": payload.request_type, "closes_on": None}}
            return _with(current, requests)
        if document is None:
            return None
        request_id = getattr(payload, "request_id", None)
        if request_id not in document["requests"]:
            return document
        requests = dict(document["requests"])
        if isinstance(payload, ValidationRequestSent):
            request = requests[request_id]
            closes_on = auto_closes_on(payload.sent_on, request["type"])
            requests[request_id] = {**request, "closes_on": closes_on.isoformat() if closes_on else None}
        elif event.event_type in ENDED:
            del requests[request_id]
        return _with(document, requests) if requests else None


def _with(document: Document, requests: dict[str, dict[str, str | None]]) -> Document:
    days = [request["closes_on"] for request in requests.values() if request["closes_on"]]
    return {**document, "requests": requests, "next_due": min(days) if days else None}


def projector() -> Projector:
    from shared.wiring import dependencies

    deps = dependencies()
    return Projector(AutoCloseProjection(), deps.read_models, lambda: deps.event_store)


@subscriber
def lambda_handler(event: RecordedEvent) -> None:
    projector().handle(event)
