"""Which councils a public request is about: the `x-client` header (a register sends the council's slug) or the
`council` query parameter (a slug or a code); without either, every council this instance serves.

Embedded, an instance serves every council created in its log; on AWS a stack serves its own council
(`BOPS_COUNCIL`). An unknown council is `UnknownCouncil` (the faces answer 404).

What the faces show of a council (its slug, the base URL of its links) they read from the public register
(`public_council`), where the projection keeps it (`council_facts`): a public function's first request then loads
neither the council's events nor its settings' models. Facts not written yet (a register from before they were kept,
a council created a moment ago), or made with another deployment config than the function's own (a redeploy that
changed the council's domain), are not taken: the council's settings are read from its stream instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from services.publication.read_model.port import PublicCouncil
from shared.councils.rules import DEFAULT_LOCAL_BASE_URL  # not `settings`: no pydantic at a cold start

if TYPE_CHECKING:
    from shared.wiring import Dependencies

CLIENT_HEADER = "x-client"
COUNCIL_PARAMETER = "council"
_DOMAIN = re.compile(r"[A-Za-z0-9.-]+")


class UnknownCouncil(LookupError):
    """No council of this instance has that slug or code."""


def deployment_fingerprint(deps: Dependencies) -> str:
    """Which deployment config this process has (the stack's JSON of the council's deployment; none embedded)."""
    return hashlib.sha256((deps.settings.council_deployment or "").encode("utf-8")).hexdigest()[:16]


def council_facts(deps: Dependencies, code: str) -> PublicCouncil:
    """The council's facts from its effective settings as its stream stands now (the projection stores them)."""
    settings = deps.council_settings(code)
    version = deps.council_profiles.load(code, refresh=False).version
    return PublicCouncil(settings.code, settings.slug, settings.public_base_url, version, deployment_fingerprint(deps))


def public_council(deps: Dependencies, code: str) -> PublicCouncil:
    """The council's facts as the register keeps them, if made with this process's deployment config; else made
    from the council's stream. Raises CouncilNotFound for a council neither deployed nor created."""
    from services.publication.read_model.wiring import public_register

    stored = public_register(deps).council(code)
    if stored is not None and stored.deployment == deployment_fingerprint(deps):
        return stored
    return council_facts(deps, code)


def public_base_url(deps: Dependencies, code: str, gateway: Mapping[str, Any] | None = None) -> str:
    """Where the council's absolute public links start (both faces): its public base URL, never the request's Host
    header, which the client writes and a public cache would hand on. On AWS a council with none of its own (no
    domain, none set: the local default is left) is reached at the API's own address, which API Gateway names."""
    base = public_council(deps, code).public_base_url
    if deps.settings.runtime == "aws" and base == DEFAULT_LOCAL_BASE_URL:
        return api_address(gateway or {}) or base
    return base


def api_address(gateway: Mapping[str, Any]) -> str | None:
    """The API's address from API Gateway's request context (`domainName` is the domain it was reached at): on an
    execute-api domain the stage is the path's first segment; a custom domain maps its root to the stage."""
    domain, stage = str(gateway.get("domainName") or ""), str(gateway.get("stage") or "")
    if not _DOMAIN.fullmatch(domain) or "." not in domain:
        return None
    if ".execute-api." in domain and stage:
        return f"https://{domain}/{stage}"
    return f"https://{domain}"


def served_councils(deps: Dependencies) -> dict[str, str]:
    """Slug → code of every council this instance serves."""
    if deps.settings.runtime == "aws" and deps.settings.council:
        code = deps.settings.council
        return {public_council(deps, code).slug: code}
    return {profile.slug: profile.code for profile in deps.council_profiles.created()}


def requested_councils(
    deps: Dependencies, headers: Mapping[str, str] | None, query: Mapping[str, str] | None
) -> frozenset[str]:
    """The council codes a request names (empty: every council served). Raises UnknownCouncil."""
    named = None
    for name, value in (headers or {}).items():
        if name.lower() == CLIENT_HEADER and value.strip():
            named = value.strip()
    if query and (query.get(COUNCIL_PARAMETER) or "").strip():
        named = query[COUNCIL_PARAMETER].strip()
    if named is None:
        return frozenset()
    if deps.settings.runtime == "aws" and named.upper() == deps.settings.council:  # its code: no settings to read
        return frozenset({named.upper()})
    served = served_councils(deps)
    if named.lower() in served:
        return frozenset({served[named.lower()]})
    if named.upper() in served.values():
        return frozenset({named.upper()})
    raise UnknownCouncil(named)
