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


def act(
    browser, action: str, fields: dict[str, str], reference: str = REFERENCE, query: str = ""
) -> tuple[int, Any, str]:
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
    assert (
        task(page, "Assign the case officer") == "Completed" and task(page, "Validate the application") == "Not started"
    )
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
    served.caught_up()  # the notifications service sent the invalid notice
    page = ann.get(f"/applications/{REFERENCE}")[2]
    assert "Invalid application notice" in page[page.index('id="notifications"') :]

    # The applicant answers through their secure link (as the notifications service would send it).
    [request_id] = [
        e.payload.request_id
        for e in served.store.read(application_stream("DEMO", REFERENCE))
        if e.event_type == "ValidationRequestSent"
    ]
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
    assert task(page, "Validate the application") == "Completed" and task(page, "Assess the application") == "Completed"
    assert task(page, "Make a recommendation") == "Not started"

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
    assert (
        task(page, "Make a recommendation") == "In progress"
        and task(page, "Review the recommendation") == "In progress"
    )

    page = done(ann, "recommendation", {"decision": "granted", "public_reason": "No harm to the neighbours"})
    page = done(rita, "review", {"action": "agree"})
    assert event_types(served)[-1] == "RecommendationAgreed" and "Agreed by Rita Reviewer" in page

    page = done(ann, "determine", {})
    assert event_types(served)[-1] == "PlanningApplicationDetermined"
    assert "/actions/" not in page.split("Documents</h2>")[0]  # nothing left to do
    assert "Determined" in page and "Granted on" in page and "Decision notice" in page
    notice = re.search(r'href="(/applications/[^"]+/file)">Decision notice', page)
    assert notice and ann.get(notice.group(1))[0] == 200


def task(page: str, title: str) -> str:
    """A task's status on the task list."""
    found = re.search(
        re.escape(title) + r".*?govuk-task-list__status[^>]*>\s*(?:<strong[^>]*>)?\s*([^<]+?)\s*<", page, re.S
    )
    assert found, title
    return found.group(1)


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


def test_bad_input_shows_the_error_summary_keeps_the_values_and_stores_nothing(served, officers):
    ann = officers("ann@demo.example")
    before = event_types(served)
    status, _, page = act(ann, "close", {"reason": "   "})
    assert status == 422 and "govuk-error-summary" in page and 'href="#reason"' in page
    assert 'id="reason-error"' in page and "Reason is required" in page
    status, _, page = ann.get(f"/applications/{REFERENCE}/actions/time_extension")
    assert status == 409 and "You cannot do this now" in page and "not_started" in page
    status, _, page = act(
        ann,
        "validation_requests",
        {"reason": "<b>kept</b>", "fee_amount": "not money"},
        query="?type=fee_change",
    )
    assert status == 422 and 'href="#fee_amount"' in page and "&lt;b&gt;kept&lt;/b&gt;" in page
    assert "<b>kept</b>" not in page
    status, _, page = act(ann, "validate", {"valid_from-day": "31", "valid_from-month": "2", "valid_from-year": "2026"})
    assert status == 422 and 'href="#valid_from-day"' in page and "must be a real date" in page
    assert 'value="31"' in page
    assert event_types(served) == before


def test_characters_no_one_types_are_refused_beside_the_field_and_line_endings_kept_as_one_newline(served, officers):
    ann = officers("ann@demo.example")
    before = event_types(served)
    for typed in ("Duplicate\x00", "Dup\x1b[2Jlicate", "Duplicate \u202eetacilpud"):
        status, _, page = act(ann, "close", {"reason": typed})
        assert status == 422 and 'href="#reason"' in page and 'id="reason-error"' in page, page
        assert "cannot be typed" in page and "\x00" not in page and "\u202e" not in page
    assert event_types(served) == before
    done(ann, "close", {"reason": "Duplicate\r\nof 26-00002-HAPP"})
    [closed] = [e for e in served.store.read(application_stream("DEMO", REFERENCE)) if e.event_type.endswith("Closed")]
    assert closed.payload.reason == "Duplicate\nof 26-00002-HAPP"


def test_a_stale_version_shows_what_changed_and_the_form_again_at_the_new_version(served, officers):
    ann, rita = officers("ann@demo.example"), officers("rita@demo.example")
    path = f"/applications/{REFERENCE}/actions/close"
    seen = form_of(ann, path)
    done(rita, "assign", {"officer_id": "me"})
    status, _, page = ann.request("POST", path, {**seen, "reason": "Duplicate of another application"})
    assert status == 409 and "The application changed since you opened this form" in page
    assert "Rita Reviewer assigned as case officer" in page and 'href="#changes"' in page
    assert "Duplicate of another application" in page  # the officer's values are kept
    again = {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }
    assert int(again["version"]) == int(seen["version"]) + 1
    assert event_types(served)[-1] == "CaseOfficerAssigned"
    status, _, _ = ann.request("POST", path, {**again, "reason": "Duplicate of another application"})
    assert status == 303 and event_types(served)[-1] == "PlanningApplicationClosed"


