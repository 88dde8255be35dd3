"""A projection is a pure function per event: which document it changes, and that document's new content."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from events import RecordedEvent

Document = dict[str, Any]


class Projection(Protocol):
    """A read model built from the log. `apply` must be pure: same document and event, same result."""

    name: str
    event_types: frozenset[str]

    def key(self, event: RecordedEvent) -> str | None:
        """The document this event changes (None: it changes none)."""
        ...

    def apply(self, document: Document | None, event: RecordedEvent) -> Document | None:
        """The document after the event (None deletes it)."""
        ...
