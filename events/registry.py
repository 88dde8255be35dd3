"""Registry from (event type, schema version) to payload model, with upcasters from old versions to current ones.

The product's event modules are imported on first need, not with the package: a Lambda handler that reads only
council events never defines the application events. `EVENT_MODULES` says
which module defines which types; `event` refuses a type that a listed module defines but does not list, and the tests
check the table against the modules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from events.envelope import EventPayload

P = TypeVar("P", bound=type[EventPayload])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# Every product event type, by the module that defines (and registers) it.
EVENT_MODULES: dict[str, tuple[str, ...]] = {
    "events.council": (
        "CouncilCreated",
        "CouncilSettingsChanged",
        "OfficerCreated",
        "ApiKeyCreated",
        "ApiKeyRevoked",
        "OfficerDeactivated",
        "OfficerRoleChanged",
    ),
    "events.application": (
        "PlanningApplicationReferenceAssigned",
        "SubmissionClaimed",
        "PlanningApplicationSubmitted",
        "DocumentReceived",
        "DocumentFetchFailed",
        "DocumentFetchRequested",
    ),
    "events.assessment": (
        "CaseOfficerAssigned",
        "DocumentChecked",
        "RedLineBoundaryChecked",
        "FeeChecked",
        "ConstraintAdded",
        "ConstraintRemoved",
        "ValidationRequestDrafted",
        "ValidationRequestSent",
        "ValidationRequestAnswered",
        "ValidationRequestAutoClosed",
        "ValidationRequestCancelled",
        "DescriptionChanged",
        "RedLineBoundaryChanged",
        "PlanningApplicationInvalidated",
        "PlanningApplicationValidated",
        "SiteNoticeRecorded",
        "PressNoticeRecorded",
        "AssessmentRecorded",
        "RecommendationSubmitted",
        "RecommendationAgreed",
        "RecommendationChallenged",
        "PlanningApplicationSentToCommittee",
        "CommitteeDecisionRecorded",
        "PlanningApplicationDetermined",
        "DecisionNoticeIssued",
        "ApplicantDocumentUploaded",
        "PlanningApplicationWithdrawn",
        "PlanningApplicationReturned",
        "PlanningApplicationClosed",
    ),
    "events.notifications": (
        "NotificationSent",
        "NotificationDelivered",
        "NotificationFailed",
        "NotificationFailureAcknowledged",
        "NotifyConfigurationProblem",
    ),
    "events.documents": (
        "DocumentUploaded",
        "DocumentTagsChanged",
        "DocumentPublished",
        "DocumentUnpublished",
        "RedactedCopyUploaded",
        "DocumentArchived",
    ),
    "events.publication": ("PublicRecordsRefreshRequested",),
}
_module_of = {event_type: module for module, types in EVENT_MODULES.items() for event_type in types}


class UnknownEventType(LookupError):
    """No model is registered for this event type and schema version."""


_models: dict[tuple[str, int], type[EventPayload]] = {}
_current: dict[str, int] = {}
_upcasters: dict[tuple[str, int], tuple[int, Upcaster]] = {}


def event(event_type: str, schema_version: int = 1) -> Callable[[P], P]:
    """Class decorator: register a payload model under its type name and schema version."""

    def register(cls: P) -> P:
        if cls.__module__ in EVENT_MODULES and _module_of.get(event_type) != cls.__module__:
            raise ValueError(f"event {event_type} is defined in {cls.__module__} but not listed there in EVENT_MODULES")
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


def _load(event_type: str) -> None:
    """Import the module that defines a product event type (nothing for other types: they register when imported)."""
    module = _module_of.get(event_type)
    if module is not None:
        importlib.import_module(module)


def current_version(event_type: str) -> int:
    version = _current.get(event_type)
    if version is None:
        _load(event_type)
        version = _current.get(event_type)
        if version is None:
            raise UnknownEventType(event_type)
    return version


def model_for(event_type: str, schema_version: int) -> type[EventPayload]:
    model = _models.get((event_type, schema_version))
    if model is None:
        _load(event_type)
        model = _models.get((event_type, schema_version))
        if model is None:
            raise UnknownEventType(f"{event_type} v{schema_version}")
    return model


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


def current_model(event_type: str, schema_version: int) -> type[EventPayload] | None:
    """The model of a payload already at its type's current version and loaded, else None (then `upcast` and
    `model_for`): the one dictionary look-up that reading an up-to-date event needs."""
    if _current.get(event_type) == schema_version:
        return _models[(event_type, schema_version)]
    return None


def has_upcaster(event_type: str, from_version: int) -> bool:
    return (event_type, from_version) in _upcasters


def registered_versions() -> list[tuple[str, int]]:
    """Every (event type, schema version) of the product with a registered model (the product's all imported first)."""
    registered_types()
    return sorted(key for key in _models if key[0] in _module_of)


def registered_types() -> dict[str, int]:
    """Every registered event type with its current schema version (the product's all imported first)."""
    for module in EVENT_MODULES:
        importlib.import_module(module)
    return dict(_current)