def test_a_version_or_date_that_is_not_a_plain_number_is_bad_input_never_an_error(served, officers):
    """`"²".isdigit()` is true but `int("²")` fails, and a year of 20 digits overflows `date`: both were a 500."""
    ann = officers("ann@demo.example")
    before = event_types(served)
    status, _, page = act(ann, "assign", {"version": "²", "officer_id": "me"})
    assert status == 422 and "govuk-error-summary" in page
    huge_year = {"valid_from-day": "1", "valid_from-month": "1", "valid_from-year": "9" * 20}
    status, _, page = act(ann, "validate", huge_year)
    assert status == 422 and 'href="#valid_from-day"' in page and "must be a real date" in page
    assert event_types(served) == before


def test_a_form_without_the_session_s_csrf_token_is_refused(served, officers):
    ann = officers("ann@demo.example")
    hidden = form_of(ann, f"/applications/{REFERENCE}/actions/assign")
    hidden.pop("csrf_token")
    before = event_types(served)
    status, _, _ = ann.request("POST", f"/applications/{REFERENCE}/actions/assign", {**hidden, "officer_id": "me"})
    assert status == 400
    status, _, _ = ann.request(
        "POST", f"/applications/{REFERENCE}/actions/assign", {**hidden, "officer_id": "me", "csrf_token": "0" * 64}
    )
    assert status == 400 and event_types(served) == before


def recommended(served, officers, by: str = "ann@demo.example") -> None:
    """The application validated (no requests), assessed and recommended by `by`."""
    officer = officers(by)
    done(officer, "validate", {"valid_from-day": "2", "valid_from-month": "3", "valid_from-year": "2026"})
    done(officer, "assessment", {"summary_of_works": "A rear extension"})
    done(officer, "recommendation", {"decision": "refused", "public_reason": "Too large"})


def test_roles_are_the_domain_s_assessors_never_review_nor_reviewers_their_own(served, officers):
    ann, rita, adam = officers("ann@demo.example"), officers("rita@demo.example"), officers("adam@demo.example")
    recommended(served, officers, by="rita@demo.example")
    path = f"/applications/{REFERENCE}/actions/review"
    page = ann.get(f"/applications/{REFERENCE}")[2]
    assert path not in page and "Review the recommendation" in page
    assert ann.get(path)[0] == 403
    token = form_of(ann, f"/applications/{REFERENCE}/actions/close")
    status, _, _ = ann.request("POST", path, {**token, "action": "agree"})
    assert status == 403
    assert rita.get(path)[0] == 403  # her own recommendation
    assert path not in rita.get(f"/applications/{REFERENCE}")[2]
    status, _, _ = rita.request(
        "POST", path, {**form_of(rita, f"/applications/{REFERENCE}/actions/close"), "action": "agree"}
    )
    assert status == 403 and event_types(served)[-1] == "RecommendationSubmitted"
    # administrators: the domain lets them (re)assign the case officer, nothing else
    page = adam.get(f"/applications/{REFERENCE}")[2]
    assert "/actions/assign" in page and "/actions/close" not in page and "/actions/assessment" not in page
    assert adam.get(f"/applications/{REFERENCE}/actions/close")[0] == 403
    rex = officers("rex@demo.example")
    done(rex, "review", {"action": "agree", "comment": "Fine"})
    page = done(ann, "determine", {})
    assert "Refused on 2026-03-09" in page


def test_another_council_s_reference_and_an_unknown_action_are_not_found(served, officers):
    ann = officers("ann@demo.example")
    submit(served, "26-00002-HAPP", council="OTHR")
    assert ann.get("/applications/26-00002-HAPP/actions/assign")[0] == 404
    token = form_of(ann, f"/applications/{REFERENCE}/actions/assign")
    status, _, _ = ann.request("POST", "/applications/26-00002-HAPP/actions/assign", {**token, "officer_id": "me"})
    assert status == 404
    assert ann.get(f"/applications/{REFERENCE}/actions/launch_rockets")[0] == 404
    assert ann.request("POST", f"/applications/{REFERENCE}/actions/launch_rockets", token)[0] == 404


