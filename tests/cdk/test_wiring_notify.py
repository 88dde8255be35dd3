"""The synthesised stack, played on moto (tests/cdk/harness.py): a submitted application's receipt goes out on the
template's path (the log's stream → the Pipe → the sender's rule → the sender function with the template's
environment, its idempotency table and its secret) through the real `notifications-python-client` to the local
Notify-compatible server, at the base URL the council's settings give; Notify's callback reaches the callback route and
records the delivery once, and the status poller's schedule then has nothing left to ask.

Without the sender's rule, nothing reaches Notify: the template, not the test, wires it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.notifications.declaration import (
    CALLBACK_PATH,
    NOTIFY_CALLBACK_TOKEN_SECRET,
    SENDER_HANDLER,
    STATUS_POLLER_HANDLER,
)
from tests.cdk.harness import without
from tests.cdk.test_wiring import deployed, post, rule_targeting, submission
from tests.notify_server import FakeNotify, notify_server

__all__ = ["notify_server"]
pytestmark = pytest.mark.xdist_group("cdk")
CALLBACK_TOKEN = "the-council-s-notify-callback-token"


def configure_notify(stack: Any, notify: FakeNotify) -> str:
    """What an administrator does (`bops councils set-notify --callback-token`), with the sender's environment: the
    settings checked against Notify, the key and the callback token into Secrets Manager. The generic template's id."""
    template_id = notify.add_template()
    [sender] = stack.harness.functions_with_handler(SENDER_HANDLER)
    with stack.harness.running_as(sender.logical_id):
        from events.council import CouncilSettingsChanges, NotifyConfiguration
        from services.councils.service import CouncilService
        from shared.notify.settings import save_callback_token, save_notify_settings
        from shared.wiring import dependencies

        deps = dependencies()
        service = CouncilService(deps.event_store, deps.clock)
        configuration = NotifyConfiguration(base_url=notify.base_url, generic_template_id=template_id)
        save_notify_settings(
            stack.council,
            notify.api_key,
            configuration,
            deps.secrets,
            lambda saved: service.change_settings(stack.council, CouncilSettingsChanges(notify=saved)),
        )
        save_callback_token(stack.council, CALLBACK_TOKEN, deps.secrets)
    stack.harness.deliver()
    return template_id


def logged(stack: Any, event_type: str) -> list[dict[str, Any]]:
    return [json.loads(item["data"]["S"])["payload"] for item in stack.events(event_type)]


def test_the_receipt_of_a_submitted_application_goes_through_notify_on_the_templates_path(synthesised, notify_server):
    with deployed(synthesised) as stack:
        template_id = configure_notify(stack, notify_server)
        response = post(stack, submission(stack), stack.key)
        assert response.status == 201, response.body
        reference = response.json()["reference"]
        stack.harness.deliver()

        receipts = notify_server.sent()
        assert receipts and {body["template_id"] for body in receipts} == {template_id}
        assert all(reference in body["personalisation"]["subject"] for body in receipts)
        sent = logged(stack, "NotificationSent")
        assert {s["notification_id"] for s in sent} == {body["reference"] for body in receipts}
        assert {(s["kind"], s["channel"]) for s in sent} == {("receipt", "notify")}
        assert not logged(stack, "NotificationFailed") and not logged(stack, "NotifyConfigurationProblem")
        [sender] = stack.harness.functions_with_handler(SENDER_HANDLER)
        assert sender.environment["BOPS_IDEMPOTENCY_TABLE"]  # the stack's table, the records' only home
        idempotency = stack.harness.logical_id_of("AWS::DynamoDB::Table", sender.environment["BOPS_IDEMPOTENCY_TABLE"])
        assert len(stack.harness.scan(idempotency)) == len(receipts)

        # Notify's delivery receipt for the first message, through the callback route (twice: recorded once)
        first = sent[0]
        body = {"id": first["notify_id"], "reference": first["notification_id"], "status": "delivered"}
        path = CALLBACK_PATH.replace("{council}", stack.council)
        bearer = {"Authorization": f"Bearer {CALLBACK_TOKEN}"}
        assert stack.harness.request("POST", path, body, {"Authorization": "Bearer wrong-token"}).status == 403
        answered = stack.harness.request("POST", path, body, bearer)
        assert answered.status == 200 and answered.json() == {"recorded": True}
        assert stack.harness.request("POST", path, body, bearer).json()["recorded"] is False
        stack.harness.deliver()
        assert [d["notification_id"] for d in logged(stack, "NotificationDelivered")] == [first["notification_id"]]

        # the poller asks only about what is still awaited (the read model), and records the rest once
        for notify_id in notify_server.service.notifications:
            notify_server.set_status(notify_id, "delivered")
        [poller] = stack.harness.functions_with_handler(STATUS_POLLER_HANDLER)
        schedule = next(
            id
            for id, r in stack.harness.template["Resources"].items()
            if r["Type"] == "AWS::Scheduler::Schedule"
            and r["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [poller.logical_id, "Arn"]}
        )
        run = stack.harness.run_schedule(schedule)
        assert run["asked"] == len(sent) - 1 and run["delivered"] == len(sent) - 1
        stack.harness.deliver()
        assert stack.harness.run_schedule(schedule)["asked"] == 0
        assert len(logged(stack, "NotificationDelivered")) == len(sent)


def test_without_the_senders_rule_nothing_reaches_notify(synthesised, notify_server):
    def remove_rule(template: dict[str, Any]) -> dict[str, Any]:
        return without(template, rule_targeting(template, SENDER_HANDLER))

    with deployed(synthesised, remove_rule) as stack:
        configure_notify(stack, notify_server)
        assert post(stack, submission(stack), stack.key).status == 201
        stack.harness.deliver()
        assert logged(stack, "PlanningApplicationSubmitted")
        assert notify_server.sent() == [] and not logged(stack, "NotificationSent")


def test_the_callback_token_is_the_stacks_secret_of_its_own(synthesised):
    """The callback route's function may read only the council's callback token, which the stack generates."""
    council = synthesised.councils[0]
    template = synthesised.template(council)
    name = NOTIFY_CALLBACK_TOKEN_SECRET.format(council=council.code)
    secrets = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::SecretsManager::Secret" and name in json.dumps(r)
    ]
    assert len(secrets) == 1 and "GenerateSecretString" in secrets[0]["Properties"]
