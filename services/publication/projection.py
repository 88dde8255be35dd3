"""The public register's projection subscriber: each event of an application's main or documents stream brings its
public record (and its feed entries) up to date.

A delivery reads both streams from the log and folds them (`view.public_view`), so the record depends only on the
streams, never on the order or number of deliveries; the stores keep a record only over one of a lower version (the
sum of both streams' versions). An application that is not (or no longer) public has no record.
`bops replay public` rebuilds the register stream by stream (`rebuild`).
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from collections.abc import Callable  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from events import RecordedEvent  # noqa: E402
from events.streams import application_side_stream, application_stream, parse_application_stream  # noqa: E402
from services.publication.read_model import PUBLIC_READ_MODEL  # noqa: E402
from shared.bus import subscriber  # noqa: E402

if TYPE_CHECKING:
    from services.publication.read_model.port import PublicRegister
    from shared.eventstore.port import EventStore
    from shared.wiring import Dependencies


def project(
    register: PublicRegister, log: EventStore, council: str, reference: str, *, publish_names: bool = False
) -> bool:
    """Bring one application's public record up to date with its streams; False when nothing changed."""
    from services.publication.view import public_view

    main, documents = log.read_streams(
        [(application_stream(council, reference), 1), (application_side_stream(council, reference, "documents"), 1)]
    )
    record, entries = public_view(council, reference, main, documents, publish_names=publish_names)
    if record is None:
        version = sum(stream[-1].version for stream in (main, documents) if stream)
        return register.remove(council, reference, version + 1) if register.version(council, reference) else False
    return register.put(record, entries)


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

        log = deps.event_store
        live = SqlitePublicRegister(deps.settings.read_models_path)
        SqlitePublicRegister(deps.settings.read_models_path, prefix="public_rebuild").drop()
        rebuilt = SqlitePublicRegister(deps.settings.read_models_path, prefix="public_rebuild")
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
            written += project(rebuilt, log, *parsed, publish_names=names[council])
        live.swap_in(rebuilt, after_swap, params)
        return written


@subscriber
def lambda_handler(event: RecordedEvent) -> None:
    from services.publication.read_model.wiring import public_register
    from shared.wiring import dependencies

    parsed = parse_application_stream(event.stream_id)
    if parsed is None:
        return
    deps = dependencies()
    project(public_register(deps), deps.event_store, *parsed, publish_names=publishes_names(deps, parsed[0]))
