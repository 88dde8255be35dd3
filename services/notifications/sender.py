"""Sends an event's messages, each exactly once, and puts each on the record.

For each message: skip it if the notifications stream already records it (`NotificationSent`, or a permanent
`NotificationFailed`); else hand it to the channel's gateway inside the idempotency guard (a redelivery that gets
there finds the saved provider id and sends nothing), then append `NotificationSent` with optimistic concurrency
(another delivery that appended first wins: nothing is appended twice).

A temporary failure (rate limit, server error, timeout) is raised after what was sent is recorded, so the delivery
is retried (the relay locally; Lambda's retries and then the dead-letter queue on AWS): never dropped. A permanent
failure (bad template, address or key) is recorded once as `NotificationFailed` with its reason and not retried.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from events import Actor, EventPayload, RecordedEvent
from events.notifications import NotificationFailed, NotificationSent
from events.streams import application_side_stream
from services.notifications.messages import Message, mask
from shared.clock import Clock
from shared.eventstore.port import ConcurrencyError, EventStore
from shared.notify.gateway import EmailGateway, PermanentFailure, TemporaryFailure

SENDER = Actor(kind="system", id="notifications", display_name="BOPS notifications")
APPEND_ATTEMPTS = 10


@dataclass(frozen=True)
class Channel:
    """How one council's mail goes out: GOV.UK Notify with its templates, or the local outbox."""

    name: Literal["notify", "outbox"]
    gateway: EmailGateway
    template_for: Callable[[str], str]  # kind of message → template id
    reply_to_id: str | None = None
    # False for a gateway that refuses every message without sending anything (service.Unsendable): nothing can go
    # twice, so a message is handed over without the idempotency guard (a record written and deleted per message).
    once_only: bool = True


Guard = Callable[[Callable[..., Any]], Callable[..., Any]]  # idempotency.once_per_message(store)
# (council, reasons, notification id): the council's Notify settings refused a message (problems.record_problem)
ProblemHook = Callable[[str, list[str], str], None]


class Sender:
    def __init__(
        self, store: EventStore, clock: Clock, guard: Guard, on_configuration_problem: ProblemHook | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.guard = guard
        self.on_configuration_problem = on_configuration_problem

    def send(
        self, event: RecordedEvent, council: str, reference: str, messages: Sequence[Message], channel: Channel
    ) -> None:
        """Send what is not yet on the record; raise TemporaryFailure after recording what did go."""
        if not messages:
            return
        stream = application_side_stream(council, reference, "notifications")
        version, done = self._recorded(stream)
        outcomes: list[EventPayload] = []
        problems: dict[str, str] = {}  # configuration reason → the first message that met it
        temporary: TemporaryFailure | None = None
        for message in messages:
            if message.notification_id in done:
                continue
            template_id = channel.template_for(message.kind)
            try:
                notify_id = self._hand_over(message, template_id, channel)
            except TemporaryFailure as failure:
                temporary = temporary or failure
                continue
            except PermanentFailure as failure:
                if failure.configuration:
                    problems.setdefault(failure.reason[:2_000], message.notification_id)
                outcomes.append(
                    NotificationFailed(
                        notification_id=message.notification_id,
                        kind=message.kind,
                        recipient_role=message.recipient_role,
                        masked_address=mask(message.email_address),
                        reason=failure.reason[:2_000],
                        permanent=True,
                    )
                )
                continue
            outcomes.append(
                NotificationSent(
                    notification_id=message.notification_id,
                    kind=message.kind,
                    recipient_role=message.recipient_role,
                    masked_address=mask(message.email_address),
                    template_id=template_id,
                    channel=channel.name,
                    notify_id=notify_id if channel.name == "notify" else None,
                    triggered_by=message.triggered_by,
                )
            )
        self._record(event, stream, version, outcomes)
        if problems and self.on_configuration_problem is not None:
            self.on_configuration_problem(council, list(problems), next(iter(problems.values())))
        if temporary is not None:
            raise temporary

    def _hand_over(self, message: Message, template_id: str, channel: Channel) -> str:
        def call(*, message: dict[str, Any]) -> str:
            return channel.gateway.send_email(
                email_address=message["email_address"],
                template_id=template_id,
                personalisation=message["personalisation"],
                reference=message["notification_id"],
                email_reply_to_id=channel.reply_to_id,
            )

        data = {
            "notification_id": message.notification_id,
            "email_address": message.email_address,
            "personalisation": message.personalisation,
        }
        if not channel.once_only:
            return call(message=data)
        from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

        try:
            return str(self.guard(call)(message=data))
        except IdempotencyAlreadyInProgressError as busy:  # another delivery is sending it right now
            raise TemporaryFailure(
                f"notification {message.notification_id} is being sent by another delivery"
            ) from busy

    def _recorded(self, stream: str) -> tuple[int, set[str]]:
        """The stream's version and the notifications it already settles (sent, or failed for good)."""
        events = list(self.store.read(stream))
        done = {
            e.payload.notification_id
            for e in events
            if isinstance(e.payload, NotificationSent)
            or (isinstance(e.payload, NotificationFailed) and e.payload.permanent)
        }
        return (events[-1].version if events else 0), done

    def _record(self, event: RecordedEvent, stream: str, version: int, outcomes: list[EventPayload]) -> None:
        for _ in range(APPEND_ATTEMPTS):
            if not outcomes:
                return
            now = self.clock.now()
            try:
                self.store.append(stream, version, [event.caused(outcome, SENDER, now) for outcome in outcomes])
                return
            except ConcurrencyError:
                version, done = self._recorded(stream)
                outcomes = [o for o in outcomes if o.notification_id not in done]  # type: ignore[attr-defined]
        raise TemporaryFailure(f"the notifications stream {stream} kept moving; try again")
