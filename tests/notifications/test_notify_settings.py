"""A council's Notify settings: checked against Notify when saved (the key, each template), the key only in the
secrets store, the rest on the council's stream; `bops councils set-notify`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from bops.cli import main
from events.council import NotifyConfiguration
from shared.notify import settings as ns
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
    problem = _profile(data_dir, "LBH").notify_problem  # on the council's stream, for its administrators
    assert problem is not None and problem.source == "check"
    assert any("does not exist in this Notify service" in reason for reason in problem.reasons)
    bops("councils", "set-notify", "LBH", "--api-key", "not-a-key", expect=1)
    bops("councils", "set-notify", "LBH", "--api-key", "not-a-key", expect=1)  # the same problem is recorded once
    problems = _problems(data_dir, "LBH")
    assert len(problems) == 2 and "not a GOV.UK Notify key" in problems[-1].reasons[0]
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
    assert _profile(data_dir, "LBH").notify_problem is None  # settings that pass the check clear it
    bops("councils", "set-notify", "LBH", "--callback-token", "short", expect=2)
    bops("councils", "set-notify", "LBH", "--callback-token", "a-callback-token-for-notify")
    reply_to = notify_server.service.add_reply_to()
    again = json.loads(bops("councils", "set-notify", "LBH", "--reply-to", reply_to, "--json"))  # the key kept
    assert (again["reply_to_id"], again["templates"]) == (reply_to, {"receipt": receipt})
    data = tmp_path / "data"
    secrets = json.loads((data / "secrets.json").read_text())
    assert secrets["LBH/notify-api-key"] == notify_server.api_key
    assert secrets["LBH/notify-callback-token"] == "a-callback-token-for-notify"
    elsewhere = [path for path in data.rglob("*") if path.is_file() and not path.name.startswith("secrets.json")]
    assert elsewhere and not any(notify_server.api_key.encode() in path.read_bytes() for path in elsewhere)


def _problems(data_dir: str, council: str) -> list[Any]:
    from events.notifications import NotifyConfigurationProblem
    from events.streams import council_stream
    from shared.eventstore.sqlite import SqliteEventStore

    store = SqliteEventStore(f"{data_dir}/events.sqlite")
    return [e.payload for e in store.read(council_stream(council)) if isinstance(e.payload, NotifyConfigurationProblem)]


def _profile(data_dir: str, council: str) -> Any:
    from shared.councils.profile import CouncilProfiles
    from shared.eventstore.sqlite import SqliteEventStore

    return CouncilProfiles(SqliteEventStore(f"{data_dir}/events.sqlite")).load(council)
