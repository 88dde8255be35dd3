from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.settings import Settings


def test_settings_come_from_bops_variables():
    settings = Settings.from_environment(
        {"BOPS_RUNTIME": "aws", "BOPS_EVENT_TABLE": "events", "BOPS_MAX_BODY_BYTES": "1024", "HOME": "/root"}
    )
    assert (settings.runtime, settings.event_table, settings.max_body_bytes) == ("aws", "events", 1024)
    assert Settings.from_environment({}).data_dir == Path(".bops")


def test_a_bad_value_fails_with_its_name():
    with pytest.raises(ValidationError, match="max_body_bytes"):
        Settings.from_environment({"BOPS_MAX_BODY_BYTES": "lots"})
    with pytest.raises(ValidationError, match="runtime"):
        Settings.from_environment({"BOPS_RUNTIME": "mainframe"})
