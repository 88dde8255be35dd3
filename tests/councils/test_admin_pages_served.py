"""The console's administration pages through `bops serve`: administrators invite officers (a one-time password shown
once, that signs in), change roles, reset passwords and deactivate (the officer's session stops working), create API
keys (shown once; they work until revoked) and change settings; the same events as `bops`; CSRF on every form;
other roles get 403."""

from __future__ import annotations

import re

import pytest

from events.streams import council_stream
from tests.assessment.console_pages import Browser
from tests.notify_server import notify_server  # noqa: F401  (the fixture)
from tests.officers.test_sign_in_http import Served, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def admin(served: Served):  # noqa: F811
    served.officer("DEMO", "ada@demo.example", "administrator", "Ada Admin")
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    return served, Browser(served.runtime.base_url, served.token("ada@demo.example"))


def last_event(server: Served):
    return server.runtime.deps.event_store.read(council_stream("DEMO"))[-1]


def test_an_invited_officer_signs_in_and_a_deactivated_officers_session_stops_working(admin):
    server, ada = admin
    status, headers, page = ada.get("/admin/officers")
    assert status == 200 and "Ann Assessor" in page and headers["cache-control"] == "no-store"
    assert f"{server.runtime.deps.council_settings('DEMO').name} planning" in page  # the name from the state read
    status, _, page = ada.post("/admin/officers", {"name": "", "email": "bad", "role": ""})
    assert status == 422 and "govuk-error-summary" in page and 'href="#name"' in page
    status, _, page = ada.post(
        "/admin/officers", {"name": "<b>Nia</b>", "email": "nia@demo.example", "role": "reviewer"}
    )
    assert status == 200 and "&lt;b&gt;Nia&lt;/b&gt;" in page and "<b>Nia</b>" not in page
    password = re.search(r'<code[^>]*id="password">([^<]+)</code>', page).group(1)
    event = last_event(server)
    assert event.event_type == "OfficerCreated" and event.actor.display_name == "Ada Admin"
    assert password not in str(server.runtime.deps.event_store.read(council_stream("DEMO")))
    server.caught_up()
    status, _, body = server.sign_in("nia@demo.example", password)
    assert status == 200, body
    nia = Browser(server.runtime.base_url, body["token"])
    assert nia.get("/admin/officers")[0] == 403
    officer_id = event.payload.officer_id
    status, _, page = ada.get(f"/admin/officers/{officer_id}")
    assert status == 200 and "Deactivate officer" in page
    assert ada.post(f"/admin/officers/{officer_id}/role", {"role": "assessor"})[0] == 303
    assert last_event(server).event_type == "OfficerRoleChanged"
    status, _, page = ada.post(f"/admin/officers/{officer_id}/reset-password", {})
    new_password = re.search(r'id="password">([^<]+)</code>', page).group(1)
    assert server.sign_in("nia@demo.example", password)[0] == 401
    assert server.sign_in("nia@demo.example", new_password)[0] == 200
    assert ada.post(f"/admin/officers/{officer_id}/deactivate", {}, csrf=False)[0] == 400
    assert ada.post(f"/admin/officers/{officer_id}/deactivate", {})[0] == 303
    server.caught_up()
    assert last_event(server).event_type == "OfficerDeactivated"
    assert server.me(body["token"])[0] == 401  # the deactivated officer's session stops working


def test_a_name_with_characters_no_one_types_is_refused_naming_the_field_and_nothing_is_recorded(admin):
    server, ada = admin
    before = last_event(server)
    for name in ("Nia\x00", "Nia \u202eAdmin", "Nia\x1b[8m"):
        status, _, page = ada.post("/admin/officers", {"name": name, "email": "nia@demo.example", "role": "reviewer"})
        assert status == 422 and "The name field has characters that cannot be typed" in page, page
    assert last_event(server) == before


def test_an_administrator_cannot_lock_themselves_out(admin):
    server, ada = admin
    me = server.councils.load("DEMO").officer_by_email("ada@demo.example")
    status, _, page = ada.post(f"/admin/officers/{me.id}/deactivate", {})
    assert status == 422 and "another administrator" in page
    assert last_event(server).event_type == "OfficerCreated"


