"""Secrets, never in the event log: a port and its adapters (a local file, AWS Secrets Manager, memory).

Exports are imported on first use, so a Lambda that reads a council's settings does not load the file adapters.
"""

from __future__ import annotations

from shared.lazy import lazy_exports

_EXPORTS = {
    "InMemorySecrets": "shared.secrets.memory",
    "InsecureSecretsFile": "shared.secrets.local",
    "LocalSecretsFile": "shared.secrets.local",
    "SecretStore": "shared.secrets.port",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(globals(), _EXPORTS)
