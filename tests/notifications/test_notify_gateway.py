"""The Notify gateway with the real client against the local Notify server: Notify's answers become the sender's
TemporaryFailure (429, 5xx, timeout, no connection) or PermanentFailure (other 4xx, with Notify's reason)."""

from __future__ import annotations

import socket

import pytest

from shared.notify.client import NotifyGateway
from shared.notify.gateway import PermanentFailure, TemporaryFailure
from tests.notify_server import FakeNotify, notify_server

__all__ = ["notify_server"]

PERSONALISATION = {"subject": "Application received", "body": "We received your application."}


def _send(gateway: NotifyGateway, template: str, reference: str = "event-1:applicant") -> str:
    return gateway.send_email(
        email_address="applicant@example.com",
        template_id=template,
        personalisation=PERSONALISATION,
        reference=reference,
        email_reply_to_id=None,
    )


def test_sends_and_returns_notifys_id(notify_server: FakeNotify) -> None:
    template = notify_server.add_template()
    gateway = NotifyGateway(notify_server.api_key, base_url=notify_server.base_url)
    notify_id = _send(gateway, template)
    [sent] = notify_server.sent()
    assert sent["reference"] == "event-1:applicant" and sent["personalisation"] == PERSONALISATION
    assert gateway.notification_status(notify_id) == "created"
    notify_server.set_status(notify_id, "permanent-failure")
    assert gateway.notification_status(notify_id) == "permanent-failure"


@pytest.mark.parametrize("fault", ["429", "500", "503", "hang"])
def test_rate_limits_server_errors_and_timeouts_are_temporary(notify_server: FakeNotify, fault: str) -> None:
    template = notify_server.add_template()
    gateway = NotifyGateway(notify_server.api_key, base_url=notify_server.base_url, timeout_s=0.3)
    notify_server.fail_next(fault)
    with pytest.raises(TemporaryFailure):
        _send(gateway, template)
    assert notify_server.sent() == []
    _send(gateway, template)  # the next attempt goes through
    assert len(notify_server.sent()) == 1


def test_no_connection_is_temporary() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    gateway = NotifyGateway(FakeNotify().api_key, base_url=f"http://127.0.0.1:{port}", timeout_s=0.5)
    with pytest.raises(TemporaryFailure):
        _send(gateway, "5f7a7c0e-0000-4000-8000-000000000000")


def test_client_errors_are_permanent_with_notifys_reason(notify_server: FakeNotify) -> None:
    gateway = NotifyGateway(notify_server.api_key, base_url=notify_server.base_url)
    with pytest.raises(PermanentFailure) as raised:
        _send(gateway, "5f7a7c0e-0000-4000-8000-000000000000")
    assert raised.value.reason == "400 Template not found"
    template = notify_server.add_template()
    notify_server.fail_next("400")
    with pytest.raises(PermanentFailure) as raised:
        _send(gateway, template)
    assert "team-only API key" in raised.value.reason


def test_a_key_notify_does_not_know_is_permanent(notify_server: FakeNotify) -> None:
    template = notify_server.add_template()
    stranger = FakeNotify().service.new_api_key()
    with pytest.raises(PermanentFailure) as raised:
        _send(NotifyGateway(stranger, base_url=notify_server.base_url), template)
    assert raised.value.reason.startswith("403 Invalid token")
