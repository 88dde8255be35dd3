"""Councils: each council's settings, officers and API keys, event-sourced on its own stream.

Exports are imported on first use, so a handler pays only for what it touches (cold starts).
"""

from __future__ import annotations

from shared.lazy import lazy_exports

_EXPORTS = {
    "ApiKeyView": "shared.councils.state",
    "CouncilDeployment": "shared.councils.settings",
    "CouncilError": "shared.councils.errors",
    "CouncilService": "shared.councils.service",
    "CouncilState": "shared.councils.state",
    "EffectiveCouncilSettings": "shared.councils.settings",
    "IssuedKey": "shared.councils.api_keys",
    "OfficerView": "shared.councils.state",
    "effective_settings": "shared.councils.settings",
    "fold": "shared.councils.state",
    "hash_api_key": "shared.councils.api_keys",
    "load_deployments": "shared.councils.settings",
    "new_api_key": "shared.councils.api_keys",
    "parse_key_id": "shared.councils.api_keys",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(globals(), _EXPORTS)
