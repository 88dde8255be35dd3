"""The shared page shell (shared/pages): assets, the error summary, the base template, and greedy routes."""

from __future__ import annotations

import re

import pytest

from shared.declarations import Route
from shared.pages.assets import find_asset
from shared.pages.errors import error_summary, field_error
from shared.pages.rendering import page_environment, render_page


def test_a_greedy_route_takes_the_rest_of_the_path():
    route = Route("GET", "/assets/{path+}")
    assert route.matches("GET", "/assets/fonts/bold.woff2") == {"path": "fonts/bold.woff2"}
    assert route.matches("GET", "/assets/") is None
    assert Route("GET", "/things/{thing_id}").matches("GET", "/things/a/b") is None  # a plain one: one segment


def test_the_stylesheet_script_and_images_are_served_with_their_types():
    assert find_asset("council.min.css").content_type.startswith("text/css")
    assert find_asset("govuk-frontend.min.js").content_type.startswith("text/javascript")
    css = find_asset("council.min.css").content.decode()
    assert ".govuk-error-summary" in css and "arial" in css
    assert "GDS Transport" not in css and ".woff" not in css  # GOV.UK's brand font is for GOV.UK domains only
    urls = re.findall(r"url\(\"?/assets/([^)\"]+)\"?\)", css)
    assert urls
    for path in urls:  # everything the stylesheet names is there
        assert find_asset(path) is not None, path
    assert find_asset("images/favicon.ico").content[:4] == b"\x00\x00\x01\x00"


@pytest.mark.parametrize(
    "path",
    [
        "",
        "../package.json",
        "fonts/../../package.json",
        "/etc/passwd",
        "fonts//x.woff2",
        ".hidden.css",
        "govuk-frontend.min.css",  # the package's own stylesheet (with GOV.UK's font) is not ours
        "govuk-frontend.min.css.map",
        "fonts/bold-b542beb274-v2.woff2",
        "index.scss",
        "fonts/missing.woff2",
        "all.bundle.js",
        "a\\b.css",
        "fonts/x\x00.woff2",
        "fonts/\n.woff2",
    ],
)
def test_nothing_else_is_served(path):
    assert find_asset(path) is None


def test_the_error_summary_links_each_message_to_its_field():
    assert error_summary({}) is None
    summary = error_summary({"response": "Enter your response", "file": "Choose a file"})
    assert summary == {
        "titleText": "There is a problem",
        "errorList": [
            {"text": "Enter your response", "href": "#response"},
            {"text": "Choose a file", "href": "#file"},
        ],
    }
    assert field_error({"file": "Choose a file"}, "file") == {"text": "Choose a file"}
    assert field_error({"file": "Choose a file"}, "response") is None


def test_the_base_page_has_a_language_a_title_the_summary_and_a_nonce_per_page():
    page = render_page(
        page_environment(),
        "base.html",
        title="Answer",
        serviceName="Demo Council",
        errors={"reason": "Enter a <reason>"},
    )
    assert '<html lang="en"' in page.html
    assert "<title>Error: Answer \u2013 Demo Council</title>" in page.html
    assert 'class="govuk-error-summary"' in page.html and '<a href="#reason">Enter a &lt;reason&gt;</a>' in page.html
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    assert page.html.count(f'nonce="{nonce}"') == 2
    other = render_page(page_environment(), "base.html", title="Answer", serviceName="Demo Council")
    assert nonce not in other.headers["Content-Security-Policy"]
    assert "Error:" not in other.html and "govuk-error-summary" not in other.html
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
