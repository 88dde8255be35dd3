"""Every console page in Chromium, each checked by axe-core (WCAG 2.2 AA): sign in as each role, the dashboard (tabs,
search, pagination), the application page, the documents pages (upload, tag, publish) and the administration pages."""

from __future__ import annotations

import re

import pytest

from tests.browser.support import axe_violations, describe

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_axe_reports_what_it_finds(console):
    """The checker itself: a page with an image without alternative text and an unlabelled field fails, naming both."""
    page = console.new_officer().page
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
    found = axe_violations(page)
    assert {violation["id"] for violation in found} >= {"image-alt", "label"}
    assert "img" in describe(found) and "input" in describe(found)


@pytest.mark.parametrize("role", ["assessor", "reviewer", "administrator"])
def test_each_role_signs_in_and_sees_the_dashboard(console, role):
    email, password = console.demo(role)
    officer = console.new_officer()
    page = officer.sign_in(email, password)
    assert page.url == console.base_url + "/"
    assert page.get_by_text(f"({role})").count() >= 1
    page = officer.sign_out()
    assert "/sign-in" in page.url and page.get_by_text("You have signed out.").is_visible()


def test_the_dashboard_s_views_search_and_pages(console):
    references = [console.submit(files=False) for _ in range(26)]
    officer = console.new_officer()
    officer.sign_in(*console.demo("assessor"))
    page = officer.visit("/?view=all")
    assert page.get_by_role("heading", level=1).inner_text() == "All cases"
    assert re.search(r"\b\d+ applications\b", page.locator("#results-count").inner_text())
    page.get_by_role("link", name="Next").click()
    page = officer.checked()
    assert "page=2" in page.url and "(page 2 of" in page.locator("#results-count").inner_text()
    for view in ("My cases", "Overdue", "Due this week", "All cases"):
        page.get_by_role("navigation", name="Case views").get_by_role("link", name=view).click()
        page = officer.checked()
        assert page.get_by_role("heading", level=1).inner_text() == view
    page.get_by_role("navigation", name="Filter by status").get_by_role("link").nth(1).click()
    page = officer.checked()
    assert "status=" in page.url and "with status" in page.locator("#results-count").inner_text()
    page.get_by_label("Search by reference, address or postcode").fill(references[3])
    page.get_by_role("button", name="Search").click()
    page = officer.checked()
    assert page.locator("#results-count").inner_text().startswith("1 application ")
    page.get_by_role("link", name=references[3]).click()
    page = officer.checked()
    assert page.get_by_role("heading", level=1).inner_text().endswith(references[3])


def test_the_application_page_and_its_documents(console):
    reference = console.submit("A rear extension")
    officer = console.new_officer()
    officer.sign_in(*console.demo("assessor"))
    page = officer.visit(f"/applications/{reference}")
    assert page.get_by_text("A rear extension").count() >= 1
    for heading in ("Tasks", "Documents", "Validation requests", "Constraints", "Audit trail"):
        assert page.get_by_role("heading", name=heading, exact=True).count() == 1, heading
    boundary = page.get_by_role("img", name=f"Map of the red-line boundary of {reference}")
    assert boundary.count() == 1 and boundary.locator("path").count() == 1
    assert page.get_by_text("1 polygon with 4 vertices, enclosing 125.9 square metres").count() >= 1
    page = officer.visit(f"/applications/{reference}/documents")
    submitted = page.locator("table tbody tr").count()
    assert submitted == 4  # the example's four files, fetched from the demo's file server
    page.get_by_label("File").set_input_files({"name": "site-plan.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_label("Tags (optional)").fill("sitePlan.proposed")
    page.get_by_role("button", name="Upload document").click()
    page = officer.checked()
    assert page.get_by_role("link", name="site-plan.pdf").count() == 1
    page.get_by_role("link", name="site-plan.pdf").click()
    page = officer.checked()
    page.get_by_label("Tags", exact=True).fill("sitePlan.proposed, photographs")
    page.get_by_role("button", name="Save tags").click()
    page = officer.checked()
    assert page.get_by_text("photographs").count() >= 1
    page.get_by_role("button", name="Publish", exact=True).click()
    page = officer.checked()
    assert page.get_by_role("button", name="Unpublish").count() == 1
    page = officer.visit(f"/applications/{reference}")
    audit = page.locator("body").inner_text()
    assert "published" in audit.lower()


def test_the_administration_pages(console):
    officer = console.new_officer()
    officer.sign_in(*console.demo("administrator"))
    page = officer.visit("/admin/officers")
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("E-mail address").fill("nia@demo.example")
    page.get_by_label("Assessor").check()
    page.get_by_role("button", name="Invite officer").click()
    page = officer.checked()
    assert page.get_by_text("nia@demo.example").count() >= 1
    page = officer.visit("/admin/officers")
    page.get_by_role("link", name="Nia Newcomer").click()
    officer.checked()
    page = officer.visit("/admin/api-keys")
    page.get_by_label("Name").fill("Another online service")
    page.locator("input[type=checkbox]").first.check()
    page.get_by_role("button", name="Create API key").click()
    officer.checked()
    page = officer.visit("/admin/settings")
    page.get_by_label("Reply-to e-mail address").fill("planning@demo.example")
    page.get_by_role("button", name="Save settings").click()
    officer.checked()
    officer.visit("/admin")
