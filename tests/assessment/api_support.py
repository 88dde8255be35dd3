"""Test support for the officer API: submitted applications in the log, officers, and calls to the Lambda handler with
API Gateway proxy events whose request context carries the signed-in officer (as the authorizers set it)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from events import Actor, NewEvent
from events.application import DocumentReceived, PlanningApplicationSubmitted
from events.notifications import NotificationSent
from events.streams import application_side_stream, application_stream
from events.submission import ConstraintSummary, ContactSummary, SiteSummary, SubmissionSummary
from shared.apigateway import proxy_event, response_body
from shared.eventstore.port import EventStore
from shared.officer_identity import SignedInOfficer

COUNCIL = "DEMO"
RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
ASSESSOR = SignedInOfficer(COUNCIL, "officer-ann", "Ann Assessor", "assessor")
OTHER_ASSESSOR = SignedInOfficer(COUNCIL, "officer-bob", "Bob Assessor", "assessor")
REVIEWER = SignedInOfficer(COUNCIL, "officer-rev", "Rita Reviewer", "reviewer")
ADMIN = SignedInOfficer(COUNCIL, "officer-adm", "Adam Admin", "administrator")
ELSEWHERE = SignedInOfficer("OTHR", "officer-oth", "Olly Other", "assessor")
API_CLIENT = Actor(kind="api_client", id="key-1", display_name="PlanX")


def submitted(
    reference: str,
    *,
    application_type: str = "pp.full.householder",
    address: str = "1 High Street, Exampleton",
    postcode: str = "EX1 2AB",
    received_at: datetime = RECEIVED,
    council: str = COUNCIL,
    constraints: tuple[ConstraintSummary, ...] = (),
) -> NewEvent:
    summary = SubmissionSummary(
        format="application",
        application_type=application_type,
        application_type_name="Householder planning permission",
        description="Single storey rear extension",
        site=SiteSummary(address=address, postcode=postcode),
        applicant=ContactSummary(type="individual", name="Pat Applicant", email="pat@example.org"),
        constraints=constraints,
    )
    payload = PlanningApplicationSubmitted(
        reference=reference,
        received_at=received_at,
        submission=summary,
        payload_key=f"{council}/submissions/x/{reference}.json",
        payload_sha256=hashlib.sha256(reference.encode()).hexdigest(),
        payload_size=2,
    )
    return NewEvent(payload, council, API_CLIENT, received_at)


def submit(store: EventStore, reference: str, council: str = COUNCIL, **details: Any) -> None:
    store.append(application_stream(council, reference), 0, [submitted(reference, council=council, **details)])


def receive_document(store: EventStore, reference: str, index: int = 0, council: str = COUNCIL) -> str:
    """A submitted file arrives on the documents side stream (as the document fetcher appends it)."""
    stream = application_side_stream(council, reference, "documents")
    document_id = f"doc-{index}"
    payload = DocumentReceived(
        document_id=document_id,
        file_index=index,
        source_url=f"https://files.example.org/{index}.pdf",
        file_name=f"plan-{index}.pdf",
        key=f"{council}/{reference}/documents/{index}.pdf",
        sha256="0" * 64,
        size=10,
        content_type="application/pdf",
        tags=("sitePlan.proposed",),
    )
    store.append(stream, store.stream_version(stream), [NewEvent(payload, council, Actor.system(), RECEIVED)])
    return document_id


def notify(store: EventStore, reference: str, council: str = COUNCIL) -> None:
    """The notifications service sends a message about the application (its own side stream)."""
    stream = application_side_stream(council, reference, "notifications")
    sent = NotificationSent(
        notification_id="e1:applicant",
        kind="receipt",
        recipient_role="applicant",
        masked_address="p***@example.org",
        template_id="template-1",
        channel="outbox",
        triggered_by="e1",
    )
    event = NewEvent(sent, council, Actor.system("notifications"), RECEIVED)
    store.append(stream, store.stream_version(stream), [event])


# Lambda runs one request at a time per process, and Powertools keeps the request being resolved where every thread
# sees it (a class attribute, and the resolver's route context): requests `call`ed from several threads take turns, as
# `bops serve` runs them (`bops.asgi.ONE_HANDLER_AT_A_TIME`). A race test's store lets another request run while one
# waits at its append (`others_may_run`): a race between two Lambda instances.
REQUEST_TURN = threading.Lock()


@contextmanager
def others_may_run() -> Iterator[None]:
    """Within a `call`: let another thread's request run meanwhile, then take this request's turn back with its
    Powertools state as it was."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    from services.assessment.officer_api.handler import app

    event, context, route = BaseRouter.current_event, BaseRouter.lambda_context, dict(app.context)
    REQUEST_TURN.release()
    try:
        yield
    finally:
        REQUEST_TURN.acquire()
        BaseRouter.current_event, BaseRouter.lambda_context = event, context
        app.context.clear()
        app.context.update(route)


def call(
    method: str,
    path: str,
    body: dict[str, Any] | bytes | None = None,
    officer: SignedInOfficer | None = ASSESSOR,
    query: Iterable[tuple[str, str]] = (),
) -> tuple[int, Any]:
    """One request to the officer API's Lambda handler, signed in as `officer` (None: nobody)."""
    from services.assessment.officer_api.handler import lambda_handler

    raw = orjson.dumps(body) if isinstance(body, dict) else (body or b"")
    parts = urlsplit(path)
    event = proxy_event(method, parts.path, parts.path, None, [("Content-Type", "application/json")], list(query), raw)
    if officer is not None:
        event["requestContext"]["authorizer"] = {**officer.context(), "principalId": f"officer:{officer.id}"}
    with REQUEST_TURN:
        response = lambda_handler(event, None)
    content = response_body(response)
    return response["statusCode"], orjson.loads(content) if content else None


def enlist(deps: Any, *officers: SignedInOfficer, active: bool = True) -> None:
    """The officers join their council (OfficerCreated on the council's stream, or deactivated with `active=False`)
    and the councils' officers projection puts them in the officers read model, as the relay would."""
    from events.council import OfficerCreated, OfficerDeactivated
    from events.streams import council_stream
    from services.councils.officer_projection import OfficerProjection
    from shared.projections.projector import Projector

    store = deps.event_store
    for officer in officers:
        stream = council_stream(officer.council)
        payloads: list[Any] = [
            OfficerCreated(
                officer_id=officer.id, email=f"{officer.id}@example.org", name=officer.name, role=officer.role
            )
        ]
        if not active:
            payloads.append(OfficerDeactivated(officer_id=officer.id))
        actor = Actor.system()
        store.append(
            stream, store.stream_version(stream), [NewEvent(p, officer.council, actor, RECEIVED) for p in payloads]
        )
    projector = Projector(OfficerProjection(), deps.read_models, lambda: store)
    for council in {officer.council for officer in officers}:
        for event in store.read(council_stream(council)):
            projector.handle(event)
