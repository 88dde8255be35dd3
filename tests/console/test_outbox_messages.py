"""The local outbox's messages on the application page, through `bops serve`: each notification written to the outbox
shows, in a "Show the message" details, its recipient (masked), subject and body as the outbox kept them (escaped, line
breaks kept), looked up by the notification's id; another council's application is not found."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from events import Actor, NewEvent
from events.notifications import NotificationSent
from events.streams import application_side_stream
from shared import wiring
from shared.outbox import SqliteOutboxReader, outbox_path
from tests.console.support import NOW
from tests.console.test_pages import submit

pytestmark = pytest.mark.slow
REFERENCE = "26-00001-HAPP"
DETAILS = re.compile(r'<details class="govuk-details[^"]*"[^>]*>.*?</details>', re.S)


def outbox() -> SqliteOutboxReader:
    return SqliteOutboxReader(outbox_path(wiring.dependencies().settings.data_dir))


def kept_for(served, council: str, reference: str) -> list:
    events = served.store.read(application_side_stream(council, reference, "notifications"))
    ids = [e.payload.notification_id for e in events if isinstance(e.payload, NotificationSent)]
    return list(outbox().by_references(ids).values())


@pytest.fixture
def ann(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    assert browser.sign_in("ann@demo.example") == 303
    return browser


def test_the_receipt_written_to_the_outbox_shows_on_the_page_with_its_subject_and_body(served, ann):
    submit(served, REFERENCE)
    served.caught_up()
    (receipt,) = kept_for(served, "DEMO", REFERENCE)
    assert receipt.subject and receipt.body and "\n" in receipt.body

    status, _, page = ann.get(f"/applications/{REFERENCE}")
    assert status == 200, page
    (details,) = DETAILS.findall(page)
    assert "Show the message" in details
    shown = html_lib.unescape(re.sub(r"\s*<br>\s*", "\n", details))
    assert receipt.subject in shown
    for line in receipt.body.split("\n"):
        assert line.strip() in shown
    assert receipt.email_address not in page  # the recipient as elsewhere on the page: masked
    assert "Written to the local outbox" in page


def test_a_body_with_markup_is_escaped_and_keeps_its_line_breaks(served, ann):
    submit(served, REFERENCE)
    stream = application_side_stream("DEMO", REFERENCE, "notifications")
    sent = NotificationSent(
        notification_id="e7:agent",
        kind="receipt",
        recipient_role="agent",
        masked_address="a***@agent.example",
        template_id="outbox",
        channel="outbox",
        triggered_by="e7",
    )
    served.store.append(stream, served.store.stream_version(stream), [NewEvent(sent, "DEMO", Actor.system(), NOW)])
    from services.notifications.outbox import LocalOutbox

    LocalOutbox(outbox_path(wiring.dependencies().settings.data_dir), wiring.dependencies().clock).send_email(
        email_address="agent@agent.example",
        template_id="outbox",
        personalisation={"subject": "Hello <b>there</b>", "body": "<script>alert(1)</script>\nsecond line"},
        reference="e7:agent",
        email_reply_to_id=None,
    )
    served.caught_up()

    status, _, page = ann.get(f"/applications/{REFERENCE}")
    assert status == 200, page
    assert "<script>alert(1)" not in page and "<b>there</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in page
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in page
    assert "Agent (a***@agent.example)" in page and "agent@agent.example" not in page


def test_another_council_s_application_and_its_messages_are_not_found(served, ann):
    submit(served, "26-00002-HAPP", council="OTHR")
    served.caught_up()
    (receipt,) = kept_for(served, "OTHR", "26-00002-HAPP")
    status, _, page = ann.get("/applications/26-00002-HAPP")
    assert status == 404
    assert receipt.subject not in page and "Show the message" not in page
