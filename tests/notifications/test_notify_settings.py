"""A council's Notify settings: checked against Notify when saved (the key, each template), the key only in the
secrets store, the rest on the council's stream; `bops councils set-notify`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bops.cli import main
from events.council import NotifyConfiguration
from services.notifications import notify_settings as ns
from shared.secrets import InMemorySecrets
from tests.notify_server import FakeNotify, notify_server

__all__ = ["notify_server"]


def _configuration(notify: FakeNotify, **changes: object) -> NotifyConfiguration:
    values: dict[str, object] = {"base_url": notify.base_url, "generic_template_id": notify.add_template()}
    return NotifyConfiguration.model_validate(values | changes)


def test_good_settings_are_saved_key_in_secrets_only(notify_server: FakeNotify) -> None:
    secrets, recorded = InMemorySecrets(), list[NotifyConfiguration]()
    receipt = notify_server.add_template("Application ((reference)) received", "Dear ((name))")
    configuration = _configuration(notify_server, templates={"receipt": receipt})
    ns.save_notify_settings("LBH", notify_server.api_key, configuration, secrets, recorded.append)
    assert recorded == [configuration]
    assert notify_server.api_key not in configuration.model_dump_json()
    settings = ns.load_notify_settings("LBH", configuration, secrets)
    assert settings is not None and settings.api_key == notify_server.api_key
    assert settings.template_for("receipt") == (receipt, False)
    assert settings.template_for("decision") == (configuration.generic_template_id, True)
    assert ns.load_notify_settings("XYZ", configuration, secrets) is None  # no key: the outbox
    secrets.put(ns.api_key_secret_name("XYZ"), "Zq8-generated-placeholder-of-the-deployment")
    assert ns.load_notify_settings("XYZ", configuration, secrets) is None  # the stack's placeholder: no key yet


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("bad key format", "not a GOV.UK Notify key"),
        ("unknown key", "Notify refused the API key"),
        ("missing template", "does not exist in this Notify service"),
        ("generic without fields", "does not use ((body))"),
        ("kind without template", "no template for"),
        ("unknown kind", "no kind of message is called letters"),
        ("template id not a uuid", "is not a UUID"),
    ],
)
def test_misconfigurations_are_refused_and_nothing_is_saved(
    notify_server: FakeNotify, case: str, expected: str
) -> None:
    key = notify_server.api_key
    configuration = _configuration(notify_server)
    if case == "bad key format":
        key = "not-a-key"
    elif case == "unknown key":
        key = FakeNotify().service.new_api_key()
    elif case == "missing template":
        configuration = _configuration(notify_server, templates={"receipt": "5f7a7c0e-0000-4000-8000-000000000000"})
    elif case == "generic without fields":
        configuration = _configuration(
            notify_server, generic_template_id=notify_server.add_template("((subject))", "x")
        )
    elif case == "kind without template":
        configuration = _configuration(notify_server, generic_template_id=None)
    elif case == "unknown kind":
        configuration = _configuration(notify_server, templates={"letters": notify_server.add_template()})
    else:
        configuration = _configuration(notify_server, generic_template_id="template-1")
    secrets, recorded = InMemorySecrets(), list[NotifyConfiguration]()
    with pytest.raises(ns.NotifySettingsRefused) as refused:
        ns.save_notify_settings("LBH", key, configuration, secrets, recorded.append)
    assert any(expected in reason for reason in refused.value.reasons), refused.value.reasons
    assert recorded == [] and secrets.get(ns.api_key_secret_name("LBH")) is None


def test_notify_unreachable_refuses_with_try_again(notify_server: FakeNotify) -> None:
    configuration = _configuration(notify_server)
    notify_server.fail_next("500", path="/v2/template/")
    reasons = ns.check_notify_settings(notify_server.api_key, configuration)
    assert len(reasons) == 1 and "try again later" in reasons[0]


def test_bops_councils_set_notify(notify_server: FakeNotify, tmp_path) -> None:
    runner, data_dir = CliRunner(), str(tmp_path / "data")

    def bops(*args: str, expect: int = 0) -> str:
        result = runner.invoke(main, [*args, "--data-dir", data_dir], catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result.output

    bops("councils", "create", "LBH", "--name", "Hackney", "--slug", "hackney")
    generic, receipt = notify_server.add_template(), notify_server.add_template("Received ((reference))", "((body))")
    refused = bops(
        "councils",
        "set-notify",
        "LBH",
        "--api-key",
        notify_server.api_key,
        "--base-url",
        notify_server.base_url,
        "--generic-template",
        "5f7a7c0e-0000-4000-8000-000000000000",
        expect=1,
    )
    assert "refused, nothing saved" in refused and "does not exist in this Notify service" in refused
    saved = json.loads(
        bops(
            "councils",
            "set-notify",
            "LBH",
            "--api-key",
            notify_server.api_key,
            "--base-url",
            notify_server.base_url,
            "--generic-template",
            generic,
            "--template",
            f"receipt={receipt}",
            "--json",
        )
    )
    assert saved["templates"] == {"receipt": receipt} and saved["generic_template_id"] == generic
    reply_to = notify_server.service.add_reply_to()
    again = json.loads(bops("councils", "set-notify", "LBH", "--reply-to", reply_to, "--json"))  # the key kept
    assert (again["reply_to_id"], again["templates"]) == (reply_to, {"receipt": receipt})
    data = tmp_path / "data"
    assert json.loads((data / "secrets.json").read_text())["LBH/notify-api-key"] == notify_server.api_key
    elsewhere = [path for path in data.rglob("*") if path.is_file() and not path.name.startswith("secrets.json")]
    assert elsewhere and not any(notify_server.api_key.encode() in path.read_bytes() for path in elsewhere)
