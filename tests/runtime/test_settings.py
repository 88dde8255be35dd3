from pathlib import Path

import pytest

from shared.settings import Settings, SettingsError


def test_settings_come_from_bops_variables():
    settings = Settings.from_environment(
        {"BOPS_RUNTIME": "aws", "BOPS_EVENT_TABLE": "events", "BOPS_MAX_BODY_BYTES": "1024", "HOME": "/root"}
    )
    assert (settings.runtime, settings.event_table, settings.max_body_bytes) == ("aws", "events", 1024)
    assert Settings.from_environment({}).data_dir == Path(".bops")


def test_typed_settings_are_parsed_and_unknown_bops_variables_ignored():
    settings = Settings.from_environment(
        {
            "BOPS_DATA_DIR": "/srv/bops",
            "BOPS_ODP_SCHEMA_DIR": "/srv/odp",
            "BOPS_ALLOW_LOOPBACK_DOWNLOADS": "Yes",
            "BOPS_NOW": "2026-03-02T10:00:00Z",
        }
    )
    assert settings.data_dir == Path("/srv/bops") and settings.odp_schema_dir == Path("/srv/odp")
    assert settings.allow_loopback_downloads is True and settings.aws_models_dir is None
    assert Settings.from_environment({"BOPS_ALLOW_LOOPBACK_DOWNLOADS": "0"}).allow_loopback_downloads is False
    assert Settings.from_environment({}) == Settings() and hash(Settings()) == hash(Settings())


def test_a_bad_value_fails_with_its_name():
    with pytest.raises(SettingsError, match="BOPS_MAX_BODY_BYTES='lots': must be a whole number"):
        Settings.from_environment({"BOPS_MAX_BODY_BYTES": "lots"})
    with pytest.raises(SettingsError, match="BOPS_MAX_BODY_BYTES='0': must be greater than 0"):
        Settings.from_environment({"BOPS_MAX_BODY_BYTES": "0"})
    with pytest.raises(SettingsError, match="BOPS_RUNTIME='mainframe': must be one of embedded, aws"):
        Settings.from_environment({"BOPS_RUNTIME": "mainframe"})
    with pytest.raises(SettingsError, match=r"BOPS_RUNTIME='x'.*; BOPS_ALLOW_LOOPBACK_DOWNLOADS='maybe'"):
        Settings.from_environment({"BOPS_ALLOW_LOOPBACK_DOWNLOADS": "maybe", "BOPS_RUNTIME": "x"})
    with pytest.raises(SettingsError, match="runtime"):
        Settings(runtime="mainframe")  # type: ignore[arg-type]
