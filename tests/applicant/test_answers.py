"""Recording an answer while officers act on the same application: an officer's event landing between the answer's
read and its append makes the answer read again and go through; a cancellation landing there closes the link and
leaves no stored file behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from events import NewEvent
from services.assessment.applicant.forms import AnswerInput
from services.assessment.applicant.refusals import RequestClosed
from services.assessment.applicant.service import ApplicantAnswers
from services.assessment.applicant.uploads import UploadedFile
from services.assessment.domain.assignment import assign
from shared.officer_identity import SignedInOfficer
from tests.applicant.support import COUNCIL, PDF, invalid_application

pytestmark = pytest.mark.xdist_group("applicant-pages")
ADMINISTRATOR = SignedInOfficer(COUNCIL, "officer-9", "Sam Admin", "administrator")


class RacingStore:
    """The real event store, but an officer acts just before the first multi-stream append reaches it."""

    def __init__(self, store: Any, race: Callable[[], None]) -> None:
        self._store = store
        self._race: Callable[[], None] | None = race

    def append_streams(self, appends: Any) -> Any:
        if self._race is not None:
            race, self._race = self._race, None
            race()
        return self._store.append_streams(appends)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def answers(case, race: Callable[[], None]) -> ApplicantAnswers:
    deps = case.deps
    return ApplicantAnswers(RacingStore(deps.event_store, race), lambda: deps.documents, deps.secrets, deps.clock)


def token(case, request_type: str) -> str:
    return case.link(request_type).split("token=")[1]


def test_an_officer_acting_meanwhile_does_not_lose_the_answer(runtime):
    case = invalid_application(runtime, ("additional_document",))

    def officer_assigns() -> None:
        state = case.state()
        payloads = assign(state, ADMINISTRATOR, officer_id="officer-1", officer_name="Ann Officer")
        events = [NewEvent(p, COUNCIL, ADMINISTRATOR.actor(), case.deps.clock.now()) for p in payloads]
        case.deps.event_store.append(f"application:{COUNCIL}:{case.reference}", state.version, events)

    request_id = case.requests["additional_document"]
    answered = answers(case, officer_assigns).answer(
        COUNCIL,
        case.reference,
        request_id,
        token(case, "additional_document"),
        AnswerInput(file=UploadedFile("plan.pdf", PDF)),
    )
    assert answered.request.state == "closed"
    state = case.state()
    assert state.case_officer is not None and state.case_officer.id == "officer-1"
    [document] = [d for d in state.documents.values() if d.source == "applicant"]
    assert case.deps.documents.get(document.key) == PDF
    assert len(list((runtime.options.data_dir / "documents").rglob("applicant-documents/*/*"))) == 1


def test_a_cancellation_meanwhile_closes_the_link_and_removes_the_file(runtime):
    case = invalid_application(runtime, ("additional_document",))
    request_id = case.requests["additional_document"]
    with pytest.raises(RequestClosed):
        answers(case, lambda: case.cancel("additional_document")).answer(
            COUNCIL,
            case.reference,
            request_id,
            token(case, "additional_document"),
            AnswerInput(file=UploadedFile("plan.pdf", PDF)),
        )
    assert case.state().requests[request_id].state == "cancelled"
    assert case.deps.event_store.stream_version(f"application:{COUNCIL}:{case.reference}:documents") == 0
    assert not list((runtime.options.data_dir / "documents").rglob("applicant-documents/*/*"))
