"""The console's security in Chromium: what applicants wrote is escaped (no script runs), a form without its CSRF token
is refused and stores nothing, another council's application is 404, a deactivated officer's session and a signed-out
session (even a copy of its cookie) stop at the next request, and an expired session asks the officer to sign in
again and returns to the page asked for. axe-core checks every page visited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.support import NOW

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]
SCRIPT = "<script>alert(1)</script>"


def test_a_script_in_the_description_is_shown_as_text_and_never_runs(console):
    reference = console.submit(SCRIPT, files=False)
    officer = console.new_officer()
    officer.sign_in(*console.demo("assessor"))
    page = officer.visit(f"/applications/{reference}")
    assert page.get_by_text(SCRIPT, exact=False).count() >= 1  # shown as the applicant wrote it
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()
    assert page.evaluate("() => document.querySelectorAll('main script').length") == 0
    assert officer.problems == []  # no alert() dialog opened (it would have been recorded)
    officer.visit(f"/?view=all&q={reference}")


def test_a_form_posted_without_its_csrf_token_is_refused_and_nothing_is_stored(console):
    reference = console.submit(files=False)
    officer = console.new_officer()
    officer.sign_in(*console.demo("assessor"))
    page = officer.visit(f"/applications/{reference}/documents")
    page.get_by_label("File").set_input_files(
        {"name": "forged.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    page.evaluate("() => document.querySelectorAll('input[name=csrf_token]').forEach(input => input.remove())")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Upload document").click()
    assert posted.value.status == 400
    officer.checked()
    page = officer.visit(f"/applications/{reference}/documents")
    assert page.get_by_text("forged.pdf").count() == 0
    # The sign-out form too: without the token the session stays.
    page.evaluate("() => document.querySelectorAll('input[name=csrf_token]').forEach(input => input.remove())")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Sign out").click()
    assert posted.value.status == 400
    officer.visit("/")


def test_an_officer_of_another_council_gets_404_for_this_council_s_application(console):
    reference = console.submit(files=False)
    console.officer("OTHR", "oli@other.example", "assessor", "Oli Other")
    officer = console.new_officer()
    officer.sign_in("oli@other.example")
    for path in (
        f"/applications/{reference}",
        f"/applications/{reference}/documents",
        f"/applications/{reference}/actions/assign",
    ):
        page = officer.visit(path, expect_status=404)
        assert "Demo" not in page.locator("main").inner_text()
    page = officer.visit("/?view=all")
    assert page.get_by_role("link", name=reference).count() == 0


def test_a_deactivated_officer_is_signed_out_at_the_next_request(console):
    officer_id = console.officer("DEMO", "dee@demo.example", "assessor", "Dee Parting")
    officer = console.new_officer()
    officer.sign_in("dee@demo.example")
    officer.visit("/?view=all")
    console.deactivate("DEMO", officer_id)
    page = officer.visit("/?view=all")  # redirected to sign in
    assert page.url == console.base_url + "/sign-in?next=%2F%3Fview%3Dall"
    page = officer.fill_sign_in("dee@demo.example")
    assert page.get_by_text("The e-mail address or password is not right").count() >= 1


def test_sign_out_revokes_the_session_so_a_copied_cookie_stops_working(console):
    officer = console.new_officer()
    officer.sign_in(*console.demo("reviewer"))
    thief = console.new_officer()
    thief.context.add_cookies([officer.cookie()])
    assert thief.visit("/").url == console.base_url + "/"
    officer.sign_out()
    page = thief.visit("/?view=all")
    assert page.url == console.base_url + "/sign-in?next=%2F%3Fview%3Dall"


def test_an_expired_session_asks_to_sign_in_again_and_returns_to_the_page(console, monkeypatch):
    from shared import wiring

    reference = console.submit(files=False)
    officer = console.new_officer()
    officer.sign_in(*console.demo("assessor"))
    officer.visit(f"/applications/{reference}")
    monkeypatch.setenv("BOPS_NOW", (NOW + timedelta(minutes=16)).isoformat())  # the 15-minute token has expired
    wiring.reset()
    page = officer.visit(f"/applications/{reference}")
    assert page.url == console.base_url + f"/sign-in?next=%2Fapplications%2F{reference}"
    assert page.get_by_text("Sign in to continue.").count() == 1
    page = officer.fill_sign_in(*console.demo("assessor"))
    assert page.url == console.base_url + f"/applications/{reference}"
