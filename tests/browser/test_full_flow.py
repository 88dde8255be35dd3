"""Issue 12's must-show: a householder application from the dashboard to its decision in Chromium, as two officers in
their own browser contexts (the demo's assessor and reviewer), through the console's forms only: assign, a validation
request, invalidation, the applicant's answer through its secure link page, validation (the next day: the officers'
sessions have expired, so each signs in again and comes back to the page it asked for), assessment,
recommendation, a challenge, a second recommendation, agreement and determination with its decision notice. axe-core
checks every page visited (the applicant's page too); an assessor cannot reach the review."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from events.streams import application_stream

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]
NEXT_DAY = "2026-03-10T09:00:00+00:00"  # the request closes on the 9th: valid from the next business day


def task(page, title: str):
    """Open a task (or another action) from the application page."""
    page.get_by_role("link", name=title, exact=True).click()


def done(officer, banner: str):
    """After a form: back on the application page with the success banner saying what was done."""
    page = officer.checked()
    assert page.get_by_text(banner).count() >= 1, page.locator("main").inner_text()[:2000]
    return page


def recommend(assessor, reason: str):
    page = assessor.page
    task(page, "Make a recommendation")
    page = assessor.checked()
    page.get_by_label("Granted").check()
    page.get_by_label("Reason (public)").fill(reason)
    page.get_by_role("button", name="Submit recommendation").click()
    return done(assessor, "Recommendation submitted for review")


def review(reviewer, choice: str, comment: str = ""):
    page = reviewer.page
    task(page, "Review the recommendation")
    page = reviewer.checked()
    page.get_by_label(choice).check()
    if comment:
        page.get_by_label("Comment").fill(comment)
    page.get_by_role("button", name="Save review").click()
    return done(reviewer, "Review saved")


def test_a_householder_application_from_the_dashboard_to_its_decision(console, monkeypatch):
    from shared import wiring
    from shared.applicant_links import applicant_link, link_secret

    reference = console.submit("A single storey rear extension")
    assessor, reviewer, applicant = console.new_officer(), console.new_officer(), console.new_officer()

    # The assessor finds the new application on the dashboard.
    page = assessor.sign_in(*console.demo("assessor"))
    page.get_by_role("navigation", name="Case views").get_by_role("link", name="All cases").click()
    page = assessor.checked()
    page.get_by_role("link", name=reference).click()
    page = assessor.checked()
    assert page.get_by_role("img", name=f"Map of the red-line boundary of {reference}").count() == 1

    task(page, "Assign the case officer")
    page = assessor.checked()
    page.get_by_label("Me (Alex Assessor)").check()
    page.get_by_role("button", name="Assign").click()
    page = done(assessor, "Case officer assigned")

    # A validation request, then the application is invalid until the applicant answers.
    task(page, "Make a validation request")
    page = assessor.checked()
    page.get_by_label("Other change").check()
    page.get_by_role("button", name="Continue").click()
    page = assessor.checked()
    page.get_by_label("What the applicant should change").fill("Show the garden's depth on the site plan")
    page.get_by_label("Reason").fill("The site plan is unclear")
    page.get_by_role("button", name="Make request").click()
    page = done(assessor, "Validation request made")
    task(page, "Invalidate and send the requests")
    page = assessor.checked()
    page.get_by_role("button", name="Invalidate and send requests").click()
    page = done(assessor, "Application invalidated")

    # The applicant answers through the secure link the notification carries.
    [request_id] = [
        event.payload.request_id
        for event in console.runtime.deps.event_store.read(application_stream("DEMO", reference))
        if event.event_type == "ValidationRequestSent"
    ]
    secret = link_secret(wiring.dependencies().secrets, "DEMO", create=True)
    link = urlsplit(applicant_link(secret, console.base_url, "DEMO", reference, request_id))
    page = applicant.visit(f"{link.path}?{link.query}")
    page.get_by_label("Your response").fill("The garden is 20 metres deep")
    page.get_by_role("button", name="Send your answer").click()
    page = applicant.checked()
    assert page.title().startswith("Answer sent")

    # The next day: the 15-minute sessions have expired; the assessor signs in again and returns to the application.
    monkeypatch.setenv("BOPS_NOW", NEXT_DAY)
    wiring.reset()
    page = assessor.visit(f"/applications/{reference}")
    assert page.url.startswith(console.base_url + "/sign-in?next=")
    page = assessor.fill_sign_in(*console.demo("assessor"))
    assert page.url == console.base_url + f"/applications/{reference}"

    task(page, "Validate the application")
    page = assessor.checked()
    page.get_by_role("button", name="Validate").click()
    page = done(assessor, "Application validated")

    task(page, "Assess the application")
    page = assessor.checked()
    page.get_by_label("Summary of works").fill("A single storey rear extension, 4 metres deep")
    page.get_by_role("button", name="Save assessment").click()
    page = done(assessor, "Assessment saved")

    page = recommend(assessor, "The extension respects the house and its neighbours")
    assert page.get_by_role("link", name="Review the recommendation").count() == 0
    assessor.visit(f"/applications/{reference}/actions/review", expect_status=403)  # never the assessor's

    # The reviewer challenges, the assessor recommends again, the reviewer agrees.
    page = reviewer.sign_in(*console.demo("reviewer"))
    page.get_by_role("navigation", name="Case views").get_by_role("link", name="All cases").click()
    page = reviewer.checked()
    page.get_by_role("link", name=reference).click()
    page = reviewer.checked()
    page = review(reviewer, "Challenge", "Say more about the neighbours' light")
    assert page.get_by_text("Challenged by Riley Reviewer").count() >= 1

    assessor.visit(f"/applications/{reference}")
    recommend(assessor, "No loss of light to the neighbours")
    reviewer.visit(f"/applications/{reference}")
    page = review(reviewer, "Agree")
    assert page.get_by_text("Agreed by Riley Reviewer").count() >= 1

    # Determination: the decision notice is issued.
    page = assessor.visit(f"/applications/{reference}")
    task(page, "Determine the application")
    page = assessor.checked()
    page.get_by_role("button", name="Determine and issue the decision notice").click()
    page = done(assessor, "Application determined")
    assert page.get_by_text("Granted on").count() >= 1
    assert page.get_by_role("link", name="Decision notice").count() == 1
    page = assessor.visit("/?view=all")
    assert page.get_by_role("row").filter(has_text=reference).get_by_text("Determined").count() >= 1
    assert len(assessor.visited) + len(reviewer.visited) + len(applicant.visited) >= 30
