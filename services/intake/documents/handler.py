"""The document fetcher's Lambda handler: reacts to PlanningApplicationSubmitted (every file of the submission) and
to DocumentFetchRequested (one failed file an officer asked for again); errors propagate: the bus retries."""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from events import RecordedEvent  # noqa: E402
from events.application import (  # noqa: E402
    DocumentFetchRequested,
    DocumentReceived,
    PlanningApplicationSubmitted,
)
from shared.bus.messages import subscriber  # noqa: E402
from shared.observability import count  # noqa: E402
from shared.settings import Settings  # noqa: E402


def handle(event: RecordedEvent) -> None:
    if not isinstance(event.payload, PlanningApplicationSubmitted | DocumentFetchRequested):
        return
    from services.intake.documents.credentials import load_download_credential
    from services.intake.documents.fetcher import SafeHttpFetcher
    from services.intake.documents.service import Downloads, fetch_again, fetch_documents
    from shared.wiring import dependencies

    deps = dependencies()
    settings = deps.council_settings(event.council)
    allowlist = settings.allow_download_hosts
    fetch = fetch_documents if isinstance(event.payload, PlanningApplicationSubmitted) else fetch_again
    downloads = Downloads(
        deps.event_store,
        deps.documents,
        SafeHttpFetcher(allowlist, allow_loopback=loopback_allowed(deps.settings)),
        allowlist,
        load_download_credential(deps.secrets, event.council),
        deps.clock,
    )
    appended = fetch(event, downloads)
    received = sum(isinstance(recorded.payload, DocumentReceived) for recorded in appended)
    count("DocumentsReceived", received)
    count("DocumentFetchFailures", len(appended) - received)


def loopback_allowed(settings: Settings) -> bool:
    """`localhost` downloads (the demo's sample files): on this machine; on AWS, loopback is the Lambda runtime API."""
    return settings.runtime == "embedded" or settings.allow_loopback_downloads


lambda_handler = subscriber(handle)
