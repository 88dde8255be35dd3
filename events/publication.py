"""Events of the public register's own work: a council's public records asked to be made again, in chunks.

On the stream of the settings change that asked for it (`events.streams.public_refresh_stream(council, version)`).
"""

# Annotations are objects, not strings (no `from __future__ import annotations`): pydantic would evaluate each field's
# string when its class is defined (~5 ms of a cold start that imports every event module).

from typing import Annotated, Literal

from pydantic import Field

from events.envelope import EventPayload
from events.registry import event

REFRESH_CHUNK = 200  # references per event: one delivery re-projects them within a subscriber's timeout

Reference = Annotated[str, Field(max_length=100)]


@event("PublicRecordsRefreshRequested")
class PublicRecordsRefreshRequested(EventPayload):
    """These applications' public records are to be made again, because `reason` changed what a record shows (the
    council's `publish_applicant_names`, changed at version `settings_version` of the council's stream)."""

    references: tuple[Reference, ...] = Field(min_length=1, max_length=REFRESH_CHUNK)
    reason: Literal["publish_applicant_names"]
    settings_version: int = Field(ge=1)
