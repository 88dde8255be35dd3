"""Domain errors of the councils module: each says which rule the input broke."""

from __future__ import annotations


class CouncilError(ValueError):
    """A council command was refused."""


class InvalidCouncilInput(CouncilError):
    """A value is not in the form the rule asks for (code, slug, URL, e-mail, host, scope...)."""


class CouncilNotFound(CouncilError):
    """The council has no stream yet."""


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


class ApiKeyConflict(CouncilError):
    """An API key with this id already exists."""


class UnknownApiKey(CouncilError):
    """No API key has this id in the council."""


class ApiKeyAlreadyRevoked(CouncilError):
    """The API key was revoked before."""
