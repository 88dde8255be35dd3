"""In Chromium (axe-core on every page): a failed notification is red on the application page with its Acknowledge
button; pressing it shows the success banner, the failure is no longer red and the dashboard no longer counts it."""

from __future__ import annotations

import re

import pytest

from events import Actor, NewEvent
from events.streams import application_side_stream
from tests.console.test_notify_summary import failed

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def test_an_assessor_acknowledges_a_failed_notification(console):
    reference = console.submit(files=False)
    store = console.runtime.deps.event_store
    stream = application_side_stream("DEMO", reference, "notifications")
    store.append(
        stream,
        store.stream_version(stream),
        [NewEvent(failed(f"ack-test:{reference}:applicant"), "DEMO", Actor.system(), console.runtime.deps.clock.now())],
    )
    console.caught_up()
    officer = console.new_officer()
    officer.sign_in(*console.demo("assessor"))
    before = officer.visit("/").locator("body").inner_text()
    page = officer.visit(f"/applications/{reference}")
    table = page.locator("#notifications")
    assert table.locator(".govuk-tag--red").count() == 1
    table.get_by_role("button", name="Acknowledge").click()
    page = officer.checked()
    assert page.get_by_text("Failed notification acknowledged").count() == 1
    assert page.locator("#notifications .govuk-tag--red").count() == 0
    assert page.locator("#notifications").get_by_text("seen by").count() == 1
    console.caught_up()
    after = officer.visit("/").locator("body").inner_text()
    assert _count(after) == _count(before) - 1


def _count(text: str) -> int:
    """The dashboard's count of failed messages not yet acknowledged (0 when it says nothing)."""
    found = re.search(r"(\d+) failed messages? not yet acknowledged", text)
    return int(found.group(1)) if found else 0
