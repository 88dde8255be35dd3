"""Format rules for council inputs. Each returns the clean value.

Officers' and API keys' rules are here; a council's settings' rules are `shared.councils.rules` (the deployment config
shares them), re-exported so that the commands find every rule in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from services.councils.errors import InvalidCouncilInput
from services.councils.scopes import SCOPES as API_KEY_SCOPES
from shared.councils.rules import (
    MAX_NAME_LENGTH,
    check_code,
    check_determination_periods,
    check_download_host,
    check_download_hosts,
    check_email,
    check_name,
    check_public_base_url,
    check_reference_suffixes,
    check_slug,
)

__all__ = [
    "API_KEY_SCOPES",
    "MAX_NAME_LENGTH",
    "OFFICER_ROLES",
    "check_code",
    "check_determination_periods",
    "check_download_host",
    "check_download_hosts",
    "check_email",
    "check_identifier",
    "check_key_hash",
    "check_name",
    "check_public_base_url",
    "check_reference_suffixes",
    "check_role",
    "check_scopes",
    "check_slug",
]

OFFICER_ROLES = ("assessor", "reviewer", "administrator")

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def check_role(role: str) -> str:
    if role not in OFFICER_ROLES:
        raise InvalidCouncilInput(f"officer role must be one of {', '.join(OFFICER_ROLES)}: {role!r}")
    return role


def check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """At least one known scope; returned without duplicates in the canonical order."""
    if isinstance(scopes, str):
        raise InvalidCouncilInput("API key scopes must be a list of scopes, not one string")
    wanted = set(scopes)
    unknown = sorted(wanted - set(API_KEY_SCOPES))
    if unknown:
        raise InvalidCouncilInput(
            f"unknown API key scope(s) {', '.join(unknown)}; known scopes: {', '.join(API_KEY_SCOPES)}"
        )
    if not wanted:
        raise InvalidCouncilInput("an API key needs at least one scope")
    return tuple(scope for scope in API_KEY_SCOPES if scope in wanted)


def check_identifier(what: str, value: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 100 or any(c.isspace() for c in value):
        raise InvalidCouncilInput(f"{what} must be 1 to 100 characters without spaces: {value!r}")
    return value


def check_key_hash(key_hash: str) -> str:
    if not isinstance(key_hash, str) or not _SHA256_HEX.fullmatch(key_hash):
        raise InvalidCouncilInput("API key hash must be a sha256 digest in lowercase hex")
    return key_hash
