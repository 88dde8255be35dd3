"""Reading the officers read model: one officer by council and id (the authorizer), or by e-mail (sign-in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.councils import OFFICERS_READ_MODEL

if TYPE_CHECKING:
    from shared.projections.store import ReadModelStore


@dataclass(frozen=True, slots=True)
class OfficerRecord:
    council: str
    id: str
    email: str
    name: str
    role: str
    active: bool


def _record(document: dict) -> OfficerRecord:
    return OfficerRecord(
        document["council"],
        document["officer_id"],
        document["email"],
        document["name"],
        document["role"],
        bool(document["active"]),
    )


class OfficerRecords:
    def __init__(self, read_models: ReadModelStore) -> None:
        self.read_models = read_models

    def get(self, council: str, officer_id: str) -> OfficerRecord | None:
        document, _ = self.read_models.get(OFFICERS_READ_MODEL, f"{council}/{officer_id}")
        return None if document is None else _record(document)

    def by_email(self, email: str, council: str | None = None) -> list[OfficerRecord]:
        """The officers with this e-mail (compared without case), of one council or of every council, by council."""
        wanted = email.strip().casefold()
        found = [
            _record(document)
            for key, document in self.read_models.documents(OFFICERS_READ_MODEL)
            if str(document.get("email", "")).casefold() == wanted
            and (council is None or key.startswith(f"{council}/"))
        ]
        return sorted(found, key=lambda record: record.council)
