"""A council's download credential (PlanX's `api-key` for private files): a secret, never in the event log."""

from __future__ import annotations

from services.intake import DOWNLOAD_CREDENTIAL
from shared.secrets.port import SecretStore


def download_credential_name(code: str) -> str:
    return DOWNLOAD_CREDENTIAL.format(council=code)


def store_download_credential(secrets: SecretStore, code: str, value: str) -> None:
    if not value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value) or not value.isascii():
        raise ValueError("a download credential must be non-empty printable ASCII (it is sent as a header)")
    secrets.put(download_credential_name(code), value)


def load_download_credential(secrets: SecretStore, code: str) -> str | None:
    return secrets.get(download_credential_name(code)) or None
