"""Accepting a submission: validate, number it once per `metadata.id`, store the original, append the event."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from events import Actor, NewEvent, canonical_json
from events.application import PlanningApplicationSubmitted
from events.streams import application_stream, intake_stream
from services.intake.errors import Forbidden, InvalidSubmission, SubmissionConflict
from services.intake.references import IntakeState, assign_reference, fold
from shared.clock import Clock
from shared.councils.settings import EffectiveCouncilSettings
from shared.documents import DocumentStore
from shared.eventstore import ConcurrencyError, EventStore
from shared.odp import OdpValidator, Submission, UnknownApplicationType, parse_submission

MAX_ATTEMPTS = 50


@dataclass(frozen=True)
class Accepted:
    council: str
    reference: str
    created: bool

    @property
    def full_reference(self) -> str:
        return f"{self.council}-{self.reference}"


class IntakeService:
    """One per process: keeps each council's intake stream folded in memory and reads only what is new."""

    def __init__(
        self,
        store: EventStore,
        documents: DocumentStore,
        clock: Clock,
        validator: OdpValidator,
        council_settings: Callable[[str], EffectiveCouncilSettings],
    ) -> None:
        self.store = store
        self.documents = documents
        self.clock = clock
        self.validator = validator
        self.council_settings = council_settings
        self._states: dict[str, IntakeState] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def check(self, payload: Any) -> Submission:
        """Schema-validate and read a payload, or refuse it with the offending paths (422)."""
        if not isinstance(payload, dict):
            raise InvalidSubmission("An ODP submission is a JSON object")
        try:
            issues = self.validator.validate(payload)
        except UnknownApplicationType as error:
            raise InvalidSubmission(str(error), [{"path": "", "message": str(error)}]) from None
        if issues:
            raise InvalidSubmission(
                "The submission does not match the ODP schema",
                [{"path": issue.path, "message": issue.message} for issue in issues],
            )
        return parse_submission(payload)

    def submit(self, council: str, body: bytes, payload: Any, actor: Actor) -> Accepted:
        submission = self.check(payload)
        if submission.organisation != council:
            raise Forbidden(
                f"metadata.organisation is {submission.organisation!r} but this API key belongs to council {council}"
            )
        submission_id = str(submission.submission_id)
        body_sha256 = hashlib.sha256(canonical_json(payload)).hexdigest()
        with self._lock(council):
            for _ in range(MAX_ATTEMPTS):
                state = self._refresh(council)
                known = state.submissions.get(submission_id)
                if known is not None:
                    if known.body_sha256 != body_sha256:
                        raise SubmissionConflict(
                            f"Submission {submission_id} was already received with different content"
                            f" (application {known.reference})"
                        )
                    self._complete(council, known.reference, submission, body, actor, assigned_now=False)
                    return Accepted(council, known.reference, created=False)
                settings = self.council_settings(council)
                assigned = assign_reference(
                    state,
                    submission_id,
                    body_sha256,
                    submission.application_type,
                    settings.reference_suffix(submission.application_type),
                    self.clock.now(),
                )
                try:
                    self.store.append(intake_stream(council), state.version, [self._new(council, assigned, actor)])
                except ConcurrencyError:
                    continue  # another process numbered a submission first: read it and decide again
                self._complete(council, assigned.reference, submission, body, actor, assigned_now=True)
                return Accepted(council, assigned.reference, created=True)
        raise ConcurrencyError(intake_stream(council), -1)

    def _complete(
        self, council: str, reference: str, submission: Submission, body: bytes, actor: Actor, *, assigned_now: bool
    ) -> None:
        """Store the original and append the submission, unless a previous attempt already did (a reference this call
        has just assigned has no application stream yet, so there is nothing to check)."""
        stream = application_stream(council, reference)
        if not assigned_now and self.store.stream_version(stream) > 0:
            return
        body_hash = hashlib.sha256(body).hexdigest()
        stored = self.documents.put(f"{council}/{reference}/submission-{body_hash}.json", body, "application/json")
        event = PlanningApplicationSubmitted(
            reference=reference,
            received_at=self.clock.now(),
            submission=submission,
            payload_key=stored.key,
            payload_sha256=stored.sha256,
            payload_size=stored.size,
        )
        with contextlib.suppress(ConcurrencyError):  # a concurrent retry of the same submission completed it
            self.store.append(stream, 0, [self._new(council, event, actor)])

    def _new(self, council: str, payload: Any, actor: Actor) -> NewEvent:
        return NewEvent(payload, council, actor, self.clock.now())

    def _refresh(self, council: str) -> IntakeState:
        state = self._states.get(council, IntakeState())
        state = fold(self.store.read(intake_stream(council), from_version=state.version + 1), state)
        self._states[council] = state
        return state

    def _lock(self, council: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(council, threading.Lock())
