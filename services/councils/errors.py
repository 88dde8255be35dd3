"""Domain errors of the councils service: each says which rule the input broke.

The errors of a council's settings (`CouncilError` and the two below) are shared with every service that reads them.
"""

from __future__ import annotations

from shared.councils.errors import CouncilError, CouncilNotFound, InvalidCouncilInput

__all__ = [
    "ApiKeyAlreadyRevoked",
    "ApiKeyConflict",
    "CouncilAlreadyExists",
    "CouncilError",
    "CouncilNotFound",
    "EmptySettingsChange",
    "InvalidCouncilInput",
    "OfficerAlreadyInactive",
    "OfficerConflict",
    "UnchangedRole",
    "UnknownApiKey",
    "UnknownOfficer",
]


class CouncilAlreadyExists(CouncilError):
    """The council was created before."""


class EmptySettingsChange(CouncilError):
    """A settings change that changes nothing."""


class OfficerConflict(CouncilError):
    """An officer with this id or e-mail already exists in the council."""


class UnknownOfficer(CouncilError):
    """No officer has this id in the council."""


class OfficerAlreadyInactive(CouncilError):
    """The officer was deactivated before."""


class UnchangedRole(CouncilError):
    """A role change to the role the officer already has."""


class ApiKeyConflict(CouncilError):
    """An API key with this id already exists."""


class UnknownApiKey(CouncilError):
    """No API key has this id in the council."""


class ApiKeyAlreadyRevoked(CouncilError):
    """The API key was revoked before."""