def test_an_api_key_is_shown_once_and_works_until_revoked(admin):
    server, ada = admin
    status, _, page = ada.post("/admin/api-keys", {"name": "PlanX", "scopes": []})
    assert status == 422 and 'href="#scopes"' in page
    status, _, page = ada.post("/admin/api-keys", {"name": "PlanX", "scopes": ["planning_application:read"]})
    assert status == 200
    key = re.search(r'id="api-key">([^<]+)</code>', page).group(1)
    assert last_event(server).event_type == "ApiKeyCreated"
    server.caught_up()
    reading = server.client.request(
        "GET", "/api/v2/planning_applications/26-00001-HH", headers={"Authorization": f"Bearer {key}"}
    )
    assert reading[0] != 401
    _, _, page = ada.get("/admin/api-keys")
    assert key not in page and "PlanX" in page
    key_id = last_event(server).payload.key_id
    assert ada.post(f"/admin/api-keys/{key_id}/revoke", {})[0] == 303
    server.caught_up()
    assert last_event(server).event_type == "ApiKeyRevoked"
    reading = server.client.request(
        "GET", "/api/v2/planning_applications/26-00001-HH", headers={"Authorization": f"Bearer {key}"}
    )
    assert reading[0] == 401


def test_settings_show_what_is_fixed_and_record_what_changed(admin):
    server, ada = admin
    status, _, page = ada.get("/admin/settings")
    assert status == 200 and "Fixed when the council was deployed" in page and "DEMO" in page
    status, _, page = ada.post("/admin/settings", {"periods": "pp.full.householder=abc"})
    assert status == 422 and 'href="#periods"' in page
    fields = {
        "reply_to_email": "planning@demo.example",
        "public_base_url": "https://planning.demo.example",
        "hosts": "files.demo.example",
        "periods": "pp.full.householder=42",
    }
    status, headers, _ = ada.post("/admin/settings", fields)
    assert status == 303 and headers["location"] == "/admin/settings?saved=1"
    event = last_event(server)
    assert event.event_type == "CouncilSettingsChanged" and event.actor.display_name == "Ada Admin"
    settings = server.runtime.deps.council_settings("DEMO")
    assert settings.determination_period_days("pp.full.householder") == 42
    assert settings.reply_to_email == "planning@demo.example"
    _, _, page = ada.get("/admin/settings?saved=1")
    assert "The settings were saved" in page and "pp.full.householder=42" in page
    assert settings.publish_applicant_names is False and 'value="no" checked' in page


@pytest.mark.parametrize("days", ["²", "9" * 5000])
def test_a_period_that_is_not_a_plain_number_is_shown_back_and_nothing_is_recorded(admin, days):
    """`"²".isdigit()` is true but `int("²")` fails (and `int()` of 5,000 digits): both were a 500."""
    server, ada = admin
    before = last_event(server)
    status, _, page = ada.post("/admin/settings", {"periods": f"pp.full.householder={days}"})
    assert status == 422 and 'href="#periods"' in page
    assert last_event(server) == before


def test_the_administrator_turns_applicants_names_on_and_off(admin):
    server, ada = admin
    status, _, page = ada.post("/admin/settings", {"publish_names": "maybe"})
    assert status == 422 and 'href="#publish_names"' in page
    for choice, shown in (("yes", True), ("no", False)):
        status, _, _ = ada.post("/admin/settings", {"publish_names": choice})
        assert status == 303
        assert last_event(server).payload.changes.publish_applicant_names is shown
        assert server.runtime.deps.council_settings("DEMO").publish_applicant_names is shown
        _, _, page = ada.get("/admin/settings")
        assert f'value="{choice}" checked' in page


def test_settings_show_a_notify_problem_and_the_failed_messages_not_yet_acknowledged(admin):
    from datetime import UTC, datetime

    from events import Actor, NewEvent
    from events.notifications import NotificationFailed, NotifyConfigurationProblem
    from events.streams import application_side_stream

    server, ada = admin
    _, _, page = ada.get("/admin/settings")
    assert "GOV.UK Notify settings were refused" not in page and "the local outbox" in page
    store, at = server.runtime.deps.event_store, datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    problem = NotifyConfigurationProblem(source="send", reasons=("403 Invalid token: <API key> revoked",))
    stream = council_stream("DEMO")
    store.append(stream, store.stream_version(stream), [NewEvent(problem, "DEMO", Actor.system(), at)])
    failed = NotificationFailed(
        notification_id="e1:applicant",
        kind="receipt",
        recipient_role="applicant",
        masked_address="a***@example.org",
        reason="Notify: permanent-failure",
        permanent=True,
    )
    side = application_side_stream("DEMO", "26-00001-HAPP", "notifications")
    store.append(side, 0, [NewEvent(failed, "DEMO", Actor.system(), at)])
    server.caught_up()
    _, _, page = ada.get("/admin/settings")
    assert "GOV.UK Notify refused to send the council's e-mail on 2 March 2026 at 10:00 UTC" in page
    assert "403 Invalid token: &lt;API key&gt; revoked" in page
    count = re.search(r"Failed messages not yet acknowledged\s*</dt>\s*<dd[^>]*>\s*(\d+)", page)
    assert count is not None and count.group(1) == "1"


