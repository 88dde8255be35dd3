"""The secret store port: named string secrets kept out of the event log (passwords' hashes, API tokens...)."""

from __future__ import annotations

from typing import Protocol


class SecretStore(Protocol):
    def get(self, name: str) -> str | None:
        """The secret's value, or None when there is none."""
        ...

    def put(self, name: str, value: str) -> None:
        """Create or replace the secret."""
        ...

    def put_if_absent(self, name: str, value: str) -> str:
        """Create the secret with `value` unless it exists, atomically; answer the value stored now. Two processes
        making a first-use secret at once both get the one that was stored (never each their own)."""
        ...

    def delete(self, name: str) -> None:
        """Remove the secret; nothing happens when there is none."""
        ...


def check_secret_name(name: str) -> str:
    """Names are what Secrets Manager accepts: letters, digits and /_+=.@- (we also use them as JSON keys)."""
    if not isinstance(name, str) or not name or len(name) > 256:
        raise ValueError(f"secret name must be 1 to 256 characters: {name!r}")
    if not all(c.isascii() and (c.isalnum() or c in "/_+=.@-") for c in name):
        raise ValueError(f"secret name may only hold letters, digits and /_+=.@-: {name!r}")
    return name


MAX_VALUE_BYTES = 65536  # Secrets Manager's limit


def check_secret_value(value: str) -> str:
    """A non-empty string (Secrets Manager refuses empty ones) of at most 64 KiB in UTF-8."""
    if not isinstance(value, str):
        raise TypeError("a secret value must be a string")
    if not value or len(value.encode("utf-8")) > MAX_VALUE_BYTES:
        raise ValueError(f"a secret value must be 1 to {MAX_VALUE_BYTES} bytes")
    return value
