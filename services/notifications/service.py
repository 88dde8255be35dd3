"""Sends the messages an event triggers, with the wiring's adapters: facts from the log, links from the council's
link secret, the channel from the council's settings (the local outbox without a Notify key)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from events import RecordedEvent
from events.assessment import PlanningApplicationInvalidated
from events.streams import application_stream, council_stream, parse_application_stream
from services.notifications.facts import CouncilFacts, Officer, all_requests, application_facts, council_officers
from services.notifications.messages import compose
from services.notifications.sender import Channel, Sender
from shared.notify.gateway import PermanentFailure

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

    from shared.councils.settings import EffectiveCouncilSettings
    from shared.wiring import Dependencies

OFFICER_EVENTS = ("RecommendationSubmitted", "RecommendationChallenged")  # the messages to officers


def notify(event: RecordedEvent) -> None:
    """Send what `event` triggers, each message exactly once.

    The council's stream is read once for the event: for its settings first, and the channel and any configuration
    problem then look at the profile that read folded (`CouncilProfiles.load(refresh=False)`)."""
    from shared.wiring import dependencies

    deps = dependencies()
    settings = deps.council_settings(event.council)
    notify_with(deps, event, channel_for(deps, event.council), settings)


def notify_with(
    deps: Dependencies, event: RecordedEvent, channel: Channel, settings: EffectiveCouncilSettings | None = None
) -> None:
    """`settings`: the council's, if just read (else they are read here)."""
    found = parse_application_stream(event.stream_id)
    if found is None or event.stream_id != application_stream(*found):
        return  # every trigger is on an application's main stream
    council, reference = found
    # The facts as they stood at the event; an invalidation's requests are sent in the same append, just after it.
    sent_with = len(event.payload.request_ids) if isinstance(event.payload, PlanningApplicationInvalidated) else 0
    main = deps.event_store.read(event.stream_id, to_version=event.version + sent_with)
    facts = application_facts(council, reference, (e for e in main if e.version <= event.version))
    if sent_with:
        facts = replace(facts, requests=all_requests(main))  # a request's details never change once sent
    settings = settings or deps.council_settings(council)
    officers: dict[str, Officer] = {}
    if event.event_type in OFFICER_EVENTS:
        officers = council_officers(deps.event_store.read(council_stream(council)))
    council_facts = CouncilFacts(council, settings.name, settings.public_base_url, officers)

    def link_for(request_id: str) -> str:
        from shared.applicant_links import applicant_link, link_secret

        secret = link_secret(deps.secrets, council, create=True)
        return applicant_link(secret, settings.public_base_url, council, reference, request_id)

    messages = compose(event, facts, council_facts, link_for)
    sender(deps).send(event, council, reference, messages, channel)


def sender(deps: Dependencies) -> Sender:
    def guard(send: Callable[..., Any]) -> Callable[..., Any]:
        """The idempotency guard, made when a message first needs it (one to an unsendable channel never does)."""
        from services.notifications.idempotency import once_per_message

        return deps.memo("notifications-guard", lambda d: once_per_message(idempotency(d)))(send)

    def problem(council: str, reasons: list[str], notification_id: str) -> None:
        from services.notifications.sender import SENDER
        from shared.notify.problems import record_problem

        profiles = deps.council_profiles
        now = deps.clock.now()
        # `profiles` loaded the council's profile for this very event (its settings and channel): no second read.
        record_problem(
            deps.event_store, council, "send", reasons, SENDER, now, notification_id, profiles, just_loaded=True
        )

    return deps.memo("notifications-sender", lambda d: Sender(d.event_store, d.clock, guard, problem))


def idempotency(deps: Dependencies) -> BasePersistenceLayer:
    """On AWS: the stack's idempotency table (`BOPS_IDEMPOTENCY_TABLE`); embedded: `idempotency.sqlite`."""
    if deps.settings.runtime == "aws":
        from services.notifications.idempotency import dynamodb_layer

        return dynamodb_layer(deps._required("idempotency_table"), deps.aws_client("dynamodb"))
    from services.notifications.idempotency import SqlitePersistenceLayer

    return SqlitePersistenceLayer(deps.settings.data_dir / "idempotency.sqlite")


def channel_for(deps: Dependencies, council: str) -> Channel:
    """The council's channel: GOV.UK Notify when it has a key (services/notifications/notify_channel.py), else the
    local outbox."""
    from services.notifications.notify_channel import notify_channel, notify_settings_for
    from shared.notify.settings import check_api_key

    settings = notify_settings_for(deps, council)
    if settings is not None:
        problems = check_api_key(settings.api_key)  # e.g. the placeholder the stack creates the secret with
        if problems:
            return unsendable(f"council {council}'s GOV.UK Notify key: {problems[0]}")
        return notify_channel(settings)
    if deps.settings.runtime == "aws":  # a Lambda has no outbox anyone reads: the missing key is shown to officers
        return unsendable(
            f"council {council} has no GOV.UK Notify API key (an administrator sets it: bops councils set-notify)"
        )
    return outbox_channel(deps)


def _NO_TEMPLATE(kind: str) -> str:
    return "none"


def unsendable(reason: str) -> Channel:
    """A channel whose every message fails for good with the reason; it sends nothing, so it needs no once-only
    guard (the idempotency table's write and delete per message)."""
    return Channel("notify", Unsendable(reason), _NO_TEMPLATE, once_only=False)


class Unsendable:
    """The gateway of a council whose mail cannot go (a deployed council without a usable GOV.UK Notify key): every
    message fails for good with the reason (one `NotificationFailed` each, shown to officers), rather than vanish
    into a Lambda's temporary disk or fail at every retry."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def send_email(
        self,
        *,
        email_address: str,
        template_id: str,
        personalisation: dict[str, str],
        reference: str,
        email_reply_to_id: str | None,
    ) -> str:
        raise PermanentFailure(self.reason, configuration=True)


def outbox_channel(deps: Dependencies) -> Channel:
    from services.notifications.outbox import OUTBOX_TEMPLATE, LocalOutbox, outbox_path

    outbox = deps.memo("notifications-outbox", lambda d: LocalOutbox(outbox_path(d.settings.data_dir), d.clock))
    return Channel("outbox", outbox, lambda kind: OUTBOX_TEMPLATE)
