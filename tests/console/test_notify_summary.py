"""The dashboard warns of the council's GOV.UK Notify problem and counts its failed messages until an officer
acknowledges them (shared/notification_records.py's `acknowledge_failure`, what the console's action calls)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events import Actor, NewEvent
from events.notifications import NotificationFailed, NotifyConfigurationProblem
from events.streams import application_side_stream, council_stream
from shared.notification_records import acknowledge_failure, unacknowledged_failures

pytestmark = pytest.mark.slow
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def failed(notification_id: str) -> NotificationFailed:
    return NotificationFailed(
        notification_id=notification_id,
        kind="receipt",
        recipient_role="applicant",
        masked_address="a***@example.org",
        reason="Notify: permanent-failure: the email address does not exist",
        permanent=True,
    )


def test_the_dashboard_counts_failed_messages_until_acknowledged_and_shows_a_notify_problem(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    assert browser.sign_in("ann@demo.example") == 303
    _, _, html = browser.get("/")
    assert 'id="notify-summary"' not in html

    side = application_side_stream("DEMO", "26-00001-HAPP", "notifications")
    served.store.append(side, 0, [NewEvent(failed(f"e{i}:applicant"), "DEMO", Actor.system(), AT) for i in (1, 2)])
    other = application_side_stream("OTHR", "26-00001-HAPP", "notifications")
    served.store.append(other, 0, [NewEvent(failed("e9:applicant"), "OTHR", Actor.system(), AT)])
    problem = NotifyConfigurationProblem(source="send", reasons=("403 Invalid token: API key revoked",))
    stream = council_stream("DEMO")
    served.store.append(stream, served.store.stream_version(stream), [NewEvent(problem, "DEMO", Actor.system(), AT)])
    served.caught_up()
    _, _, html = browser.get("/")
    assert "2 failed messages not yet acknowledged" in html
    assert "settings have a problem: 403 Invalid token: API key revoked" in html

    ann = Actor(kind="officer", id="ann", display_name="Ann Assessor")
    acknowledge_failure(served.store, "DEMO", "26-00001-HAPP", "e1:applicant", ann, AT)
    served.caught_up()
    _, _, html = browser.get("/")
    assert "1 failed message not yet acknowledged" in html
    read_models = served.runtime.deps.read_models
    assert [f.notification_id for f in unacknowledged_failures(read_models, "DEMO", "26-00001-HAPP")] == [
        "e2:applicant"
    ]
