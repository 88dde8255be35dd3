"""`bops replay`: rebuild a read model from the whole log under a temporary name, then swap it in atomically."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from bops.checkpoints import Checkpoints
from events import RecordedEvent
from services import subscriptions
from shared.declarations import load_handler
from shared.projections.projection import Document, Projection
from shared.projections.projector import Projector
from shared.wiring import dependencies

PAGE = 1000


class Renamed:
    """The same projection, written under another name (the rebuild's)."""

    def __init__(self, projection: Projection, name: str) -> None:
        self.inner = projection
        self.name = name
        self.event_types = projection.event_types

    def key(self, event: RecordedEvent) -> str | None:
        return self.inner.key(event)

    def apply(self, document: Document | None, event: RecordedEvent) -> Document | None:
        return self.inner.apply(document, event)


def projections() -> dict[str, tuple[str, Projection]]:
    """Every declared projection by its name: (subscription name, projection)."""
    found: dict[str, tuple[str, Projection]] = {}
    for subscription in subscriptions():
        if subscription.projection:
            projection = load_handler(subscription.projection)()  # type: ignore[call-arg]
            found[projection.name] = (subscription.name, projection)
    return found


def rebuild(name: str, echo: Callable[[str], Any] = print) -> int:
    known = projections()
    if name not in known:
        raise LookupError(f"unknown projection {name!r}; known: {', '.join(sorted(known)) or 'none'}")
    subscriber, projection = known[name]
    deps = dependencies()
    if deps.settings.runtime == "aws":  # a deployed council's tables: a projection that knows how rebuilds itself
        if not hasattr(projection, "rebuild_on_aws"):
            raise LookupError(f"replaying {name} on AWS is not supported")
        with click.progressbar(length=0, label=f"Replaying {name}", file=None) as bar:
            written = projection.rebuild_on_aws(deps, bar.update)
        echo(f"Rebuilt {name} ({written} rows) into a fresh partition and switched to it")
        return written
    log, read_models = deps.event_store, deps.read_models
    Checkpoints(read_models)  # type: ignore[arg-type]  # its tables must exist for the swap
    if hasattr(projection, "rebuild"):  # a read model with a store of its own (the case list): it rebuilds itself
        return _rebuild_own_store(name, subscriber, projection, echo)
    temporary = f"{name}@rebuild"
    read_models.drop(temporary)  # type: ignore[attr-defined]
    projector = Projector(Renamed(projection, temporary), read_models, log)
    head = log.head_position()  # type: ignore[attr-defined]
    position = 0
    with click.progressbar(length=head, label=f"Replaying {name}", file=None) as bar:
        while True:
            page = log.read_all(position, PAGE)  # type: ignore[attr-defined]
            if not page:
                break
            for event in page:
                if event.event_type in projection.event_types:
                    projector.handle(event)
            bar.update(min(page[-1].position, head) - min(position, head))
            position = page[-1].position
    read_models.swap(  # type: ignore[attr-defined]
        name,
        temporary,
        "INSERT OR REPLACE INTO relay_checkpoints (subscriber, position) VALUES (?, ?)",
        (subscriber, position),
    )
    echo(f"Rebuilt {name} from {position} log positions and swapped it in")
    return position


def _rebuild_own_store(name: str, subscriber: str, projection: Any, echo: Callable[[str], Any]) -> int:
    """A projection that keeps its own table rebuilds it stream by stream and swaps it in with the relay's checkpoint
    (set to the log's head when the rebuild began: later events are delivered again and change nothing twice)."""
    deps = dependencies()
    log = deps.event_store
    head = log.head_position()  # type: ignore[attr-defined]
    streams = sum(1 for _ in log.stream_ids("application:"))
    with click.progressbar(length=streams, label=f"Replaying {name}", file=None) as bar:
        rows = projection.rebuild(
            deps,
            "INSERT OR REPLACE INTO relay_checkpoints (subscriber, position) VALUES (?, ?)",
            (subscriber, head),
            bar.update,
        )
    echo(f"Rebuilt {name} ({rows} rows) from {head} log positions and swapped it in")
    return head
