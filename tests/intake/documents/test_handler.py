"""The Lambda handler with the embedded wiring: a real bus message in, the documents side stream out."""

from __future__ import annotations

import pytest

from events.application import DocumentFetchFailed, DocumentReceived
from events.council import CouncilSettingsChanges
from events.streams import application_side_stream
from services.councils.service import CouncilService
from services.intake.documents.credentials import store_download_credential
from services.intake.documents.handler import lambda_handler
from shared import wiring
from shared.bus.messages import bus_message
from tests.councils.support import fast_hasher
from tests.intake.documents.support import COUNCIL, CREDENTIAL, REFERENCE, submission, submitted


@pytest.fixture
def deps(tmp_path, monkeypatch):
    monkeypatch.setenv("BOPS_RUNTIME", "embedded")
    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BOPS_NOW", raising=False)
    monkeypatch.delenv("BOPS_TIME_OFFSET_DAYS", raising=False)
    wiring.reset()
    yield wiring.dependencies()
    wiring.reset()


def message_for(store, event_id):
    stored = next(row for row in store.read_all_stored() if str(event_id) in row.data.decode())
    return bus_message(stored, stored.position)


def test_handles_a_submission_from_the_bus(deps, server):
    councils = CouncilService(deps.event_store, deps.clock, hasher=fast_hasher())
    councils.create_council(COUNCIL, "Demo Council", "demo")
    # the council rules refuse loopback addresses; `localhost` is this machine, fetched by the embedded runtime only
    councils.change_settings(COUNCIL, CouncilSettingsChanges(allow_download_hosts=(f"localhost:{server.port}",)))
    store_download_credential(deps.secrets, COUNCIL, CREDENTIAL)
    local_url = server.url("/private/plan.pdf").replace("127.0.0.1", "localhost")
    event = submitted(deps.event_store, submission([local_url, "https://files.planx.uk/elsewhere.pdf"]))

    response = lambda_handler(message_for(deps.event_store, event.event_id), None)
    lambda_handler(message_for(deps.event_store, event.event_id), None)  # delivered twice

    assert response == {"status": "handled", "event_id": str(event.event_id)}
    outcomes = [e.payload for e in deps.event_store.read(application_side_stream(COUNCIL, REFERENCE, "documents"))]
    assert [type(o) for o in outcomes] == [DocumentReceived, DocumentFetchFailed]
    assert deps.documents.exists(outcomes[0].key)
    assert outcomes[1].reason == "host files.planx.uk is not on the council's download allowlist"
    assert CREDENTIAL.encode() not in b"".join(p.read_bytes() for p in deps.settings.data_dir.glob("events.sqlite*"))


def test_localhost_is_fetched_by_the_embedded_runtime_only():
    from services.intake.documents.handler import loopback_allowed
    from shared.settings import Settings

    assert loopback_allowed(Settings(runtime="embedded"))
    assert not loopback_allowed(Settings(runtime="aws"))  # the stack never sets it: loopback is the runtime API
    assert loopback_allowed(Settings.from_environment({"BOPS_RUNTIME": "aws", "BOPS_ALLOW_LOOPBACK_DOWNLOADS": "1"}))


def test_ignores_other_events(deps):
    councils = CouncilService(deps.event_store, deps.clock, hasher=fast_hasher())
    created = councils.create_council(COUNCIL, "Demo Council", "demo")
    [recorded] = deps.event_store.read(f"council:{created.code}")

    lambda_handler(message_for(deps.event_store, recorded.event_id), None)

    assert list(deps.event_store.stream_ids("application:")) == []
