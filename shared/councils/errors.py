"""Errors of reading a council's settings: each says which rule the input broke (the councils service adds its own)."""

from __future__ import annotations


class CouncilError(ValueError):
    """A council command was refused."""


class InvalidCouncilInput(CouncilError):
    """A value is not in the form the rule asks for (code, slug, URL, e-mail, host, scope...)."""


class CouncilNotFound(CouncilError):
    """The council has no stream yet."""
