"""Acknowledging a failed notification from the application page, through `bops serve`: the button beside each failure
nobody acknowledged posts to the actions route with the session's CSRF token, appends one
`NotificationFailureAcknowledged`, and the dashboard's count drops; a second acknowledgement appends nothing and says
so; a form without its token, an administrator and another council's officer are refused, nothing appended."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from events import Actor, NewEvent
from events.streams import application_side_stream
from tests.console.support import NOW
from tests.console.test_notify_summary import failed
from tests.console.test_pages import submit

pytestmark = pytest.mark.slow
REFERENCE = "26-00001-HAPP"
ACTION = f"/applications/{REFERENCE}/actions/acknowledge_notification"
BUTTON = re.compile(
    r'<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]*)">\s*'
    r'<input type="hidden" name="notification_id" value="([^"]*)">'
)


def notifications_events(served, council: str = "DEMO", reference: str = REFERENCE) -> list[str]:
    return [e.event_type for e in served.store.read(application_side_stream(council, reference, "notifications"))]


def buttons(page: str) -> dict[str, tuple[str, str]]:
    """The acknowledge buttons on the application page: notification id → (form action, CSRF token)."""
    return {
        html_lib.unescape(nid): (html_lib.unescape(action), html_lib.unescape(token))
        for action, token, nid in BUTTON.findall(page)
    }


@pytest.fixture
def failures(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    served.officer("DEMO", "rita@demo.example", "reviewer", "Rita Reviewer")
    served.officer("DEMO", "adam@demo.example", "administrator", "Adam Admin")
    submit(served, REFERENCE)
    stream = application_side_stream("DEMO", REFERENCE, "notifications")
    served.store.append(
        stream,
        served.store.stream_version(stream),
        [NewEvent(failed(f"e{i}:applicant"), "DEMO", Actor.system(), NOW) for i in (1, 2)],
    )
    served.caught_up()

    def signed_in(email: str):
        browser = served.browser()
        assert browser.sign_in(email) == 303
        return browser

    return signed_in


def test_an_assessor_acknowledges_a_failure_once_and_the_dashboard_count_drops(served, failures):
    ann = failures("ann@demo.example")
    assert "2 failed messages not yet acknowledged" in ann.get("/")[2]
    page = ann.get(f"/applications/{REFERENCE}")[2]
    found = buttons(page)
    assert set(found) == {"e1:applicant", "e2:applicant"} and {a for a, _ in found.values()} == {ACTION}
    assert page[page.index('id="notifications"') :].count("govuk-tag--red") == 2

    _, token = found["e1:applicant"]
    status, headers, _ = ann.request("POST", ACTION, {"csrf_token": token, "notification_id": "e1:applicant"})
    assert status == 303 and headers["location"] == [f"/applications/{REFERENCE}?done=acknowledge_notification"]
    assert notifications_events(served).count("NotificationFailureAcknowledged") == 1
    status, _, page = ann.get(headers["location"][0])
    assert status == 200 and "govuk-notification-banner--success" in page and "Failed notification acknowledged" in page
    notifications = page[page.index('id="notifications"') :]
    assert set(buttons(page)) == {"e2:applicant"} and notifications.count("govuk-tag--red") == 1
    assert "(seen by Ann Assessor)" in notifications
    served.caught_up()
    assert "1 failed message not yet acknowledged" in ann.get("/")[2]

    # the same failure again (a second tab, or a second officer): a clear message, nothing appended
    rita = failures("rita@demo.example")
    _, rita_token = buttons(rita.get(f"/applications/{REFERENCE}")[2])["e2:applicant"]
    status, _, page = rita.request("POST", ACTION, {"csrf_token": rita_token, "notification_id": "e1:applicant"})
    assert status == 409 and "Ann Assessor already acknowledged this failed notification" in page
    assert notifications_events(served).count("NotificationFailureAcknowledged") == 1
    status, _, _ = rita.request("POST", ACTION, {"csrf_token": rita_token, "notification_id": "e2:applicant"})
    assert status == 303
    served.caught_up()
    assert "failed message" not in rita.get("/")[2]
    status, _, page = rita.request("POST", ACTION, {"csrf_token": rita_token, "notification_id": "nothing:here"})
    assert status == 404 and "There is no failed notification nothing:here" in page
    assert notifications_events(served).count("NotificationFailureAcknowledged") == 2


def test_refused_without_the_csrf_token_for_an_administrator_and_for_another_council(served, failures):
    ann = failures("ann@demo.example")
    _, token = buttons(ann.get(f"/applications/{REFERENCE}")[2])["e1:applicant"]
    assert ann.request("POST", ACTION, {"notification_id": "e1:applicant"})[0] == 400
    assert ann.request("POST", ACTION, {"csrf_token": "forged", "notification_id": "e1:applicant"})[0] == 400

    adam = failures("adam@demo.example")
    page = adam.get(f"/applications/{REFERENCE}")[2]
    assert buttons(page) == {} and "govuk-tag--red" in page  # shown, not offered
    adam_token = re.search(r'name="csrf_token" value="([^"]*)"', page)
    assert adam_token is not None
    status, _, page = adam.request(
        "POST", ACTION, {"csrf_token": adam_token.group(1), "notification_id": "e1:applicant"}
    )
    assert status == 403 and "only assessors or reviewers may acknowledge a failed notification" in page.lower()

    submit(served, "26-00002-HAPP", council="OTHR")
    other = application_side_stream("OTHR", "26-00002-HAPP", "notifications")
    served.store.append(
        other, served.store.stream_version(other), [NewEvent(failed("e9:applicant"), "OTHR", Actor.system(), NOW)]
    )
    status, _, _ = ann.request(
        "POST",
        "/applications/26-00002-HAPP/actions/acknowledge_notification",
        {"csrf_token": token, "notification_id": "e9:applicant"},
    )
    assert status == 404
    assert ann.get("/applications/26-00002-HAPP/actions/acknowledge_notification")[0] == 404
    assert "NotificationFailureAcknowledged" not in notifications_events(served) + notifications_events(
        served, "OTHR", "26-00002-HAPP"
    )
