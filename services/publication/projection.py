"""The public register's projection subscriber: each event of an application's main or documents stream brings its
public record (and its feed entries) up to date.

A delivery reads both streams from the log and folds them (`view.public_view`), so the record depends only on the
streams, never on the order or number of deliveries; the stores keep a record only over one of a lower version (the
sum of both streams' versions). An application that is not (or no longer) public has no record.
`bops replay public` rebuilds the register stream by stream (`rebuild`).

The claim-checked original is read once per process (`from_original`: an original never changes) for its red-line
boundary (bounded in size; unless an accepted boundary change replaced it) and, with the ODP schemas, its
conversion to the prototype format, from which the record's ODP public submission is made here (`submission`:
`odp.submissions`), so the ODP face converts nothing per request. A council's
`CouncilSettingsChanged` that sets `publish_applicant_names` brings every application of that council up to date, so
turning names off takes them out of the register: `refresh.py` asks for it in chunks of references
(`PublicRecordsRefreshRequested`), each re-projected here in its own delivery.
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

import threading  # noqa: E402
from collections import OrderedDict  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from events import RecordedEvent  # noqa: E402
from events.streams import application_side_stream, application_stream, parse_application_stream  # noqa: E402
from services.publication import COUNCIL_EVENT_TYPES  # noqa: E402
from services.publication.read_model import PUBLIC_READ_MODEL  # noqa: E402
from shared.bus import subscriber  # noqa: E402

if TYPE_CHECKING:
    from pathlib import Path

    from services.publication.read_model.port import PublicRegister
    from shared.documents.port import DocumentStore
    from shared.eventstore.port import EventStore
    from shared.wiring import Dependencies

_ORIGINALS: OrderedDict[tuple[str, str], FromOriginal] = OrderedDict()
_ORIGINALS_SIZE = 256
_ORIGINALS_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class FromOriginal:
    """What the register takes from a claim-checked original: its public red-line boundary and (with the ODP
    schemas) the original in the prototype format, as compact JSON (None when it has none, cannot be read or
    converted, or is over `SUBMISSION_BYTES`: the cache then holds at most that much per original, and the ODP face
    makes such a record's submission per request, as for one whose public submission is over the limit)."""

    boundary: dict[str, Any] | None
    prototype_json: bytes | None

    def prototype(self) -> dict[str, Any] | None:
        import orjson

        return None if self.prototype_json is None else orjson.loads(self.prototype_json)


def from_original(documents: DocumentStore, payload_key: str, schema_dir: Path | None = None) -> FromOriginal:
    """The original's boundary and prototype, read once per process (the newest `_ORIGINALS_SIZE` kept)."""
    cache_key = (payload_key, str(schema_dir))
    with _ORIGINALS_LOCK:
        if cache_key in _ORIGINALS:
            _ORIGINALS.move_to_end(cache_key)
            return _ORIGINALS[cache_key]
    import orjson

    from shared.documents.port import DocumentNotFound
    from shared.observability import logger

    try:
        original = orjson.loads(documents.get(payload_key))
    except (DocumentNotFound, orjson.JSONDecodeError) as error:  # stored before its event, so never there: kept
        logger.warning("original submission unreadable", extra={"key": payload_key, "reason": repr(error)})
        original = None
    from services.publication.odp.submissions import SUBMISSION_BYTES

    prototype = _prototype(original, schema_dir, payload_key)
    prototype_json = None if prototype is None else orjson.dumps(prototype)
    if prototype_json is not None and len(prototype_json) > SUBMISSION_BYTES:
        prototype_json = None
    found = FromOriginal(_boundary(original), prototype_json)
    with _ORIGINALS_LOCK:
        _ORIGINALS[cache_key] = found
        while len(_ORIGINALS) > _ORIGINALS_SIZE:
            _ORIGINALS.popitem(last=False)
    return found


def boundary_from_original(documents: DocumentStore, payload_key: str) -> dict[str, Any] | None:
    """The public red-line boundary of a claim-checked original (None when it has none or cannot be read)."""
    return from_original(documents, payload_key).boundary


def _prototype(original: Any, schema_dir: Path | None, payload_key: str) -> dict[str, Any] | None:
    if schema_dir is None or original is None:
        return None
    from services.publication.odp.submissions import prototype_of
    from shared.odp.formats import UnknownApplicationType

    try:
        return prototype_of(original, schema_dir)
    except UnknownApplicationType as error:  # the ODP face shows the skeleton submission
        from shared.observability import logger

        logger.warning("original submission not convertible", extra={"key": payload_key, "reason": repr(error)})
        return None


def _boundary(original: Any) -> dict[str, Any] | None:
    from services.publication.boundary import public_boundary

    data = original.get("data") if isinstance(original, dict) else None
    data = data if isinstance(data, dict) else {}
    boundary = None
    for part in ("proposal", "property"):  # the proposal's red line before the property's title boundary
        holder = data.get(part)
        candidate = holder.get("boundary") if isinstance(holder, dict) else None
        site = candidate.get("site") if isinstance(candidate, dict) else None
        boundary = public_boundary(site)
        if boundary is not None:
            break
    return boundary


def project(
    register: PublicRegister,
    log: EventStore,
    council: str,
    reference: str,
    *,
    publish_names: bool = False,
    documents: DocumentStore | None = None,
    replace_same_version: bool = False,
    schema_dir: Path | None = None,
) -> bool:
    """Bring one application's public record up to date with its streams; False when nothing changed. With
    `documents`, a record without a boundary change takes the original submission's boundary, and with `schema_dir`
    (the ODP schemas) it carries its ODP public submission. A store keeps a record
    only over one of a lower version: with `replace_same_version` (the council's settings changed, not the streams)
    a record of the same version that differs replaces the stored one."""
    from services.publication.view import public_view

    main, side = log.read_streams(
        [(application_stream(council, reference), 1), (application_side_stream(council, reference, "documents"), 1)]
    )
    record, entries = public_view(council, reference, main, side, publish_names=publish_names)
    if record is None:
        version = sum(stream[-1].version for stream in (main, side) if stream)
        return register.remove(council, reference, version + 1) if register.version(council, reference) else False
    if record.original is not None and documents is not None:
        from services.publication.odp.submissions import stored_submission

        taken = from_original(documents, record.original.payload_key, schema_dir)
        if record.boundary is None:
            record = replace(record, boundary=taken.boundary)
        record = replace(record, submission=stored_submission(record, taken.prototype()))
    if replace_same_version and register.version(council, reference) == record.version:
        if register.get(council, reference) == record:
            return False
        return register.put(record, entries, replace_same_version=True)
    return register.put(record, entries)


def application_references(log: EventStore, council: str | None = None) -> list[tuple[str, str]]:
    """(council, reference) of every application in the log (of one council)."""
    found = []
    for stream_id in log.stream_ids(f"application:{council}:" if council else "application:"):
        parsed = parse_application_stream(stream_id)
        if parsed is not None and stream_id == application_stream(*parsed):
            found.append(parsed)
    return found


def refresh(deps: Dependencies, register: PublicRegister, council: str, references: Iterable[str]) -> int:
    """Make these applications' records again with the council's current settings (a refresh its settings change
    asked for: `refresh.py`); returns how many records changed."""
    names = publishes_names(deps, council)
    return sum(
        project(
            register,
            deps.event_store,
            council,
            reference,
            publish_names=names,
            documents=deps.documents,
            replace_same_version=True,
            schema_dir=deps.settings.odp_schema_dir,
        )
        for reference in references
    )


def publishes_names(deps: Dependencies, council: str) -> bool:
    """The council's `publish_applicant_names` setting (hidden when the council or the setting is unknown)."""
    try:
        return bool(getattr(deps.council_settings(council), "publish_applicant_names", False))
    except Exception:  # an unknown council's applications show no names
        return False


class PublicRegisterProjection:
    """The declared projection (`bops replay public`): its name, event types and how it is rebuilt."""

    name = PUBLIC_READ_MODEL

    def __init__(self) -> None:
        from services.publication.declaration import PUBLIC_EVENT_TYPES

        self.event_types = frozenset(PUBLIC_EVENT_TYPES)

    def rebuild(
        self, deps: Dependencies, after_swap: str, params: tuple[Any, ...], progress: Callable[[int], Any]
    ) -> int:
        """Rebuild the embedded register from every application's streams under other tables, then swap it in (with
        `after_swap`, the relay's checkpoint, in the same transaction). Returns how many records it wrote."""
        from services.publication.read_model.sqlite import SqlitePublicRegister

        live = SqlitePublicRegister(deps.settings.read_models_path)
        SqlitePublicRegister(deps.settings.read_models_path, prefix="public_rebuild").drop()
        rebuilt = SqlitePublicRegister(deps.settings.read_models_path, prefix="public_rebuild")
        written = rebuild_into(deps, rebuilt, progress)
        live.swap_in(rebuilt, after_swap, params)
        return written

    def rebuild_on_aws(self, deps: Dependencies, progress: Callable[[int], Any]) -> int:
        """On AWS: into a fresh partition, then switched (`rebuild_on_aws`)."""
        return rebuild_on_aws(deps, progress)


def rebuild_on_aws(deps: Dependencies, progress: Callable[[int], Any], grace_seconds: float | None = None) -> int:
    """`bops replay public` on AWS: into a fresh partition, switched, then the old one deleted
    (`read_model.generations`); returns how many records it wrote."""
    from services.publication.read_model.generations import SwitchingRegister, rebuild
    from services.publication.read_model.wiring import public_register

    switching = public_register(deps)
    assert isinstance(switching, SwitchingRegister)
    written, _, _ = rebuild(
        switching, lambda register: rebuild_into(deps, register, progress), grace_seconds=grace_seconds
    )
    return written


def rebuild_into(deps: Dependencies, register: PublicRegister, progress: Callable[[int], Any]) -> int:
    """Project every application of the log (and every council's facts) into `register`; returns how many records
    it wrote."""
    from services.publication.councils import council_facts

    log = deps.event_store
    for profile in deps.council_profiles.created():
        register.put_council(council_facts(deps, profile.code))
    written = 0
    names: dict[str, bool] = {}
    for stream_id in log.stream_ids("application:"):
        progress(1)
        parsed = parse_application_stream(stream_id)
        if parsed is None or stream_id != application_stream(*parsed):
            continue
        council = parsed[0]
        if council not in names:
            names[council] = publishes_names(deps, council)
        written += project(
            register,
            log,
            *parsed,
            publish_names=names[council],
            documents=deps.documents,
            schema_dir=deps.settings.odp_schema_dir,
        )
    return written


@subscriber
def lambda_handler(event: RecordedEvent) -> None:
    from services.publication.read_model.wiring import public_register
    from shared.wiring import dependencies

    deps = dependencies()
    if event.event_type == "PublicRecordsRefreshRequested":  # a chunk of a council's records (`refresh.py`)
        refresh(deps, public_register(deps), event.council, event.payload.references)  # type: ignore[attr-defined]
        return
    if event.event_type in COUNCIL_EVENT_TYPES:  # what the faces show of the council, as its stream stands now
        from services.publication.councils import council_facts

        public_register(deps).put_council(council_facts(deps, event.council))
        return
    parsed = parse_application_stream(event.stream_id)
    if parsed is None:
        return
    project(
        public_register(deps),
        deps.event_store,
        *parsed,
        publish_names=publishes_names(deps, parsed[0]),
        documents=deps.documents,
        schema_dir=deps.settings.odp_schema_dir,
    )
