"""The console's shell through `bops serve`: sign-in and sign-out pages, the session cookie, CSRF on every form, the
security headers, and the authorizer's check of the cookie on every console route."""

from __future__ import annotations

import pytest

from shared.pages.session import csrf_matches, csrf_token, session_cookie, session_token

pytestmark = pytest.mark.slow


def test_sign_in_sets_an_http_only_lax_cookie_and_opens_the_dashboard(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    status, headers, html = browser.get("/sign-in")
    assert status == 200 and '<h1 class="govuk-heading-l">Sign in</h1>' in html
    token = browser.csrf("/sign-in")
    status, headers, _ = browser.request(
        "POST", "/sign-in", {"email": "ann@demo.example", "password": "a long enough password", "csrf_token": token}
    )
    assert status == 303 and headers["location"] == ["/"]
    [session] = [c for c in headers["set-cookie"] if c.startswith("bops_officer=")]
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    assert "Secure" not in session  # plain HTTP locally: a browser would drop a Secure cookie
    status, headers, html = browser.get("/")
    assert status == 200, html
    assert "Signed in as Ann Assessor (assessor)" in html and "My cases" in html
    assert headers["cache-control"] == ["no-store"] and headers["x-frame-options"] == ["DENY"]
    assert headers["referrer-policy"] == ["no-referrer"]
    [policy] = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy and "'nonce-" in policy


def test_console_routes_need_the_cookie(served):
    status, _, _ = served.browser().get("/")
    assert status == 401
    browser = served.browser()
    browser.cookies["bops_officer"] = "bopso1.forged.token.here"
    assert browser.get("/")[0] == 401


def test_a_wrong_password_and_a_sign_in_without_its_csrf_token_are_refused_with_the_error_summary(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    assert browser.sign_in("ann@demo.example", "not the password") == 401
    browser.csrf("/sign-in")
    status, _, html = browser.request(
        "POST", "/sign-in", {"email": "ann@demo.example", "password": "a long enough password"}
    )
    assert status == 400 and "govuk-error-summary" in html and "bops_officer" not in browser.cookies
    assert browser.get("/")[0] == 401


def test_sign_out_needs_the_session_s_csrf_token_and_clears_the_cookie(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    assert browser.sign_in("ann@demo.example") == 303
    assert browser.request("POST", "/sign-out", {})[0] == 400
    assert browser.get("/")[0] == 200
    token = browser.csrf("/")
    status, headers, _ = browser.request("POST", "/sign-out", {"csrf_token": token})
    assert status == 303 and headers["location"] == ["/sign-in?signed_out=1"]
    assert "bops_officer" not in browser.cookies
    assert browser.get("/")[0] == 401


def test_a_deactivated_officer_s_session_stops_working(served):
    ann = served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    assert browser.sign_in("ann@demo.example") == 303
    assert browser.get("/")[0] == 200
    served.deactivate("DEMO", ann)
    assert browser.get("/")[0] == 401


def test_the_secure_cookie_is_read_too_and_csrf_tokens_are_bound_to_the_session():
    assert session_token({"Cookie": "a=1; __Host-bops_officer=t1; bops_officer=t2"}) == "t1"
    assert session_token({"cookie": "bops_officer=t2"}) == "t2"
    assert session_token({"Cookie": "bops_officer="}) is None
    cookie = session_cookie("t", https=True, max_age=60)
    assert cookie.startswith("__Host-bops_officer=t;") and "Secure" in cookie and "Domain" not in cookie
    assert csrf_matches(csrf_token("t1"), csrf_token("t1"))
    assert not csrf_matches(csrf_token("t1"), csrf_token("t2")) and not csrf_matches(csrf_token("t1"), None)


HTML = {"Accept": "text/html,application/xhtml+xml"}


def test_sign_out_revokes_the_token_so_a_copied_cookie_stops_working(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    assert browser.sign_in("ann@demo.example") == 303
    thief = served.browser()
    thief.cookies = dict(browser.cookies)  # a copy of the cookie, taken before sign-out
    assert thief.get("/")[0] == 200
    token = browser.csrf("/")
    assert browser.request("POST", "/sign-out", {"csrf_token": token})[0] == 303
    assert thief.get("/")[0] == 401
    status, headers, _ = thief.request("GET", "/applications/26-00001-HAPP", headers=HTML)
    assert status == 303 and headers["location"] == ["/sign-in?next=%2Fapplications%2F26-00001-HAPP"]
    bearer = {"Authorization": f"Bearer {thief.cookies['bops_officer']}"}
    assert served.browser().request("GET", "/api/officer/v1/me", headers=bearer)[0] == 401
    assert browser.sign_in("ann@demo.example") == 303 and browser.get("/")[0] == 200  # a new session works


def test_a_browser_without_a_session_is_sent_to_sign_in_and_back_to_the_page_it_asked_for(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    status, headers, _ = browser.request("GET", "/?view=all&page=2", headers=HTML)
    assert status == 303 and headers["location"] == ["/sign-in?next=%2F%3Fview%3Dall%26page%3D2"]
    assert headers["cache-control"] == ["no-store"]
    status, _, html = browser.get(headers["location"][0])
    assert status == 200 and 'name="next" value="/?view=all&amp;page=2"' in html and "Sign in to continue" in html
    token = browser.csrf("/sign-in")
    form = {"email": "ann@demo.example", "password": "a long enough password", "csrf_token": token}
    status, headers, _ = browser.request("POST", "/sign-in", {**form, "next": "/?view=all&page=2"})
    assert status == 303 and headers["location"] == ["/?view=all&page=2"]
    # JSON clients and the API still get 401.
    assert served.browser().request("GET", "/api/officer/v1/me", headers=HTML)[0] == 401
    assert served.browser().request("POST", "/admin/officers", {}, headers={"Accept": "application/json"})[0] == 401
    assert served.browser().request("GET", "/admin/officers", headers=HTML)[0] == 303


def test_a_form_sent_after_the_session_ended_returns_to_its_page_after_sign_in_and_stores_nothing(served):
    """The officer filled a form while the session ran out: sign in, then back to the page the form was on (its
    Referer, this site's only) to send it again; nothing of the form is stored."""
    served.officer("DEMO", "ann@demo.example", "administrator", "Ann Admin")
    browser = served.browser()
    host = served.base_url.split("://", 1)[1]
    form = {"name": "Bo Reviewer", "email": "bo@demo.example", "role": "reviewer", "csrf_token": "stale"}
    sent_from = {**HTML, "Referer": f"http://{host}/admin/officers?page=2"}
    status, headers, _ = browser.request("POST", "/admin/officers", form, headers=sent_from)
    assert status == 303 and headers["location"] == ["/sign-in?next=%2Fadmin%2Fofficers%3Fpage%3D2"]
    elsewhere = {**HTML, "Referer": "https://evil.example/admin/officers"}
    status, headers, _ = browser.request("POST", "/admin/officers/some-id/deactivate", form, headers=elsewhere)
    assert status == 303 and headers["location"] == ["/sign-in?next=%2F"]
    status, headers, _ = browser.request("POST", "/applications/26-00001-HAPP/actions/assign", form, headers=HTML)
    assert status == 303 and headers["location"] == ["/sign-in?next=%2F"]
    assert browser.sign_in("ann@demo.example") == 303
    assert "bo@demo.example" not in browser.get("/admin/officers")[2]


@pytest.mark.parametrize(
    "wanted",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\\/evil.example",
        "javascript:alert(1)",
        "/sign-in?next=//evil.example",
        "/ok\r\nSet-Cookie: x=1",
        "",
    ],
)
def test_sign_in_never_returns_to_another_site(served, wanted):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    token = browser.csrf("/sign-in")
    form = {"email": "ann@demo.example", "password": "a long enough password", "csrf_token": token, "next": wanted}
    status, headers, _ = browser.request("POST", "/sign-in", form)
    assert status == 303 and headers["location"] == ["/"]


def test_an_expired_session_is_sent_to_sign_in_again(served, monkeypatch):
    from datetime import timedelta

    from shared import wiring
    from tests.console.support import NOW

    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    browser = served.browser()
    assert browser.sign_in("ann@demo.example") == 303
    monkeypatch.setenv("BOPS_NOW", (NOW + timedelta(minutes=16)).isoformat())
    wiring.reset()
    status, headers, _ = browser.request("GET", "/applications/26-00001-HAPP", headers=HTML)
    assert status == 303 and headers["location"] == ["/sign-in?next=%2Fapplications%2F26-00001-HAPP"]
