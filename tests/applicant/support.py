"""An application with open validation requests, made the way officers make them (the domain's commands), in the
embedded runtime; multipart bodies as a browser sends them; the applicant's links."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from events import NewEvent
from events.streams import application_side_stream, application_stream
from services.assessment.domain import fold
from services.assessment.domain.validation import invalidate
from services.assessment.domain.validation_requests import cancel_validation_request, draft_validation_request
from shared.applicant_links import applicant_path, applicant_token, link_secret
from shared.calendar import LONDON
from shared.eventstore.port import merged
from shared.officer_identity import SignedInOfficer
from tests.conftest import ODP

COUNCIL = "TST"
OFFICER = SignedInOfficer(COUNCIL, "officer-1", "Ann Officer", "assessor")
DETAILS: dict[str, dict[str, Any]] = {
    "description_change": {"proposed_description": "Single storey rear extension, 3 m deep"},
    "additional_document": {"requested_document": "A floor plan of the extension"},
    "other_change": {"suggestion": "Tell us the height of the new boundary wall"},
    "fee_change": {"fee_amount": "258.00"},
}
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@dataclass
class Case:
    runtime: Any
    reference: str
    requests: dict[str, str]  # type -> request id

    @property
    def deps(self) -> Any:
        return self.runtime.deps

    def path(self, request_type: str, json_twin: bool = False) -> str:
        path = applicant_path(COUNCIL, self.reference, self.requests[request_type])
        return "/api/applicant/v1" + path.removeprefix("/applicant") if json_twin else path

    def link(self, request_type: str, json_twin: bool = False) -> str:
        secret = link_secret(self.deps.secrets, COUNCIL)
        token = applicant_token(secret, COUNCIL, self.reference, self.requests[request_type])
        return f"{self.path(request_type, json_twin)}?token={token}"

    def state(self) -> Any:
        store = self.deps.event_store
        streams = [application_stream(COUNCIL, self.reference)]
        streams += [application_side_stream(COUNCIL, self.reference, side) for side in ("documents", "notifications")]
        return fold(merged(store.read(stream) for stream in streams))

    def versions(self) -> tuple[int, int]:
        store = self.deps.event_store
        return (
            store.stream_version(application_stream(COUNCIL, self.reference)),
            store.stream_version(application_side_stream(COUNCIL, self.reference, "documents")),
        )

    def act(self, command: Any, **inputs: Any) -> None:
        """Run an officer's command on the current state and append its events (the officer API's job)."""
        state = self.state()
        payloads = command(state, OFFICER, **inputs)
        events = [NewEvent(p, COUNCIL, OFFICER.actor(), self.deps.clock.now()) for p in payloads]
        self.deps.event_store.append(application_stream(COUNCIL, self.reference), state.version, events)

    def today(self) -> Any:
        return self.deps.clock.now().astimezone(LONDON).date()

    def cancel(self, request_type: str) -> None:
        self.act(
            cancel_validation_request, request_id=self.requests[request_type], reason="Not needed", today=self.today()
        )


def invalid_application(
    runtime: Any, request_types: tuple[str, ...] = tuple(DETAILS), replaced_file: str | None = None
) -> Case:
    """A householder application, invalidated with one open request of each of `request_types` (and with
    `replaced_file`, an officer's upload of that name and a replacement request for it); the council's link secret
    created (as the notifications service will on its first link)."""
    from services.councils.service import CouncilService
    from services.intake.accept import IntakeService
    from shared.odp import OdpValidator

    deps = runtime.deps
    councils = CouncilService(deps.event_store, deps.clock)
    if not councils.load(COUNCIL).exists:
        councils.create_council(COUNCIL, "Testshire District Council", "testshire")
    payload = json.loads((ODP / "examples/application/planningPermission/fullHouseholder.json").read_text())
    payload["metadata"]["id"] = str(uuid.uuid4())
    payload["metadata"]["organisation"] = COUNCIL
    payload["files"] = []
    intake = IntakeService(
        deps.event_store, deps.documents, deps.clock, OdpValidator(ODP / "schemas"), deps.council_settings
    )
    from events import Actor

    accepted = intake.submit(
        COUNCIL, json.dumps(payload).encode(), payload, Actor(kind="api_client", id="k", display_name="PlanX")
    )
    case = Case(runtime, accepted.reference, {})
    if replaced_file is not None:
        case.requests["replacement_document"] = upload_for_replacement(case, replaced_file)
    for request_type in request_types:
        request_id = str(uuid.uuid4())
        case.act(
            draft_validation_request,
            request_id=request_id,
            request_type=request_type,
            reason=f"We need this ({request_type})",
            today=case.today(),
            **DETAILS[request_type],
        )
        case.requests[request_type] = request_id
    case.act(invalidate, today=case.today())
    link_secret(deps.secrets, COUNCIL, create=True)
    return case


def upload_for_replacement(case: Case, file_name: str) -> str:
    """An officer's upload of `file_name` (on the documents side stream) and a replacement request for it: its id."""
    from services.assessment.domain import UploadedDocument, upload_document

    document_id, request_id = str(uuid.uuid4()), str(uuid.uuid4())
    document = UploadedDocument(document_id, file_name, f"{COUNCIL}/{file_name}", "0" * 64, len(PDF), "application/pdf")
    payloads = upload_document(case.state(), OFFICER, document=document)
    events = [NewEvent(p, COUNCIL, OFFICER.actor(), case.deps.clock.now()) for p in payloads]
    documents = application_side_stream(COUNCIL, case.reference, "documents")
    case.deps.event_store.append(documents, case.versions()[1], events)
    case.act(
        draft_validation_request,
        request_id=request_id,
        request_type="replacement_document",
        reason="The site plan has no scale",
        document_id=document_id,
        today=case.today(),
    )
    return request_id


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it, and its Content-Type."""
    boundary = "----bops" + uuid.uuid4().hex
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            value.encode(),
        ]
    for name, (file_name, content) in (files or {}).items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"; filename="{file_name}"'.encode(),
            b"Content-Type: application/octet-stream",
            b"",
            content,
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"
