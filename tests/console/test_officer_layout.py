"""The officers' layout every officer page shares (`shared.pages.officer_layout`), in-process: the console and the
administration pages render one layout with their own navigation, and GOV.UK components called per row are rendered
once per distinct set of parameters (`shared.pages.rendering.Components`)."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from shared.officer_identity import SignedInOfficer
from shared.pages.officer_layout import NavigationItem, navigation, render_officer_page
from shared.pages.rendering import Components, page_environment

ADA = SignedInOfficer("DEMO", "officer-ada", "Ada Admin", "administrator")
ANN = SignedInOfficer("DEMO", "officer-ann", "Ann <Assessor>", "assessor")


@pytest.fixture
def council(tmp_path, monkeypatch):
    from services.councils.service import CouncilService
    from shared import wiring

    monkeypatch.setenv("BOPS_DATA_DIR", str(tmp_path / "data"))
    wiring.reset()
    deps = wiring.dependencies()
    CouncilService(deps.event_store, deps.clock).create_council("DEMO", "Demo Council", "demo")


def test_navigation_keeps_the_items_of_the_officer_s_role_and_marks_the_current_one():
    items = [NavigationItem("Dashboard", "/"), NavigationItem("Officers", "/admin/officers", roles=("administrator",))]
    assert navigation(items, "assessor", "/") == [{"text": "Dashboard", "href": "/", "active": True, "current": True}]
    shown = navigation(items, "administrator", "/admin/officers/officer-ann")
    assert [(item["text"], item["active"], item["current"]) for item in shown] == [
        ("Dashboard", False, False),  # the dashboard is current on itself only
        ("Officers", True, False),  # any other item on its own pages
    ]


def test_the_console_and_the_administration_pages_share_one_layout(council):
    from services.assessment.console.rendering import render

    console = render("console.html", ANN, "csrf-1", "/", title="Hello").html
    admin = render_officer_page(
        page_environment("services.councils"),
        "admin_api_key_created.html",
        ADA,
        "csrf-2",
        "/admin/api-keys",
        [NavigationItem("Dashboard", "/"), NavigationItem("API keys", "/admin/api-keys")],
        title="API key created",
        key_view={"name": "Parish"},
        key="the-key",
    ).html
    for html, csrf in ((console, "csrf-1"), (admin, "csrf-2")):
        assert html.count('<header class="govuk-template__header">') == 1
        assert html.count('class="govuk-service-navigation"') == 1
        assert html.count('<footer class="govuk-template__footer">') == 1
        assert re.search(
            rf'<form method="post" action="/sign-out">\s*<input type="hidden" name="csrf_token" '
            rf'value="{csrf}">',
            html,
        )
        assert "Demo Council planning" in html
    assert "Signed in as Ann &lt;Assessor&gt; (assessor)" in console and "Signed in as Ada Admin" in admin
    assert re.search(r'<a class="govuk-service-navigation__link" href="/admin/api-keys" aria-current="page">', admin)


def test_an_administrator_s_console_links_to_the_administration_pages_an_assessor_s_does_not(council):
    from services.assessment.console.rendering import render

    def page(officer: SignedInOfficer) -> str:
        return render("console.html", officer, "c", "/", title="T").html

    assert 'href="/admin"' in page(ADA)
    assert 'href="/admin"' not in page(ANN)


def test_a_component_is_rendered_by_its_macro_once_per_distinct_parameters():
    environment = page_environment()
    components = Components(environment)
    direct = environment.from_string(
        '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}{{ govukTag(params) }}'
    )
    params = {"text": "3 days <left>", "classes": "govuk-tag--green"}
    first = components("tag", params)
    assert first == direct.render(params=params) and "3 days &lt;left&gt;" in first
    assert components("tag", dict(params)) is first  # the same parameters: rendered once
    assert components("tag", {**params, "text": "4 days left"}) is not first
    assert components("task-list", {"items": [{"title": {"text": "Check"}, "status": {"text": "Completed"}}]}) == (
        environment.from_string(
            '{% from "govuk_frontend_jinja/components/task-list/macro.html" import govukTaskList %}'
            "{{ govukTaskList(params) }}"
        ).render(params={"items": [{"title": {"text": "Check"}, "status": {"text": "Completed"}}]})
    )


def test_parameters_that_are_not_plain_data_are_rendered_every_time_and_true_is_not_one():
    components = Components(page_environment())
    trusted = {"html": Markup("<em>x</em>")}
    assert components("tag", trusted) is not components("tag", trusted)
    assert "<em>x</em>" in components("tag", trusted)
    assert len(components.rendered) == 0
    components("tag", {"text": 1})
    components("tag", {"text": True})
    assert len(components.rendered) == 2


def test_at_most_limit_renderings_are_kept(monkeypatch):
    components = Components(page_environment())
    monkeypatch.setattr(Components, "LIMIT", 3)
    for number in range(7):
        components("tag", {"text": f"{number} days left"})
    assert len(components.rendered) <= 3


def test_the_dashboard_reads_the_council_s_stream_once(council):
    """The header's council name and the Notify summary come from one read of the council's stream."""
    from events.streams import council_stream
    from services.assessment.console.handler import lambda_handler
    from shared.apigateway import proxy_event
    from shared.wiring import dependencies

    store = dependencies().event_store
    reads: list[str] = []

    def counting(read):
        def counting_read(stream_id, *args, **kwargs):
            reads.append(stream_id)
            return read(stream_id, *args, **kwargs)

        return counting_read

    store.read = counting(store.read)  # type: ignore[method-assign]
    store.read_types = counting(store.read_types)  # type: ignore[method-assign]
    event = proxy_event("GET", "/", "/", None, [("Accept", "text/html")], [], b"")
    event["requestContext"]["authorizer"] = {**ANN.context(), "principalId": f"officer:{ANN.id}"}
    response = lambda_handler(event, None)
    assert response["statusCode"] == 200, response["body"][:500]
    assert "Demo Council planning" in response["body"]
    assert reads.count(council_stream("DEMO")) == 1
