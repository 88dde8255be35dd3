"""Registry from (event type, schema version) to payload model, with upcasters from old versions to current ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from events.envelope import EventPayload

P = TypeVar("P", bound=type[EventPayload])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(LookupError):
    """No model is registered for this event type and schema version."""


_models: dict[tuple[str, int], type[EventPayload]] = {}
_current: dict[str, int] = {}
_upcasters: dict[tuple[str, int], tuple[int, Upcaster]] = {}


def event(event_type: str, schema_version: int = 1) -> Callable[[P], P]:
    """Class decorator: register a payload model under its type name and schema version."""

    def register(cls: P) -> P:
        key = (event_type, schema_version)
        if key in _models and _models[key] is not cls:
            raise ValueError(f"event {event_type} v{schema_version} is registered twice")
        cls.event_type = event_type
        cls.schema_version = schema_version
        _models[key] = cls
        _current[event_type] = max(_current.get(event_type, 0), schema_version)
        return cls

    return register


def upcaster(event_type: str, from_version: int, to_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function that turns the JSON payload of an old version into the next version's."""

    def register(fn: Upcaster) -> Upcaster:
        _upcasters[(event_type, from_version)] = (to_version, fn)
        return fn

    return register


def current_version(event_type: str) -> int:
    try:
        return _current[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def model_for(event_type: str, schema_version: int) -> type[EventPayload]:
    try:
        return _models[(event_type, schema_version)]
    except KeyError:
        raise UnknownEventType(f"{event_type} v{schema_version}") from None


def upcast(event_type: str, schema_version: int, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Apply upcasters until the payload is at the current version of its type."""
    target = current_version(event_type)
    while schema_version < target:
        try:
            schema_version, fn = _upcasters[(event_type, schema_version)]
        except KeyError:
            raise UnknownEventType(f"no upcaster for {event_type} v{schema_version}") from None
        data = fn(data)
    return schema_version, data


def registered_types() -> dict[str, int]:
    """Every registered event type with its current schema version."""
    return dict(_current)
