"""The public submission of an application (ODP `submission`): the claim-checked original converted to the prototype
format when it arrived as an `application` (`shared.odp.conversion`), stripped of personal data with the
application's public documents as its files (`shared.odp.redaction`), its red-line boundary the record's (bounded in
size).

It is made ONCE, by the register's projection (`stored_submission`, kept in the record as `submission` with empty
`files`), so the ODP face reads it with the record and only puts the public documents' links in (they name the host
the request came to): no read of the original, no conversion per request. A record without one (its submission over
`SUBMISSION_BYTES`, or a register projected before records carried it) is built here at request time from the
document store and kept in a small per-process LRU cache keyed by everything the result depends on (the original,
the public files, whether the council shows names, the boundary).

When the original cannot be read or converted (a type the prototype has no branch for), the submission is the
skeleton `{"applicationType", "data": {}, "responses": [], "files": [...], "metadata": {}}`: registers still find
`submission.data`, and the failure is logged.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson

from services.publication.record import PublicApplication
from shared.documents import DocumentNotFound, DocumentStore
from shared.observability import logger

CACHE_SIZE = 64
SUBMISSION_BYTES = 150_000  # a larger public submission is not kept in the record (a DynamoDB item holds 400 kB)


def prototype_of(original: Any, schema_dir: Path) -> dict[str, Any] | None:
    """The original in the prototype format (None: not an object). UnknownApplicationType for a type the prototype
    has no branch for."""
    from shared.odp.conversion import to_prototype

    return to_prototype(original, schema_dir) if isinstance(original, dict) else None


def public_of(
    record: PublicApplication, prototype: dict[str, Any] | None, files: list[dict[str, Any]]
) -> dict[str, Any]:
    """The submission as the public sees it, from the original in the prototype format (None: the skeleton)."""
    from shared.odp.redaction import public_submission

    if prototype is None:
        return {"applicationType": record.application_type, "data": {}, "responses": [], "files": files, "metadata": {}}
    public = public_submission(
        prototype,
        files=files,
        applicant_name=record.applicant_name is not None,
        agent_company=record.agent_company is not None,
    )
    _bounded_boundary(public, record)
    return public


def stored_submission(record: PublicApplication, prototype: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the projection keeps in the record: the public submission with no files (None: over SUBMISSION_BYTES,
    or no original to make it from)."""
    if prototype is None:
        return None
    public = public_of(record, prototype, [])
    return public if len(orjson.dumps(public)) <= SUBMISSION_BYTES else None


class PublicSubmissions:
    """Public submissions of records, from the document store, cached per process."""

    def __init__(self, documents: DocumentStore, schema_dir: Path, size: int = CACHE_SIZE) -> None:
        self.documents = documents
        self.schema_dir = schema_dir
        self.size = size
        self._cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def _prototype(self, record: PublicApplication) -> dict[str, Any] | None:
        from shared.odp.formats import UnknownApplicationType

        if record.original is None:
            return None
        try:
            return prototype_of(orjson.loads(self.documents.get(record.original.payload_key)), self.schema_dir)
        except (DocumentNotFound, orjson.JSONDecodeError, UnknownApplicationType) as error:
            logger.warning(
                "public submission unavailable",
                extra={"council": record.council, "reference": record.reference, "reason": repr(error)},
            )
            return None

    def public(self, record: PublicApplication, files: list[dict[str, Any]]) -> dict[str, Any]:
        """The submission as the public sees it, built now (for a record without `submission`); `files` are its
        public documents as prototype files."""
        key = (
            record.original.payload_key if record.original else None,
            orjson.dumps(files),
            record.applicant_name is not None,
            record.agent_company is not None,
            orjson.dumps(record.boundary),
        )
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        public = public_of(record, self._prototype(record), files)
        with self._lock:
            self._cache[key] = public
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return public


def _bounded_boundary(public: dict[str, Any], record: PublicApplication) -> None:
    """`data.property.boundary.site` (and the proposal's): the record's red line (an accepted change's, or the
    original's bounded in size), never the original's unbounded geometry."""
    from services.publication.boundary import public_boundary

    data = dict(public.get("data") or {})
    for part in ("property", "proposal"):
        held = data.get(part)
        boundary = held.get("boundary") if isinstance(held, dict) else None
        if not isinstance(held, dict) or not isinstance(boundary, dict) or "site" not in boundary:
            continue
        site = record.boundary or public_boundary(boundary["site"])
        if site is not None:
            data[part] = {**held, "boundary": {**boundary, "site": site}}
    public["data"] = data
