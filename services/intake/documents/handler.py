"""The document fetcher's Lambda handler: reacts to PlanningApplicationSubmitted (errors propagate: the bus retries)."""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from events import RecordedEvent  # noqa: E402
from events.application import DocumentReceived, PlanningApplicationSubmitted  # noqa: E402
from shared.bus.messages import subscriber  # noqa: E402
from shared.observability import count  # noqa: E402
from shared.settings import Settings  # noqa: E402


def handle(event: RecordedEvent) -> None:
    if not isinstance(event.payload, PlanningApplicationSubmitted):
        return
    from services.intake.documents.credentials import load_download_credential
    from services.intake.documents.fetcher import SafeHttpFetcher
    from services.intake.documents.service import fetch_documents
    from shared.wiring import dependencies

    deps = dependencies()
    settings = deps.council_settings(event.council)
    allowlist = settings.allow_download_hosts
    appended = fetch_documents(
        event,
        deps.event_store,
        deps.documents,
        SafeHttpFetcher(allowlist, allow_loopback=loopback_allowed(deps.settings)),
        allowlist,
        load_download_credential(deps.secrets, event.council),
        deps.clock,
    )
    received = sum(isinstance(recorded.payload, DocumentReceived) for recorded in appended)
    count("DocumentsReceived", received)
    count("DocumentFetchFailures", len(appended) - received)


def loopback_allowed(settings: Settings) -> bool:
    """`localhost` downloads (the demo's sample files): on this machine; on AWS, loopback is the Lambda runtime API."""
    return settings.runtime == "embedded" or settings.allow_loopback_downloads


lambda_handler = subscriber(handle)
