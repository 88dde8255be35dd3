"""Who is signed in: the officer the authorizer (API Gateway) or the embedded server put in the request context.

Handlers never read the sign-in token themselves; both runtimes verify it before the handler runs and pass the
officer's council, id, name and current role in the request context under these keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from events import Actor

OfficerRole = Literal["assessor", "reviewer", "administrator"]
ROLES: tuple[OfficerRole, ...] = ("assessor", "reviewer", "administrator")
CONTEXT_KEYS = ("council", "officer_id", "officer_name", "role")
# Set (alone) by the authorizer when a browser asks for a console page without a valid session: the page answers a
# redirect to the sign-in page (`shared.pages.session.sign_in_location`).
SIGN_IN_REQUIRED = "sign_in_required"


class NotSignedIn(Exception):
    """The request carries no signed-in officer (the route is not an officer route, or the context is incomplete)."""


class SignInRequired(NotSignedIn):
    """A browser asked for a console page with no valid session (none, expired, signed out): send it to sign in."""


@dataclass(frozen=True, slots=True)
class SignedInOfficer:
    council: str
    id: str
    name: str
    role: OfficerRole

    def actor(self) -> Actor:
        """The officer as the author of events (every command's events name one)."""
        return _officer_actor(self.id, self.name)

    def context(self) -> dict[str, str]:
        """The request-context entries that carry this officer (what the authorizers set)."""
        return {"council": self.council, "officer_id": self.id, "officer_name": self.name, "role": self.role}


@lru_cache(maxsize=1024)
def _officer_actor(officer_id: str, name: str) -> Actor:
    """An Actor is immutable: one per officer id and name, made once per process."""
    return Actor(kind="officer", id=officer_id, display_name=name)


def signed_in_officer(context: Mapping[str, Any] | None) -> SignedInOfficer:
    """The officer of a request context; NotSignedIn when any entry is missing or the role is unknown."""
    if (context or {}).get(SIGN_IN_REQUIRED):
        raise SignInRequired("no signed-in officer: sign in first")
    values = {key: str((context or {}).get(key) or "") for key in CONTEXT_KEYS}
    missing = [key for key, value in values.items() if not value]
    if missing:
        raise NotSignedIn(f"no signed-in officer: the request context lacks {', '.join(missing)}")
    role = next((known for known in ROLES if known == values["role"]), None)
    if role is None:
        raise NotSignedIn(f"no signed-in officer: unknown role {values['role']!r}")
    return SignedInOfficer(values["council"], values["officer_id"], values["officer_name"], role)
