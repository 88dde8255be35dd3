"""The document fetcher's Lambda handler: reacts to PlanningApplicationSubmitted (errors propagate: the bus retries)."""

from __future__ import annotations

from events import RecordedEvent
from events.application import PlanningApplicationSubmitted
from shared.bus.messages import subscriber


def handle(event: RecordedEvent) -> None:
    if not isinstance(event.payload, PlanningApplicationSubmitted):
        return
    from services.intake.documents.credentials import load_download_credential
    from services.intake.documents.fetcher import SafeHttpFetcher
    from services.intake.documents.service import documents_stream, fetch_documents
    from shared.background import Background
    from shared.wiring import dependencies

    deps = dependencies()

    def credential_and_storage() -> str | None:
        credential = load_download_credential(deps.secrets, event.council)
        deps.documents  # noqa: B018 - its client is built here, while the main thread waits on the event store
        return credential

    # Independent reads overlap: the secret and the documents stream are fetched while the settings are.
    credential = Background(credential_and_storage, "download-credential")
    store = deps.event_store
    recorded = Background(lambda: list(store.read(documents_stream(event))), "documents-stream")
    allowlist = deps.council_settings(event.council).allow_download_hosts
    download_credential = credential.result()  # before `deps.documents`: that thread builds it
    fetch_documents(
        event,
        store,
        deps.documents,
        SafeHttpFetcher(allowlist),
        allowlist,
        download_credential,
        deps.clock,
        recorded=recorded.result(),
    )


lambda_handler = subscriber(handle)
