"""Notify's delivery-status callback (`POST /callbacks/notify/{council}`): the council's bearer token, Notify's body,
each final status recorded once on the notifications stream whoever reports it first (callback or poller), and a
4xx with reasons for everything else, nothing recorded."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from events import Actor, NewEvent
from events.council import CouncilSettingsChanged, CouncilSettingsChanges, NotifyConfiguration
from events.notifications import NotificationSent
from events.streams import application_side_stream, council_stream
from services.notifications import delivery
from services.notifications.declaration import CALLBACK_PATH, NOTIFY_CALLBACK_TOKEN_SECRET
from shared.apigateway import proxy_event
from shared.notify.settings import api_key_secret_name
from tests.notifications.support import COUNCIL, START, project_outstanding
from tests.notify_server import FakeNotify, notify_server

__all__ = ["notify_server"]

TOKEN = "a-long-random-callback-token-0123456789"
REFERENCE = "26-00001-HAPP"
STREAM = application_side_stream(COUNCIL, REFERENCE, "notifications")


def project(deps: Any) -> None:
    project_outstanding(deps.event_store, deps.read_models)


def sent(deps: Any, index: int, notify_id: str | None) -> str:
    notification_id = f"event-{index}:applicant"
    payload = NotificationSent(
        notification_id=notification_id,
        kind="receipt",
        recipient_role="applicant",
        masked_address="a***@example.org",
        template_id="t",
        channel="notify",
        notify_id=notify_id,
        triggered_by=f"event-{index}",
    )
    store = deps.event_store
    store.append(STREAM, store.stream_version(STREAM), [NewEvent(payload, COUNCIL, Actor.system(), START)])
    project(deps)
    return notification_id


def post(council: str, body: Any, token: str | None = TOKEN) -> tuple[int, dict[str, Any]]:
    from services.notifications.callback import lambda_handler

    path = CALLBACK_PATH.replace("{council}", council)
    headers = [("Content-Type", "application/json")] + ([("Authorization", f"Bearer {token}")] if token else [])
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    response = lambda_handler(proxy_event("POST", path, CALLBACK_PATH, {"council": council}, headers, [], raw))
    return response["statusCode"], orjson.loads(response["body"])


def receipt(notification_id: str, notify_id: str, status: str = "delivered") -> dict[str, Any]:
    """What Notify posts (https://docs.notifications.service.gov.uk/python.html#delivery-receipts)."""
    return {
        "id": notify_id,
        "reference": notification_id,
        "to": "alice.applicant@example.org",
        "status": status,
        "created_at": "2026-03-03T10:00:00.000000Z",
        "completed_at": "2026-03-03T10:00:05.000000Z",
        "sent_at": "2026-03-03T10:00:01.000000Z",
        "notification_type": "email",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "template_version": 1,
    }


def outcomes(deps: Any) -> list[str]:
    return [e.event_type for e in deps.event_store.read(STREAM) if e.event_type != "NotificationSent"]


@pytest.fixture
def configured(deps: Any, notify_server: FakeNotify) -> FakeNotify:
    template = notify_server.add_template()
    configuration = NotifyConfiguration(base_url=notify_server.base_url, generic_template_id=template)
    store = deps.event_store
    event = NewEvent(
        CouncilSettingsChanged(changes=CouncilSettingsChanges(notify=configuration)), COUNCIL, Actor.system(), START
    )
    store.append(council_stream(COUNCIL), store.stream_version(council_stream(COUNCIL)), [event])
    deps.secrets.put(api_key_secret_name(COUNCIL), notify_server.api_key)
    deps.secrets.put(NOTIFY_CALLBACK_TOKEN_SECRET.format(council=COUNCIL), TOKEN)
    return notify_server


@pytest.mark.parametrize("status", ["delivered", "permanent-failure", "temporary-failure", "technical-failure"])
def test_a_final_status_is_recorded_once(deps, configured, status):
    notification_id = sent(deps, 1, "notify-1")
    assert post(COUNCIL, receipt(notification_id, "notify-1", status)) == (200, {"recorded": True})
    code, body = post(COUNCIL, receipt(notification_id, "notify-1", status))  # Notify tries again, or says it twice
    assert code == 200 and body["recorded"] is False and "already" in body["reason"]
    expected = "NotificationDelivered" if status == "delivered" else "NotificationFailed"
    assert outcomes(deps) == [expected]
    project(deps)
    if status != "delivered":
        from shared.notification_records import unacknowledged_failures

        [failure] = unacknowledged_failures(deps.read_models, COUNCIL, REFERENCE)
        assert status in failure.reason and failure.permanent == (status != "temporary-failure")


def test_the_callback_and_the_poller_reporting_the_same_status_record_it_once(deps, configured):
    gateway_id = configured_send(configured)
    first = sent(deps, 1, gateway_id)
    configured.set_status(gateway_id, "delivered")
    run = delivery.poll_statuses(deps.event_store, deps.read_models, deps.secrets, START)
    assert run.delivered == 1
    code, body = post(COUNCIL, receipt(first, gateway_id))  # before the read model saw the delivery
    assert code == 200 and body["recorded"] is False
    project(deps)
    assert post(COUNCIL, receipt(first, gateway_id))[0] == 404  # no longer awaited: nothing to record

    second_id = configured_send(configured)
    second = sent(deps, 2, second_id)
    configured.set_status(second_id, "delivered")
    assert post(COUNCIL, receipt(second, second_id)) == (200, {"recorded": True})
    again = delivery.poll_statuses(deps.event_store, deps.read_models, deps.secrets, START)  # read model not moved
    assert again.delivered == 0
    assert outcomes(deps) == ["NotificationDelivered", "NotificationDelivered"]


def configured_send(notify: FakeNotify) -> str:
    from shared.notify.client import NotifyGateway

    gateway = NotifyGateway(notify.api_key, base_url=notify.base_url)
    return gateway.send_email(
        email_address="alice.applicant@example.org",
        template_id=next(iter(notify.service.templates)),
        personalisation={"subject": "s", "body": "b"},
        reference="r",
        email_reply_to_id=None,
    )


def test_a_status_not_final_yet_records_nothing(deps, configured):
    notification_id = sent(deps, 1, "notify-1")
    code, body = post(COUNCIL, receipt(notification_id, "notify-1", "sending"))
    assert code == 200 and body == {"recorded": False, "reason": "the status is not final"}
    assert outcomes(deps) == []


@pytest.mark.parametrize(
    ("token", "code"),
    [(None, 401), ("", 401), ("wrong-token", 403), (TOKEN[:-1], 403), (TOKEN + "x", 403)],
)
def test_a_missing_or_wrong_token_is_refused_and_nothing_recorded(deps, configured, token, code):
    notification_id = sent(deps, 1, "notify-1")
    assert post(COUNCIL, receipt(notification_id, "notify-1"), token=token)[0] == code
    assert outcomes(deps) == []


def test_a_council_without_a_callback_token_or_unknown_refuses_every_callback(deps, configured):
    notification_id = sent(deps, 1, "notify-1")
    deps.secrets.delete(NOTIFY_CALLBACK_TOKEN_SECRET.format(council=COUNCIL))
    assert post(COUNCIL, receipt(notification_id, "notify-1"))[0] == 403
    assert post("NOPE", receipt(notification_id, "notify-1"))[0] == 403
    assert post("not a code", receipt(notification_id, "notify-1"))[0] == 403
    assert outcomes(deps) == []


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b"not json", ["body"]),
        (b"[1, 2]", ["body"]),
        ({}, ["id", "reference", "status"]),
        ({"id": "notify-1", "reference": None, "status": "delivered"}, ["reference"]),
        ({"id": 7, "reference": "event-1:applicant", "status": "delivered"}, ["id"]),
        ({"id": "notify-1", "reference": "event-1:applicant", "status": "bounced"}, ["status"]),
        ({"id": "notify-1", "reference": "x" * 301, "status": "delivered"}, ["reference"]),
    ],
)
def test_a_body_that_is_not_a_receipt_is_400_with_reasons(deps, configured, body, fields):
    sent(deps, 1, "notify-1")
    code, answer = post(COUNCIL, body)
    assert code == 400 and [error["field"] for error in answer["errors"]] == fields
    assert outcomes(deps) == []


def test_an_unknown_message_is_404_and_nothing_recorded(deps, configured):
    notification_id = sent(deps, 1, "notify-1")
    assert post(COUNCIL, receipt("event-9:applicant", "notify-9"))[0] == 404
    assert post(COUNCIL, receipt(notification_id, "notify-other"))[0] == 404  # not the id Notify gave it
    deps.secrets.put(NOTIFY_CALLBACK_TOKEN_SECRET.format(council="OTHR"), TOKEN)
    assert post("OTHR", receipt(notification_id, "notify-1"))[0] == 404  # another council's message
    assert outcomes(deps) == []