def notify_fields(notify_server, **changes):  # noqa: F811
    """The Notify form's fields: the fake Notify's key and address and one generic template."""
    fields = {
        "form": "notify",
        "api_key": notify_server.api_key,
        "base_url": notify_server.base_url,
        "generic_template": notify_server.add_template(),
        "reply_to": "",
        "callback_token": "",
    }
    return fields | changes


def test_an_administrator_saves_the_notify_settings_checked_against_notify(admin, notify_server, caplog):  # noqa: F811
    from shared.notify import NOTIFY_CALLBACK_TOKEN_SECRET
    from shared.notify.settings import api_key_secret_name

    server, ada = admin
    secrets = server.runtime.deps.secrets
    receipt = notify_server.add_template(subject="Received ((reference))", body="Dear ((name))")
    fields = notify_fields(notify_server, template_receipt=receipt, callback_token="a-callback-token-1234")
    status, headers, _ = ada.post("/admin/settings", fields)
    assert status == 303 and headers["location"].startswith("/admin/settings?saved=1")
    event = last_event(server)
    assert event.event_type == "CouncilSettingsChanged" and event.actor.display_name == "Ada Admin"
    saved = event.payload.changes.notify
    assert saved.base_url == notify_server.base_url and saved.templates == {"receipt": receipt}
    assert saved.generic_template_id == fields["generic_template"]
    assert secrets.get(api_key_secret_name("DEMO")) == notify_server.api_key
    assert secrets.get(NOTIFY_CALLBACK_TOKEN_SECRET.format(council="DEMO")) == "a-callback-token-1234"
    assert any(r.path.startswith("/v2/template/") for r in notify_server.requests)  # checked through Notify's API
    _, _, page = ada.get("/admin/settings?saved=1")
    assert notify_server.api_key not in page and "a-callback-token-1234" not in page
    assert f"A key is saved, ending {notify_server.api_key[-4:]}" in page and "A token is saved" in page
    assert f'value="{receipt}"' in page  # the saved template ids are shown
    stored = str(server.runtime.deps.event_store.read(council_stream("DEMO")))
    assert notify_server.api_key not in stored and notify_server.api_key not in caplog.text
    # A blank key keeps the saved one: the settings are checked with it again.
    status, _, _ = ada.post("/admin/settings", notify_fields(notify_server, api_key=""))
    assert status == 303 and last_event(server).payload.changes.notify.templates == {}


def test_notify_settings_refused_show_each_reason_and_save_nothing(admin, notify_server, caplog):  # noqa: F811
    from shared.notify.settings import api_key_secret_name

    server, ada = admin
    before = server.runtime.deps.event_store.stream_version(council_stream("DEMO"))
    bad_key = "not-a-notify-key-4321"
    unknown = "11111111-2222-4333-8444-555555555555"
    fields = notify_fields(notify_server, api_key=bad_key, template_decision="not-a-uuid")
    status, _, page = ada.post("/admin/settings", fields)
    assert status == 422 and "govuk-error-summary" in page
    assert 'href="#api_key"' in page and 'href="#template_decision"' in page
    assert 'id="api_key-error"' in page and 'id="template_decision-error"' in page  # inline, beside each field
    assert "is not a GOV.UK Notify key" in page and "not-a-uuid" in page  # the reasons, beside their fields
    assert bad_key not in page and fields["generic_template"] in page  # values kept, except the key
    assert server.runtime.deps.secrets.get(api_key_secret_name("DEMO")) is None
    events = server.runtime.deps.event_store.read(council_stream("DEMO"))
    assert [e.event_type for e in events[before:]] == ["NotifyConfigurationProblem"]  # the refusal, nothing saved
    assert bad_key not in str(events) and bad_key not in caplog.text
    # A well-formed key, but a template Notify does not have: asked, refused, shown.
    status, _, page = ada.post("/admin/settings", notify_fields(notify_server, generic_template=unknown))
    assert status == 422 and 'href="#generic_template"' in page and f"template {unknown} does not exist" in page
    assert notify_server.api_key not in page
    assert "GOV.UK Notify settings were refused" in page  # the problem, shown to administrators
    assert server.runtime.deps.secrets.get(api_key_secret_name("DEMO")) is None
    assert last_event(server).event_type == "NotifyConfigurationProblem"


def test_only_administrators_change_notify_settings_and_only_with_the_forms_token(admin, notify_server):  # noqa: F811
    from shared.notify.settings import api_key_secret_name

    server, ada = admin
    ann = Browser(server.runtime.base_url, server.token("ann@demo.example"))
    assert ann.post("/admin/settings", notify_fields(notify_server))[0] == 403
    assert ada.post("/admin/settings", notify_fields(notify_server), csrf=False)[0] == 400
    assert server.runtime.deps.secrets.get(api_key_secret_name("DEMO")) is None
    assert last_event(server).event_type == "OfficerCreated"
