"""The dashboard and the application page through `bops serve`: the case list read model, the application's view and
audit trail, output escaped, and another council's application not found."""

from __future__ import annotations

import pytest

from events import NewEvent
from events.streams import application_stream
from tests.assessment.api_support import RECEIVED, submitted

pytestmark = pytest.mark.slow
SCRIPT = "<script>alert(1)</script>"


def submit(served, reference: str, council: str = "DEMO", description: str = "Single storey rear extension") -> None:
    event = submitted(reference, council=council)
    summary = event.payload.submission.model_copy(update={"description": description})
    payload = event.payload.model_copy(update={"submission": summary})
    served.store.append(application_stream(council, reference), 0, [NewEvent(payload, council, event.actor, RECEIVED)])
    served.caught_up()


def test_the_dashboard_lists_the_council_s_applications_and_the_page_escapes_what_applicants_wrote(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    submit(served, "26-00001-HAPP", description=SCRIPT)
    submit(served, "26-00002-HAPP", council="OTHR")
    browser = served.browser()
    assert browser.sign_in("ann@demo.example") == 303
    status, _, html = browser.get("/?view=all")
    assert status == 200, html
    assert "26-00001-HAPP" in html and "26-00002-HAPP" not in html and "Not started (1)" in html
    status, _, html = browser.get("/applications/26-00001-HAPP")
    assert status == 200, html
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Validate the application" in html and "Audit trail" in html
    status, _, html = browser.get("/applications/26-00002-HAPP")
    assert status == 404 and "26-00002-HAPP" in html
