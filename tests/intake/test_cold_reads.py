"""A council's first submission in a process reads its streams while the payload is checked; later ones in line."""

from __future__ import annotations

import json
import threading
from typing import Any

from events import Actor
from events.streams import intake_stream
from services.intake.accept import IntakeService
from shared.odp import OdpValidator
from tests.intake.support import create_council, example_paths, prepared

ACTOR = Actor(kind="api_client", id="test")


class ReadRecordingStore:
    """The event store, noting which thread read the intake stream."""

    def __init__(self, store: Any, seen: list[tuple[str, str]]) -> None:
        self._store, self._seen = store, seen

    def read(self, stream_id: str, *args: Any, **kwargs: Any) -> Any:
        if stream_id.endswith(":intake"):
            self._seen.append(("intake stream", threading.current_thread().name))
        return self._store.read(stream_id, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_only_the_first_submission_of_a_council_reads_on_other_threads(runtime, odp_dir):
    create_council(runtime, "TST")
    deps = runtime.deps
    seen: list[tuple[str, str]] = []

    def council_settings(code: str) -> Any:
        seen.append(("settings", threading.current_thread().name))
        return deps.council_settings(code)

    intake = IntakeService(
        ReadRecordingStore(deps.event_store, seen),
        deps.documents,
        deps.clock,
        OdpValidator(odp_dir / "schemas"),
        council_settings,
    )
    caller = threading.current_thread().name
    references = []
    for path in example_paths()[:2]:
        payload = prepared(path, "TST", None)
        accepted = intake.submit("TST", json.dumps(payload).encode(), payload, ACTOR)
        references.append(accepted.reference)
        assert accepted.created
    first, second = seen[:2], seen[2:]
    assert sorted(first) == [("intake stream", "intake-stream"), ("settings", "council-settings")]
    assert sorted(second) == [("intake stream", caller), ("settings", caller)]
    assert len(set(references)) == 2
    assert [event.version for event in deps.event_store.read(intake_stream("TST"))] == [1, 2]
