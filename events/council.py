"""Events on a council's stream: its settings, officers and API keys. No secrets: key hashes only, no passwords."""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would evaluate each field's
# string when its class is defined (~5 ms of a cold start that imports every event module).

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from events.envelope import EventPayload
from events.registry import event, upcaster

OfficerRole = Literal["assessor", "reviewer", "administrator"]


class NotifyConfiguration(BaseModel):
    """A council's GOV.UK Notify settings but its API key (which is in the secrets store, never here): replaced whole.

    `templates` maps a kind of message to its template id; a kind without one uses `generic_template_id` (a template
    whose subject and body are the personalisation fields `subject` and `body`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str
    templates: dict[str, str] = {}
    generic_template_id: str | None = None
    reply_to_id: str | None = None


class CouncilSettingsChanges(BaseModel):
    """Settings an administrator can change after deployment; None means unchanged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    public_base_url: str | None = None
    allow_download_hosts: tuple[str, ...] | None = None
    reference_suffixes: dict[str, str] | None = None
    reply_to_email: str | None = None
    # Calendar days from valid-from to expiry by ODP application type (a type's override also covers its children).
    determination_periods: dict[str, int] | None = None
    notify: NotifyConfiguration | None = None  # checked against Notify when saved (`bops councils set-notify`)
    # Whether the public register shows the applicant's name and the agent's company (and the decision notice the
    # applicant's name): off until a council turns it on.
    publish_applicant_names: bool | None = None


@event("CouncilCreated")
class CouncilCreated(EventPayload):
    """A council was set up in this system."""

    code: str = Field(min_length=1, max_length=4)
    name: str
    slug: str


@event("CouncilSettingsChanged", schema_version=4)
class CouncilSettingsChanged(EventPayload):
    """An administrator changed some of a council's settings."""

    changes: CouncilSettingsChanges


@upcaster("CouncilSettingsChanged", 1, 2)
def _settings_changed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added determination periods to the settings; a version 1 change left them unchanged (None)."""
    return data


@upcaster("CouncilSettingsChanged", 2, 3)
def _settings_changed_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 added the Notify settings; a version 2 change left them unchanged (None)."""
    return data


@upcaster("CouncilSettingsChanged", 3, 4)
def _settings_changed_v3_to_v4(data: dict[str, Any]) -> dict[str, Any]:
    """Version 4 added `publish_applicant_names`; a version 3 change left it unchanged (None: names stay hidden)."""
    return data


@event("OfficerCreated")
class OfficerCreated(EventPayload):
    """An officer account was created (its password, if any, is in the secrets store, never here)."""

    officer_id: str
    email: str
    name: str
    role: OfficerRole


@event("ApiKeyCreated")
class ApiKeyCreated(EventPayload):
    """An API key was issued to one of the council's online services (the key itself was shown once)."""

    key_id: str
    name: str
    scopes: tuple[str, ...]
    key_hash: str
    prefix: str


@event("ApiKeyRevoked")
class ApiKeyRevoked(EventPayload):
    """An API key was revoked: it no longer authenticates."""

    key_id: str
    key_hash: str


@event("OfficerDeactivated")
class OfficerDeactivated(EventPayload):
    """An officer account was deactivated: it can no longer sign in."""

    officer_id: str


@event("OfficerRoleChanged")
class OfficerRoleChanged(EventPayload):
    """An administrator gave an officer another role (it applies to their next request)."""

    officer_id: str
    role: OfficerRole
    previous_role: OfficerRole
