"""The sender through GOV.UK Notify: a council with a key sends with the real client to the local Notify server, its
own template per kind (or the generic one), its reply-to id; 429 / 500 / a hang are retried and the message is sent
once; a 400 is one NotificationFailed in the audit trail, never retried. A council without a key uses the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from events import Actor, NewEvent
from events.council import CouncilSettingsChanged, CouncilSettingsChanges, NotifyConfiguration
from events.streams import council_stream
from services.assessment.officer_api.audit import audit_entries
from services.notifications.service import notify
from shared.notify import client as notify_gateway
from shared.notify.gateway import TemporaryFailure
from shared.notify.settings import save_notify_settings
from tests.notifications.support import AGENT_EMAIL, APPLICANT_EMAIL, COUNCIL, START, Application
from tests.notify_server import FakeNotify, notify_server

__all__ = ["notify_server"]


@pytest.fixture
def configured(deps: Any, notify_server: FakeNotify) -> dict[str, str]:
    """DEMO sends through the local Notify: its own receipt template, a generic one for the rest, a reply-to id."""
    ids = {
        "receipt": notify_server.add_template("Application ((reference)) received", "Dear ((name)), ((body))"),
        "generic": notify_server.add_template(),
        "reply_to": notify_server.service.add_reply_to(),
    }
    configuration = NotifyConfiguration(
        base_url=notify_server.base_url,
        templates={"receipt": ids["receipt"]},
        generic_template_id=ids["generic"],
        reply_to_id=ids["reply_to"],
    )

    def record(saved: NotifyConfiguration) -> None:
        stream = council_stream(COUNCIL)
        change = CouncilSettingsChanged(changes=CouncilSettingsChanges(notify=saved))
        deps.event_store.append(
            stream, deps.event_store.stream_version(stream), [NewEvent(change, COUNCIL, Actor.system(), START)]
        )

    save_notify_settings(COUNCIL, notify_server.api_key, configuration, deps.secrets, record)
    return ids


def deliver(event: Any, attempts: int = 5) -> int:
    """Deliver like the relay: again after a temporary failure; how many deliveries it took."""
    for attempt in range(1, attempts + 1):
        try:
            notify(event)
            return attempt
        except TemporaryFailure:
            continue
    raise AssertionError(f"still failing after {attempts} deliveries")


def test_receipt_goes_through_notify_with_the_councils_template(
    deps: Any, notify_server: FakeNotify, configured: dict[str, str]
) -> None:
    application = Application(deps.event_store)
    [submitted] = application.recorded
    assert deliver(submitted) == 1
    sent = notify_server.sent()
    assert sorted(body["email_address"] for body in sent) == sorted([APPLICANT_EMAIL, AGENT_EMAIL])
    assert {body["template_id"] for body in sent} == {configured["receipt"]}
    assert {body["email_reply_to_id"] for body in sent} == {configured["reply_to"]}
    records = application.sent()
    assert sorted(r.notification_id for r in records) == sorted(body["reference"] for body in sent)
    assert {r.notify_id for r in records} == set(notify_server.service.notifications)
    assert {(r.channel, r.template_id) for r in records} == {("notify", configured["receipt"])}
    application.withdraw()
    deliver(application.recorded[-1])  # no template of its own: the generic one, subject and body personalised
    withdrawn = notify_server.sent()[2:]
    assert {body["template_id"] for body in withdrawn} == {configured["generic"]}
    assert all({"subject", "body"} <= set(body["personalisation"]) for body in withdrawn)


def test_rate_limit_and_server_error_are_retried_and_each_message_sent_once(
    deps: Any, notify_server: FakeNotify, configured: dict[str, str]
) -> None:
    application = Application(deps.event_store)
    [submitted] = application.recorded
    notify_server.fail_next("429", "500")
    assert deliver(submitted) == 2
    assert len(notify_server.sent()) == 2 and len(application.sent()) == 2
    statuses = [r.status for r in notify_server.requests if r.method == "POST"]
    assert statuses == [429, 500, 201, 201]
    deliver(submitted)  # delivered once more (at least once on the bus): nothing is sent again
    assert len(notify_server.sent()) == 2 and len(application.sent()) == 2
    assert application.failed() == []


def test_a_hang_times_out_and_is_retried(
    deps: Any, notify_server: FakeNotify, configured: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify_gateway, "DEFAULT_TIMEOUT_S", 0.5)
    application = Application(deps.event_store, agent=False)
    [submitted] = application.recorded
    notify_server.fail_next("hang")
    assert deliver(submitted) == 2
    assert [body["email_address"] for body in notify_server.sent()] == [APPLICANT_EMAIL]
    assert len(application.sent()) == 1


def test_a_client_error_is_one_notification_failed_in_the_audit_trail(
    deps: Any, notify_server: FakeNotify, configured: dict[str, str]
) -> None:
    application = Application(deps.event_store, agent=False)
    [submitted] = application.recorded
    notify_server.fail_next("400")
    assert deliver(submitted) == 1  # not retried
    deliver(submitted)  # a redelivery sends nothing either
    [failed] = application.failed()
    assert failed.permanent and failed.kind == "receipt" and "team-only API key" in failed.reason
    assert notify_server.sent() == [] and application.sent() == []
    [entry] = [e for e in audit_entries(application.notifications()) if e["eventType"] == "NotificationFailed"]
    assert "failed: 400" in entry["what"] and "a***@example.org" in entry["what"]


def test_without_a_key_the_outbox(deps: Any, notify_server: FakeNotify, outbox: Any) -> None:
    application = Application(deps.event_store, agent=False)
    deliver(application.recorded[0])
    assert notify_server.requests == []
    assert [r.channel for r in application.sent()] == ["outbox"]


def test_a_key_notify_refuses_when_sending_is_a_problem_shown_to_administrators_once(
    deps: Any, notify_server: FakeNotify, configured: dict[str, str]
) -> None:
    from events.notifications import NotifyConfigurationProblem
    from shared.councils.profile import CouncilProfiles

    first, second = Application(deps.event_store, agent=False), Application(deps.event_store, "26-00002-HAPP")
    notify_server.fail_next("403", "403", "403")  # the key was revoked in Notify
    for application in (first, second):
        deliver(application.recorded[0])
    assert len(first.failed()) == 1 and len(second.failed()) == 2
    council = list(deps.event_store.read(council_stream(COUNCIL)))
    [problem] = [e.payload for e in council if isinstance(e.payload, NotifyConfigurationProblem)]
    assert problem.source == "send" and problem.reasons == ("403 Invalid token: API key revoked",)
    assert problem.notification_id == first.failed()[0].notification_id
    assert CouncilProfiles(deps.event_store).load(COUNCIL).notify_problem == problem


def test_a_team_only_key_is_a_configuration_problem_and_a_server_error_is_not(
    deps: Any, notify_server: FakeNotify, configured: dict[str, str]
) -> None:
    from shared.councils.profile import CouncilProfiles

    application = Application(deps.event_store, agent=False)
    notify_server.fail_next("400")  # a team-only key: the settings
    deliver(application.recorded[0])
    assert CouncilProfiles(deps.event_store).load(COUNCIL).notify_problem is not None
    second = Application(deps.event_store, "26-00002-HAPP", agent=False)
    notify_server.fail_next("500")
    deliver(second.recorded[0])  # retried and sent: nothing more recorded
    problems = [e for e in deps.event_store.read(council_stream(COUNCIL)) if e.event_type.startswith("NotifyConf")]
    assert len(problems) == 1
