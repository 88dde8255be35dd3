"""The lazy event registry: the event modules load on first need, and `EVENT_MODULES` matches what they define."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import events
from events import EventPayload, event, registered_types
from events.registry import _models

PROJECT = Path(__file__).resolve().parents[2]
NOT_EVENT_MODULES = {
    "events.envelope",
    "events.registry",
    "events.serialization",
    "events.streams",
    "events.submission",
}


def defined_in(module: str) -> set[str]:
    importlib.import_module(module)
    return {event_type for (event_type, _), model in _models.items() if model.__module__ == module}


def test_the_table_lists_exactly_the_types_each_event_module_registers():
    for module, listed in events.registry.EVENT_MODULES.items():
        assert defined_in(module) == set(listed), module


def test_every_event_module_of_the_package_is_in_the_table():
    for found in pkgutil.iter_modules(events.__path__, "events."):
        if found.name not in NOT_EVENT_MODULES:
            assert found.name in events.registry.EVENT_MODULES, f"{found.name}: add its event types to EVENT_MODULES"
    for module in NOT_EVENT_MODULES:
        assert defined_in(module) == set(), module


def test_registered_types_has_every_product_type():
    types = registered_types()
    for listed in events.registry.EVENT_MODULES.values():
        assert set(listed) <= set(types)


def test_a_listed_module_cannot_register_an_unlisted_type():
    with pytest.raises(ValueError, match="not listed there in EVENT_MODULES"):

        @event("TestNotInTheTable")
        class NotInTheTable(EventPayload):
            """(test) defined as if in events.council."""

            __module__ = "events.council"


FRESH = r"""
import json, sys
import orjson
import events
loaded = lambda: sorted(m for m in ("events.application", "events.council", "events.submission") if m in sys.modules)
found = {"after_import": loaded()}
found["version"] = events.current_version("ApiKeyCreated")
found["after_current_version"] = loaded()
envelope = {
    "event_id": "00000000-0000-0000-0000-000000000001", "stream_id": "council:DEMO", "version": 1,
    "council": "DEMO", "event_type": "DocumentFetchFailed", "schema_version": 1,
    "occurred_at": "2026-01-05T09:00:00.000000Z", "recorded_at": "2026-01-05T09:00:00.000000Z",
    "actor": {"kind": "system", "id": "system", "display_name": "system"},
    "correlation_id": "00000000-0000-0000-0000-000000000001", "causation_id": None,
    "payload": {"file_index": 0, "source_url": "https://x/y.pdf", "reason": "r", "attempts": 1},
}
found["read"] = type(events.deserialize(orjson.dumps(envelope)).payload).__name__
found["after_deserialize"] = loaded()
found["types"] = events.registered_types()
print(json.dumps(found))
"""


def test_a_fresh_process_imports_the_event_modules_only_when_it_needs_them():
    done = subprocess.run([sys.executable, "-c", FRESH], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["after_import"] == []
    assert found["version"] == 1 and found["after_current_version"] == ["events.council"]
    assert found["read"] == "DocumentFetchFailed"
    assert found["after_deserialize"] == ["events.application", "events.council", "events.submission"]
    assert set(found["types"]) == {t for listed in events.registry.EVENT_MODULES.values() for t in listed}
