"""The read-model store port: documents per projection, and the last version applied per stream."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from shared.projections.projection import Document


class ReadModelStore(Protocol):
    def position(self, projection: str, stream_id: str) -> int:
        """The last version of the stream this projection applied (0 if none)."""
        ...

    def get(self, projection: str, key: str) -> tuple[Document | None, int]:
        """A document and its revision (0 when absent); the revision guards against lost updates."""
        ...

    def position_and_get(
        self, projection: str, stream_id: str, keys: Sequence[str]
    ) -> tuple[int, dict[str, tuple[Document | None, int]]]:
        """`position` and `get` of each key, read together (one request on AWS)."""
        ...

    def commit(
        self,
        projection: str,
        stream_id: str,
        expected_position: int,
        position: int,
        documents: Mapping[str, tuple[Document | None, int]],
    ) -> bool:
        """Atomically store documents (each with the revision it was read at) and move the stream's position.

        Returns False, changing nothing, if the position or any document moved since it was read.
        """
        ...

    def put_newer(self, projection: str, key: str, document: Document, revision: int) -> bool:
        """Store the document at the given revision unless the one there has that revision or a later one (False,
        changing nothing, then): one conditional write for a read model whose documents only say the newest thing
        seen (a stream's newest version), which needs neither positions nor a transaction."""
        ...

    def documents(self, projection: str) -> Iterator[tuple[str, Document]]:
        """Every document of a projection, by key."""
        ...

    def discard(self, projection: str, key: str, document: Document) -> bool:
        """Delete a document if it is still the one given (False, changing nothing, if it changed or is gone): for a
        reader that consumes a read model's documents (the audit job takes the streams noted as moved)."""
        ...
