"""The EmailGateway over GOV.UK Notify's official client (`notifications-python-client`).

Notify's answers map onto the two failures the sender knows: a rate limit (429), a server error (5xx), a timeout or
a connection error is a `TemporaryFailure` (try again later, never dropped); any other client error (400 bad template,
address or personalisation, 403 bad or revoked key, 404) is a `PermanentFailure` whose reason is Notify's own message.
The client itself turns a timeout or a refused connection into a 503 "Request failed" with no response: temporary.
"""

from __future__ import annotations

import threading
from typing import Any

from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import APIError

from shared.notify.gateway import PermanentFailure, TemporaryFailure
from shared.notify.settings import DEFAULT_BASE_URL

DEFAULT_TIMEOUT_S = 10.0
MAX_REASON = 1_000  # Notify's messages are short; a proxy's HTML error page is not
# What in a 400's message says the council's settings are at fault rather than the message (Notify's own words:
# "Template not found", "template_id is not a valid UUID", "Missing personalisation: ...", "... using a team-only API
# key", "... when service is in trial mode", "email_reply_to_id ... does not exist").
CONFIGURATION_WORDS = ("template", "personalisation", "api key", "trial mode", "reply_to")


def failure_from(error: APIError) -> TemporaryFailure | PermanentFailure:
    """The sender's failure for one of the client's errors (HTTPError, HTTP503Error or InvalidResponse)."""
    status = error.status_code
    reason = f"{status} {_message(error)}"[:MAX_REASON]
    if status == 429 or status >= 500:
        return TemporaryFailure(reason)
    if 200 <= status < 300:  # a success whose body was not JSON: the message may or may not have gone
        return TemporaryFailure(f"{status} Notify's answer could not be read")
    configuration = status in (401, 403) or any(word in reason.lower() for word in CONFIGURATION_WORDS)
    return PermanentFailure(reason, configuration=configuration)


def _message(error: APIError) -> str:
    """Notify's error messages (`{"errors": [{"error": ..., "message": ...}]}`) joined, else the client's text."""
    message: Any = error.message
    if isinstance(message, list):
        parts = [str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in message]
        return "; ".join(parts) or "no reason given"
    return str(message)


class NotifyGateway:
    """Sends through one Notify service (one council's API key). Not thread-safe (nor is the client): one per
    worker thread."""

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout_s)

    def send_email(
        self,
        *,
        email_address: str,
        template_id: str,
        personalisation: dict[str, str],
        reference: str,
        email_reply_to_id: str | None,
    ) -> str:
        try:
            response = self.client.send_email_notification(
                email_address=email_address,
                template_id=template_id,
                personalisation=personalisation,
                reference=reference,
                email_reply_to_id=email_reply_to_id,
            )
        except APIError as error:
            raise failure_from(error) from error
        return str(response["id"])

    def notification_status(self, notify_id: str) -> str:
        """Notify's status of a sent notification (`created`, `sending`, `delivered`, `permanent-failure`...)."""
        try:
            return str(self.client.get_notification_by_id(notify_id)["status"])
        except APIError as error:
            raise failure_from(error) from error

    def template(self, template_id: str) -> dict[str, Any]:
        """The template as Notify has it (PermanentFailure when it does not exist for this key's service)."""
        try:
            return dict(self.client.get_template(template_id))
        except APIError as error:
            raise failure_from(error) from error


_per_thread = threading.local()


def gateway_for(api_key: str, base_url: str, timeout_s: float | None = None) -> NotifyGateway:
    """This thread's gateway for a key and address (the client keeps its connections open between messages; it is
    not thread-safe, so the relay's concurrent deliveries each get their own)."""
    cache: dict[tuple[str, str, float], NotifyGateway] | None = getattr(_per_thread, "gateways", None)
    if cache is None:
        cache = _per_thread.gateways = {}
    key = (api_key, base_url, DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s)
    gateway = cache.get(key)
    if gateway is None:
        gateway = cache[key] = NotifyGateway(api_key, base_url=base_url, timeout_s=key[2])
    return gateway
