"""Councils: each council's settings, officers and API keys, event-sourced on its own stream."""

from shared.councils.api_keys import IssuedKey, hash_api_key, new_api_key, parse_key_id
from shared.councils.errors import CouncilError
from shared.councils.service import CouncilService
from shared.councils.settings import CouncilDeployment, EffectiveCouncilSettings, effective_settings, load_deployments
from shared.councils.state import ApiKeyView, CouncilState, OfficerView, fold

__all__ = [
    "ApiKeyView",
    "CouncilDeployment",
    "CouncilError",
    "CouncilService",
    "CouncilState",
    "EffectiveCouncilSettings",
    "IssuedKey",
    "OfficerView",
    "effective_settings",
    "fold",
    "hash_api_key",
    "load_deployments",
    "new_api_key",
    "parse_key_id",
]
