"""The console's action forms through `bops serve`: each runs the officer API's command (the same domain function,
the same body model), with the error summary on bad input (nothing stored), the application's changes on a stale
version, the CSRF token required, roles as the domain has them, and another council's reference not found."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from events.streams import application_stream
from shared import wiring
from shared.applicant_links import applicant_link, link_secret
from tests.console.test_pages import submit

pytestmark = pytest.mark.slow
REFERENCE = "26-00001-HAPP"
VERSION = re.compile(r'name="version" value="(\d+)"')


def form_of(browser, path: str) -> dict[str, str]:
    """The form's hidden fields (CSRF token, version, ...) as the page gave them."""
    status, _, page = browser.get(path)
    assert status == 200, page
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    return {name: html_lib.unescape(value) for name, value in hidden}


def act(browser, action: str, fields: dict[str, str], reference: str = REFERENCE, query: str = "") -> tuple[int, Any, str]:
    path = f"/applications/{reference}/actions/{action}"
    hidden = form_of(browser, path + query)
    return browser.request("POST", path, {**hidden, **fields})


def done(browser, action: str, fields: dict[str, str], query: str = "") -> str:
    """Run an action, expect the redirect to the application page, and answer that page."""
    status, headers, page = act(browser, action, fields, query=query)
    assert status == 303, page
    assert headers["location"] == [f"/applications/{REFERENCE}?done={action}"]
    status, _, page = browser.get(headers["location"][0])
    assert status == 200 and "govuk-notification-banner--success" in page
    return page


def event_types(served, reference: str = REFERENCE) -> list[str]:
    return [e.event_type for e in served.store.read(application_stream("DEMO", reference))]


@pytest.fixture
def officers(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    served.officer("DEMO", "rita@demo.example", "reviewer", "Rita Reviewer")
    served.officer("DEMO", "rex@demo.example", "reviewer", "Rex Reviewer")
    served.officer("DEMO", "adam@demo.example", "administrator", "Adam Admin")
    submit(served, REFERENCE)

    def signed_in(email: str):
        browser = served.browser()
        assert browser.sign_in(email) == 303
        return browser

    return signed_in


def test_a_householder_application_through_the_forms_only(served, officers, monkeypatch):
    ann, rita = officers("ann@demo.example"), officers("rita@demo.example")
    status, _, page = ann.get(f"/applications/{REFERENCE}")
    assert status == 200 and f"/applications/{REFERENCE}/actions/assign" in page
    assert "/actions/review" not in page and "/actions/determine" not in page

    page = done(ann, "assign", {"officer_id": "me"})
    assert "Case officer assigned" in page and "Ann Assessor" in page
    assert event_types(served)[-1] == "CaseOfficerAssigned"

    status, _, page = ann.get(f"/applications/{REFERENCE}/actions/validation_requests")
    assert status == 200 and "Additional document" in page and "Time extension" not in page
    page = done(
        ann,
        "validation_requests",
        {"suggestion": "Describe the rear garden", "reason": "The site plan is unclear"},
        query="?type=other_change",
    )
    assert "Validation request made" in page and "The site plan is unclear" in page
    assert event_types(served)[-1] == "ValidationRequestDrafted"

    page = done(ann, "invalidate", {})
    assert event_types(served)[-2:] == ["PlanningApplicationInvalidated", "ValidationRequestSent"]
    assert "Invalid" in page and "/actions/validate" not in page  # an open request: cannot validate yet

    # The applicant answers through their secure link (as the notifications service would send it).
    [request_id] = [e.payload.request_id for e in served.store.read(application_stream("DEMO", REFERENCE)) if e.event_type == "ValidationRequestSent"]
    secret = link_secret(served.secrets, "DEMO", create=True)
    link = urlsplit(applicant_link(secret, served.base_url, "DEMO", REFERENCE, request_id))
    twin = f"{link.path}?{link.query}".replace("/applicant/", "/api/applicant/v1/", 1)
    status, answered = _post_json(served.base_url, twin, {"response": "The garden is 20 metres long"})
    assert status == 200, answered

    # The next day (valid from the business day after the request closed): the officers sign in again.
    monkeypatch.setenv("BOPS_NOW", "2026-03-10T09:00:00+00:00")
    wiring.reset()
    ann, rita = officers("ann@demo.example"), officers("rita@demo.example")
    page = done(ann, "validate", {})
    assert "2026-03-10" in page
    assert event_types(served)[-1] == "PlanningApplicationValidated" and "In assessment" in page

    page = done(
        ann,
        "assessment",
        {
            "summary_of_works": "A single storey rear extension",
            "site_description": "A semi-detached house",
            "conditions_1_text": "Matching materials",
            "conditions_1_reason": "To protect the character of the area",
            "informatives": "Party wall act\nBuilding regulations",
        },
    )
    assert "Assessment saved" in page and event_types(served)[-1] == "AssessmentRecorded"

    page = done(ann, "recommendation", {"decision": "granted", "public_reason": "It complies with policy"})
    assert event_types(served)[-1] == "RecommendationSubmitted" and "Awaiting determination" in page
    assert "/actions/review" not in page  # an assessor never sees the review

    status, _, page = rita.get(f"/applications/{REFERENCE}")
    assert f"/applications/{REFERENCE}/actions/review" in page
    status, _, page = act(rita, "review", {"action": "challenge", "comment": ""})
    assert status == 422 and "govuk-error-summary" in page and 'href="#comment"' in page
    assert event_types(served)[-1] == "RecommendationSubmitted"
    page = done(rita, "review", {"action": "challenge", "comment": "Say more about the neighbours"})
    assert event_types(served)[-1] == "RecommendationChallenged" and "Challenged by Rita Reviewer" in page

    page = done(ann, "recommendation", {"decision": "granted", "public_reason": "No harm to the neighbours"})
    page = done(rita, "review", {"action": "agree"})
    assert event_types(served)[-1] == "RecommendationAgreed" and "Agreed by Rita Reviewer" in page

    page = done(ann, "determine", {})
    assert event_types(served)[-2:] == ["PlanningApplicationDetermined", "DecisionNoticeIssued"] or (
        "PlanningApplicationDetermined" in event_types(served)
    )
    assert "Determined" in page and "Granted on" in page and "Decision notice" in page
    notice = re.search(r'href="(/applications/[^"]+/file)">Decision notice', page)
    assert notice and ann.get(notice.group(1))[0] == 200


def _post_json(base_url: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    import http.client
    import json

    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text
