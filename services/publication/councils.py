"""Which councils a public request is about: the `x-client` header (a register sends the council's slug) or the
`council` query parameter (a slug or a code); without either, every council this instance serves.

Embedded, an instance serves every council created in its log; on AWS a stack serves its own council
(`BOPS_COUNCIL`). An unknown council is `UnknownCouncil` (the faces answer 404).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.wiring import Dependencies

CLIENT_HEADER = "x-client"
COUNCIL_PARAMETER = "council"


class UnknownCouncil(LookupError):
    """No council of this instance has that slug or code."""


def served_councils(deps: Dependencies) -> dict[str, str]:
    """Slug → code of every council this instance serves."""
    if deps.settings.runtime == "aws" and deps.settings.council:
        code = deps.settings.council
        return {deps.council_settings(code).slug: code}
    profiles = deps.council_profiles
    served: dict[str, str] = {}
    for stream_id in deps.event_store.stream_ids("council:"):
        parts = stream_id.split(":")
        if len(parts) == 2:
            profile = profiles.load(parts[1])
            if profile.exists:
                served[profile.slug] = profile.code
    return served


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
