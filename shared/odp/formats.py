"""Tell the three ODP submission formats apart (their schema files, and the error for a type no schema has).

Light on purpose (no jsonschema-rs): the conversion (`shared.odp.conversion`) needs these without validating.
"""

from __future__ import annotations

from typing import Any, Literal

OdpFormat = Literal["application", "prototypeApplication", "preApplication"]
FORMATS: tuple[OdpFormat, ...] = ("application", "prototypeApplication", "preApplication")
SCHEMA_FILES: dict[OdpFormat, str] = {
    "application": "application.json",
    "prototypeApplication": "prototypeApplication.json",
    "preApplication": "preApplication.json",
}


class UnknownApplicationType(ValueError):
    """The payload names an application type that is not in the catalogue or the schema."""

    def __init__(self, code: object) -> None:
        super().__init__(f"unknown application type: {code!r}")
        self.code = code


def application_type_value(payload: dict[str, Any]) -> Any:
    """`data.application.type.value` of an application/preApplication payload, or None."""
    data = payload.get("data")
    application = data.get("application") if isinstance(data, dict) else None
    app_type = application.get("type") if isinstance(application, dict) else None
    return app_type.get("value") if isinstance(app_type, dict) else None


def detect_format(payload: dict[str, Any]) -> OdpFormat:
    """The payload's format: top-level `applicationType` → prototype; type `preApp` → preApplication.

    `metadata.schema` is not used: real payloads name the wrong schema there.
    """
    if "applicationType" in payload:
        return "prototypeApplication"
    if application_type_value(payload) == "preApp":
        return "preApplication"
    return "application"
