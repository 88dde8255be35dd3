"""A secret store in memory (tests, and runs that must leave nothing behind)."""

from __future__ import annotations

from shared.secrets.port import check_secret_name, check_secret_value


class InMemorySecrets:
    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self._values.get(check_secret_name(name))

    def put(self, name: str, value: str) -> None:
        self._values[check_secret_name(name)] = check_secret_value(value)

    def put_if_absent(self, name: str, value: str) -> str:
        return self._values.setdefault(check_secret_name(name), check_secret_value(value))

    def delete(self, name: str) -> None:
        self._values.pop(check_secret_name(name), None)
