"""The case list's projection subscriber: each event of an application's main stream brings its row up to date.

A row is the application's state (the domain's fold of its main stream) at a main-stream version; a delivery whose
version the row already has changes nothing (duplicates, late arrivals), and one ahead of the row reads the stream
from the log, so an event that arrives before a missing one still gives the right row. Rows are written only at a
later version than stored (the adapters' conditional put), whatever the order of concurrent deliveries.
`bops replay case-list` rebuilds the whole list stream by stream (`rebuild`).
"""

from __future__ import annotations

from shared.startup import lambda_start

lambda_start()

from collections.abc import Callable  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from events import RecordedEvent  # noqa: E402
from events.streams import application_stream, parse_application_stream  # noqa: E402
from services.assessment.case_list import CASE_LIST_READ_MODEL  # noqa: E402
from services.assessment.case_list.port import CaseList, CaseRow  # noqa: E402
from shared.bus import subscriber  # noqa: E402

if TYPE_CHECKING:
    from services.assessment.domain.state import PlanningApplication
    from shared.eventstore.port import EventStore
    from shared.wiring import Dependencies

DESCRIPTION_LIMIT = 300  # characters of the description a list row shows


def row_from_state(state: PlanningApplication) -> CaseRow:
    officer = state.case_officer
    site = state.site
    return CaseRow(
        council=state.council,
        reference=state.reference,
        version=state.version,
        status=state.status or "not_started",
        application_type=state.application_type,
        description=(state.description or "")[:DESCRIPTION_LIMIT],
        address=site.address or "",
        postcode=site.postcode or "",
        received_at=state.received_at.isoformat().replace("+00:00", "Z") if state.received_at else "",
        valid_from=state.valid_from,
        expiry_date=state.expiry_date,
        target_date=state.target_date,
        case_officer_id=officer.id if officer else None,
        case_officer_name=officer.name if officer else None,
    )


def project(cases: CaseList, log: EventStore, council: str, reference: str, version: int) -> bool:
    """Bring one application's row up to at least `version` of its main stream; False when it already was."""
    from services.assessment.domain.state import fold

    if cases.version(council, reference) >= version:
        return False
    state = fold(log.read(application_stream(council, reference)))
    if not state.exists:
        return False
    return cases.put(row_from_state(state))


class CaseListProjection:
    """The declared projection (`bops replay case-list`): its name, event types and how it is rebuilt."""

    name = CASE_LIST_READ_MODEL

    def __init__(self) -> None:
        from services.assessment.declaration import MAIN_STREAM_EVENT_TYPES

        self.event_types = frozenset(MAIN_STREAM_EVENT_TYPES)

    def rebuild(
        self, deps: Dependencies, after_swap: str, params: tuple[Any, ...], progress: Callable[[int], Any]
    ) -> int:
        """Rebuild the embedded list from every application's main stream under another table, then swap it in
        (with `after_swap`, the relay's checkpoint, in the same transaction). Returns how many rows it wrote."""
        from services.assessment.case_list.sqlite import SqliteCaseList

        log = deps.event_store
        live = SqliteCaseList(deps.settings.read_models_path)
        rebuilt = SqliteCaseList(deps.settings.read_models_path, table="case_list_rebuild")
        rebuilt.drop()
        rebuilt = SqliteCaseList(deps.settings.read_models_path, table="case_list_rebuild")
        written = 0
        for stream_id in log.stream_ids("application:"):
            progress(1)
            parsed = parse_application_stream(stream_id)
            if parsed is None or stream_id != application_stream(*parsed):
                continue
            written += project(rebuilt, log, *parsed, 1)
        live.swap_in(rebuilt, after_swap, params)
        return written


@subscriber
def lambda_handler(event: RecordedEvent) -> None:
    from services.assessment.case_list.wiring import case_list
    from shared.wiring import dependencies

    parsed = parse_application_stream(event.stream_id)
    if parsed is None or event.stream_id != application_stream(*parsed):
        return
    deps = dependencies()
    project(case_list(deps), deps.event_store, *parsed, event.version)
