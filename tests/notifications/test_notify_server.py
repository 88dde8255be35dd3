"""The local Notify server answers the real client as Notify does: its JWT check, its answers and its faults."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
import requests
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import HTTPError

from tests.notify_server import FakeNotify, notify_server

__all__ = ["notify_server"]


def _client(notify: FakeNotify, api_key: str | None = None, timeout: float = 5) -> NotificationsAPIClient:
    return NotificationsAPIClient(api_key or notify.api_key, base_url=notify.base_url, timeout=timeout)


def test_sends_an_email_and_reports_its_status(notify_server: FakeNotify) -> None:
    template = notify_server.add_template("Your application ((reference))", "Dear ((name))")
    client = _client(notify_server)
    sent = client.send_email_notification("a@example.com", template, {"reference": "R1", "name": "Ann"}, "ref-1")
    assert sent["content"]["subject"] == "Your application R1"
    assert client.get_notification_by_id(sent["id"])["status"] == "created"
    notify_server.set_status(sent["id"], "delivered")
    status = client.get_notification_by_id(sent["id"])
    assert (status["status"], status["reference"]) == ("delivered", "ref-1")
    assert client.get_template(template)["subject"] == "Your application ((reference))"
    assert notify_server.sent() == [
        {
            "email_address": "a@example.com",
            "template_id": template,
            "reference": "ref-1",
            "personalisation": {"reference": "R1", "name": "Ann"},
        }
    ]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ("wrong secret", 403, "Invalid token: API key not found"),
        ("unknown service", 403, "Invalid token: service not found"),
        ("old token", 403, "Token has expired"),
    ],
)
def test_refuses_a_bad_token(notify_server: FakeNotify, change: str, status: int, message: str) -> None:
    service, secret = notify_server.service.id, notify_server.service.secrets[0]
    claims: dict[str, Any] = {"iss": service, "iat": int(time.time())}
    key = secret
    if change == "wrong secret":
        key = "0" * 36
    elif change == "unknown service":
        claims["iss"] = "11111111-1111-1111-1111-111111111111"
    else:
        claims["iat"] -= 60
    token = jwt.encode(claims, key, algorithm="HS256")
    response = requests.get(
        notify_server.base_url + "/v2/template/x", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert response.status_code == status
    assert message in response.json()["errors"][0]["message"]
    assert requests.get(notify_server.base_url + "/v2/template/x", timeout=5).status_code == 401


def test_a_key_of_another_service_is_refused(notify_server: FakeNotify) -> None:
    other = FakeNotify().service.new_api_key()  # same format, unknown here
    with pytest.raises(HTTPError) as raised:
        _client(notify_server, other).get_template(notify_server.add_template())
    assert raised.value.status_code == 403


def test_faults_on_demand_then_normal_answers(notify_server: FakeNotify) -> None:
    template = notify_server.add_template()
    client = _client(notify_server, timeout=0.3)
    notify_server.fail_next("429", "500", "400", "hang")
    statuses = []
    for _ in range(5):
        try:
            client.send_email_notification("a@example.com", template, {"subject": "s", "body": "b"})
            statuses.append(201)
        except HTTPError as error:
            statuses.append(error.status_code)
    assert statuses == [429, 500, 400, 503, 201]  # a timeout is the client's 503 "Request failed"
    assert len(notify_server.sent()) == 1


def test_validates_as_notify_does(notify_server: FakeNotify) -> None:
    template = notify_server.add_template("((subject))", "((body))")
    client = _client(notify_server)
    missing = "5f7a7c0e-0000-4000-8000-000000000000"
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"email_address": "a@example.com", "template_id": missing},
            "Template not found",
        ),
        ({"email_address": "not an address", "template_id": template}, "Not a valid email address"),
        (
            {"email_address": "a@example.com", "template_id": template, "personalisation": {"subject": "s"}},
            "Missing personalisation: body",
        ),
    ]
    for arguments, message in cases:
        with pytest.raises(HTTPError) as raised:
            client.send_email_notification(**arguments)
        assert raised.value.status_code == 400
        assert message in str(raised.value.message)
    with pytest.raises(HTTPError) as raised:
        client.get_template("5f7a7c0e-0000-4000-8000-000000000000")
    assert raised.value.status_code == 404