def test_each_validation_form_appends_its_event(served, officers):
    ann = officers("ann@demo.example")
    done(ann, "red_line_boundary_check", {"valid": "yes"})
    assert event_types(served)[-1] == "RedLineBoundaryChecked"
    done(ann, "fee_check", {"valid": "no", "invalid_reason": "Underpaid"})
    assert event_types(served)[-1] == "FeeChecked"
    done(ann, "constraints", {"constraint": "articleFour", "description": "Article 4 direction"})
    assert event_types(served)[-1] == "ConstraintAdded"
    done(ann, "constraints_remove", {"constraint": "articleFour", "reason": "Not on this site"})
    assert event_types(served)[-1] == "ConstraintRemoved"
    done(ann, "validation_requests", {"fee_amount": "258.00", "reason": "The fee is short"}, query="?type=fee_change")
    page = done(
        ann,
        "validation_requests",
        {"proposed_description": "A smaller extension", "reason": "Clearer"},
        query="?type=description_change",
    )
    assert [t for t in event_types(served)[-2:]] == ["ValidationRequestDrafted", "ValidationRequestDrafted"]
    cancel = re.search(r'href="(/applications/[^"]+/actions/validation_requests_cancel\?request_id=([^"]+))"', page)
    assert cancel
    page = done(
        ann, "validation_requests_cancel", {"reason": "Asked by mistake"}, query="?request_id=" + cancel.group(2)
    )
    assert event_types(served)[-1] == "ValidationRequestCancelled"
    page = done(ann, "invalidate", {})
    assert event_types(served)[-2:] == ["PlanningApplicationInvalidated", "ValidationRequestSent"]
    page = done(ann, "return", {"reason": "The fee was never paid"})
    assert event_types(served)[-1] == "PlanningApplicationReturned" and "Returned" in page


def test_after_validation_the_notices_a_time_extension_committee_and_withdrawal(served, officers):
    ann = officers("ann@demo.example")
    recommended(served, officers)
    done(ann, "site_notice", {"displayed_on-day": "9", "displayed_on-month": "3", "displayed_on-year": "2026"})
    assert event_types(served)[-1] == "SiteNoticeRecorded"
    done(ann, "press_notice", {"published_on-day": "5", "published_on-month": "3", "published_on-year": "2026"})
    assert event_types(served)[-1] == "PressNoticeRecorded"
    done(
        ann,
        "time_extension",
        {
            "proposed_expiry_date-day": "1",
            "proposed_expiry_date-month": "6",
            "proposed_expiry_date-year": "2026",
            "reason": "Awaiting amended plans",
        },
    )
    assert event_types(served)[-2:] == ["ValidationRequestDrafted", "ValidationRequestSent"]
    done(ann, "committee", {"reason": "Called in by a councillor"})
    assert event_types(served)[-1] == "PlanningApplicationSentToCommittee"
    status, _, page = act(
        ann,
        "committee_decision",
        {"decision": "granted", "decided_on-day": "1", "decided_on-month": "1", "decided_on-year": "2030"},
    )
    assert status == 422 and 'href="#decided_on-day"' in page and "cannot be in the future" in page
    done(
        ann,
        "committee_decision",
        {"decision": "granted", "decided_on-day": "9", "decided_on-month": "3", "decided_on-year": "2026"},
    )
    assert event_types(served)[-1] == "CommitteeDecisionRecorded"
    page = done(ann, "withdraw", {"reason": "The applicant withdrew it"})
    assert event_types(served)[-1] == "PlanningApplicationWithdrawn" and "Withdrawn" in page


def test_the_page_shows_the_notifications_with_failures_highlighted(served, officers):
    from events import Actor, NewEvent
    from events.notifications import NotificationDelivered, NotificationFailed, NotificationSent
    from events.streams import application_side_stream
    from tests.console.support import NOW

    stream = application_side_stream("DEMO", REFERENCE, "notifications")
    sent = NotificationSent(
        notification_id="e1:applicant",
        kind="receipt",
        recipient_role="applicant",
        masked_address="a***@example.com",
        template_id="t",
        channel="notify",
        notify_id="n1",
        triggered_by="e1",
    )
    failed = NotificationFailed(
        notification_id="e1:agent",
        kind="receipt",
        recipient_role="agent",
        masked_address="b***@example.com",
        reason="The address does not exist",
        permanent=True,
    )
    delivered = NotificationDelivered(notification_id="e1:applicant", notify_id="n1", status="delivered")
    served.store.append(
        stream,
        served.store.stream_version(stream),
        [NewEvent(p, "DEMO", Actor.system(), NOW) for p in (sent, failed, delivered)],
    )
    page = officers("ann@demo.example").get(f"/applications/{REFERENCE}")[2]
    notifications = page[page.index('id="notifications"') :]
    assert "a***@example.com" in notifications and "Delivered" in notifications
    assert "govuk-tag--red" in notifications and "The address does not exist" in notifications
