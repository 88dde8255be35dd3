"""Accepting a submission: validate, number it once per `metadata.id`, store the original, record it.

Whatever the council's history, accepting one reads one short thing first (the newest reference on the council's
intake stream, which a process remembers after its own appends) and then writes the reference, the claim and the
application in one atomic append across the three streams. The submission's claim is not read first: the append
expects its claim stream to be empty, so a repeated delivery fails it, and only then is the claim read (the
application the earlier delivery became, or a conflict if its content differs). New submissions are the usual case.

The original is stored before that append (so it exists whenever its application does), while the newest reference and
the council's settings are read (all three at once: a new submission waits for two round trips, not four), under a key
of the submission and its bytes, and removed again when the submission is refused after all: a repeat with other
content, or an event over the store's size limit. No application can name that key then (one with the same bytes would
have been refused the same way). A repeat in other bytes (white space, the id's case) removes its own copy too; one in
the same bytes wrote the very object its application names, which stays. When something else fails (the log is
unreachable, say) the original stays: the client's retry writes the same key again and records the application.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from events import Actor, NewEvent, canonical_json
from events.application import PlanningApplicationSubmitted, SubmissionClaimed
from events.streams import application_stream, intake_stream, submission_stream
from events.submission import SubmissionSummary
from services.intake.errors import Forbidden, InvalidSubmission, PayloadTooLarge, SubmissionConflict
from services.intake.references import IntakePosition, assign_reference, position_after
from shared.clock import Clock
from shared.councils.settings import EffectiveCouncilSettings
from shared.documents import DocumentStore, StoredDocument
from shared.eventstore import ConcurrencyError, EventStore, EventTooLarge, StreamAppend
from shared.odp import OdpValidator, UnknownApplicationType
from shared.odp.reading import read_submission
from shared.odp.summary import summary_of

MAX_ATTEMPTS = 50


@dataclass(frozen=True)
class Accepted:
    council: str
    reference: str
    created: bool

    @property
    def full_reference(self) -> str:
        return f"{self.council}-{self.reference}"


@dataclass(frozen=True)
class CheckedSubmission:
    """A schema-valid submission as intake needs it: who sent it, its id and type, and its event's summary.

    Read straight from the JSON (`shared.odp.reading`), not through the ODP model: the model is not needed to accept
    a submission, and not building it keeps a cold start short."""

    organisation: str | None
    submission_id: str | None
    application_type: str
    summary: SubmissionSummary


class IntakeService:
    """One per process: remembers where each council's intake stream stood after its own last append."""

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
        self._positions: dict[str, IntakePosition] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def check(self, payload: Any) -> CheckedSubmission:
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
        read = read_submission(payload, bulky=False)
        summary = summary_of(read)
        return CheckedSubmission(read["organisation"], read["submission_id"], read["application_type"], summary)

    def submit(self, council: str, body: bytes, payload: Any, actor: Actor) -> Accepted:
        """Accept a submission once per `metadata.id`: number it, store its original and record it, or find the
        application an earlier delivery of the same submission became (different content is a conflict)."""
        submission = self.check(payload)
        if submission.organisation != council:
            raise Forbidden(
                f"metadata.organisation is {submission.organisation!r} but this API key belongs to council {council}"
            )
        submission_id = str(submission.submission_id)
        body_sha256 = content_sha256(payload, submission_id)
        with self._lock(council):
            # As for a new submission (a repeat is found out by the failing append, in `_record`): its original is
            # stored and the council's settings are read while the log is read for its number (independent round
            # trips, which a cold start would otherwise wait for one after the other).
            with ThreadPoolExecutor(max_workers=2) as background:
                storing = background.submit(self._store_original, council, submission_id, body)
                settings = background.submit(self.council_settings, council)
                self._remember_position(council)
            suffix = settings.result().reference_suffix(submission.application_type)
            original = storing.result()
            try:
                return self._record(council, submission, submission_id, body_sha256, original, actor, suffix)
            except (SubmissionConflict, PayloadTooLarge):
                self.documents.delete(original.key)
                raise

    def _record(
        self,
        council: str,
        submission: CheckedSubmission,
        submission_id: str,
        body_sha256: str,
        original: StoredDocument,
        actor: Actor,
        suffix: str,
    ) -> Accepted:
        """Number the submission and append its reference, claim and application at once (again if another process
        numbered one first); the application an earlier delivery became if one raced this one. `suffix`: the
        council's reference suffix for the submission's application type."""
        claim_stream = submission_stream(council, submission_id)
        for _ in range(MAX_ATTEMPTS):
            position = self._remember_position(council)
            received_at = self.clock.now()
            assigned = assign_reference(
                position, submission_id, body_sha256, submission.application_type, suffix, received_at
            )
            claimed = SubmissionClaimed(
                submission_id=submission_id, reference=assigned.reference, body_sha256=body_sha256
            )
            submitted = PlanningApplicationSubmitted(
                reference=assigned.reference,
                received_at=received_at,
                submission=submission.summary,
                payload_key=original.key,
                payload_sha256=original.sha256,
                payload_size=original.size,
            )
            appends = [
                StreamAppend(intake_stream(council), position.version, self._new(council, assigned, actor)),
                StreamAppend(claim_stream, 0, self._new(council, claimed, actor)),
                StreamAppend(application_stream(council, assigned.reference), 0, self._new(council, submitted, actor)),
            ]
            try:
                self.store.append_streams(appends)
            except EventTooLarge as error:
                raise PayloadTooLarge(f"The submission cannot be recorded: {error}") from None
            except ConcurrencyError:
                # Another process numbered a submission first, or received this very one: read and decide again.
                self._positions.pop(council, None)
                earlier = self._earlier(claim_stream, submission_id, body_sha256)
                if earlier is not None:
                    self._drop_unless_named(original.key, council, earlier)
                    return Accepted(council, earlier, created=False)
                continue
            self._positions[council] = IntakePosition(position.version + 1, assigned.sequence)
            return Accepted(council, assigned.reference, created=True)
        raise ConcurrencyError(intake_stream(council), -1)

    def _remember_position(self, council: str) -> IntakePosition:
        """Where the council's intake stream stands: as this process left it, or read from the log."""
        if council not in self._positions:
            self._positions[council] = position_after(self.store.read_last(intake_stream(council)))
        return self._positions[council]

    def _earlier(self, claim_stream: str, submission_id: str, body_sha256: str) -> str | None:
        """The reference of an earlier accepted delivery of this submission, if any (a conflict if it differs)."""
        claimed = self.store.read_last(claim_stream)
        if claimed is None:
            return None
        claim = claimed.payload
        assert isinstance(claim, SubmissionClaimed)
        if claim.body_sha256 != body_sha256:
            raise SubmissionConflict(
                f"Submission {submission_id} was already received with different content"
                f" (application {claim.reference})"
            )
        return claim.reference

    def _drop_unless_named(self, key: str, council: str, reference: str) -> None:
        """Remove the original this delivery stored unless the application another delivery recorded names it (a
        repeat whose bytes differ, e.g. in white space or the id's case, stored its own copy)."""
        first = self.store.read(application_stream(council, reference), 1, 1)
        submitted = first[0].payload if first else None
        if not isinstance(submitted, PlanningApplicationSubmitted) or submitted.payload_key != key:
            self.documents.delete(key)

    def _store_original(self, council: str, submission_id: str, body: bytes) -> StoredDocument:
        """The submission's bytes as received, under a key of the submission, not of a reference: a retry that gets
        another number, or a concurrent repeat, writes the same object again."""
        body_hash = hashlib.sha256(body).hexdigest()
        return self.documents.put(f"{council}/submissions/{submission_id}/{body_hash}.json", body, "application/json")

    def _new(self, council: str, payload: Any, actor: Actor) -> list[NewEvent]:
        return [NewEvent(payload, council, actor, self.clock.now())]

    def _lock(self, council: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(council, threading.Lock())


def content_sha256(payload: dict[str, Any], submission_id: str) -> str:
    """What makes two deliveries the same submission: the hash of the payload's canonical JSON with its id spelled the
    one way (`normalise_submission_id`), so neither key order, white space nor the id's case makes a conflict."""
    metadata = payload.get("metadata")
    if isinstance(metadata, dict) and metadata.get("id") != submission_id:
        payload = {**payload, "metadata": {**metadata, "id": submission_id}}
    return hashlib.sha256(canonical_json(payload)).hexdigest()
