"""The port to the e-mail provider: GOV.UK Notify (the official client) on a council with a key, else the local
outbox. Both take the same call; the sender does everything before it the same way."""

from __future__ import annotations

from typing import Protocol


class EmailGateway(Protocol):
    def send_email(
        self,
        *,
        email_address: str,
        template_id: str,
        personalisation: dict[str, str],
        reference: str,
        email_reply_to_id: str | None,
    ) -> str:
        """Sends one email; returns the provider's notification id."""
        ...


class TemporaryFailure(Exception):
    """429, 5xx, timeout or connection error: try again later (never dropped)."""


class PermanentFailure(Exception):
    """Any other 4xx (bad template, bad address, bad key): never retried; `reason` says why. `configuration`: the
    council's Notify settings are at fault (key, template, reply-to), not the message: shown to its administrators."""

    def __init__(self, reason: str, *, configuration: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.configuration = configuration
