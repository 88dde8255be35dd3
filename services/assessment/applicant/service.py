"""Opening a request through its link and recording the applicant's answer: the link checked, the state folded from
the application's streams, the domain's command run, the file stored, and the answer appended atomically to the main
stream and the documents side stream."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from events import Actor, EventPayload, NewEvent
from events.streams import application_side_stream, application_stream
from services.assessment.applicant.refusals import DomainRefusal, LinkNotFound, RequestClosed, Unprocessable
from services.assessment.applicant.uploads import document_key, file_problem, safe_file_name, sniff
from services.assessment.domain.errors import AssessmentRefusal, Conflict
from services.assessment.domain.state import PlanningApplication, ValidationRequest, fold
from services.assessment.domain.streams import side_stream_of
from shared.applicant_links import NoLinkSecret, link_secret, verify_applicant_token
from shared.clock import Clock
from shared.eventstore.port import ConcurrencyError, EventStore, StreamAppend, merged
from shared.secrets.port import SecretStore

if TYPE_CHECKING:  # an answer's only (the forms' parsing, python_multipart; the domain's command, its guards and the
    # officers' identities; the document store's port): a page view imports none of them
    from services.assessment.applicant.forms import AnswerInput
    from services.assessment.domain.applicant import UploadedDocument
    from shared.documents.port import DocumentStore

APPLICANT = Actor(kind="applicant", id="applicant", display_name="The applicant")
COUNCIL_CODE = re.compile(r"[A-Z0-9]{1,4}")
REFERENCE = re.compile(r"[0-9A-Za-z-]{1,40}")
REQUEST_ID = re.compile(r"[0-9a-f-]{1,64}")
ATTEMPTS = 3  # an officer's event landing between our read and our append: read again and answer again


@dataclass(frozen=True)
class OpenRequest:
    """The request a good link points at, with the application it belongs to."""

    council: str
    reference: str
    application: PlanningApplication
    request: ValidationRequest
    versions: dict[str, int]  # every stream's version as read


@dataclass(frozen=True)
class Answered:
    request: ValidationRequest
    application: PlanningApplication


class ApplicantAnswers:
    """`documents` gives the document store when a file is stored: a page view never builds its client (S3's)."""

    def __init__(
        self, events: EventStore, documents: Callable[[], DocumentStore], secrets: SecretStore, clock: Clock
    ) -> None:
        self.events = events
        self.documents = documents
        self.secrets = secrets
        self.clock = clock

    def check_link(self, council: str, reference: str, request_id: str, token: str | None) -> None:
        """LinkNotFound unless the token is this request's: checked before anything of the application is read."""
        if not (
            COUNCIL_CODE.fullmatch(council) and REFERENCE.fullmatch(reference) and REQUEST_ID.fullmatch(request_id)
        ):
            raise LinkNotFound()
        try:
            secret = link_secret(self.secrets, council)
        except NoLinkSecret:
            raise LinkNotFound() from None
        if not token or not verify_applicant_token(secret, council, reference, request_id, token):
            raise LinkNotFound()

    def open(
        self, council: str, reference: str, request_id: str, token: str | None, *, documents: bool = False
    ) -> OpenRequest:
        """The request, if the link is good and it is open: LinkNotFound (also for a request not sent yet), or
        RequestClosed once it was answered, auto-closed or cancelled (or the application is no longer open).
        `documents`: with the application's documents whatever the request (an answer needs them, see `_read`)."""
        self.check_link(council, reference, request_id, token)
        found = self._read(council, reference, request_id, documents)
        if found.request.state != "open" or not found.application.is_open:
            raise RequestClosed()
        return found

    def answer(self, council: str, reference: str, request_id: str, token: str | None, given: AnswerInput) -> Answered:
        """Record the answer; the file (if any) is checked by content and stored first, and removed again if the
        answer is refused or cannot be appended, so a refusal stores nothing."""
        found = self.open(council, reference, request_id, token, documents=True)
        document = self._document(council, reference, given) if given.file is not None else None
        stored = False
        try:
            for attempt in range(ATTEMPTS):
                payloads = self._decide(found, given, document)
                if document is not None and not stored and given.file is not None:
                    self.documents().put(document.key, given.file.content, document.content_type)
                    stored = True
                try:
                    self._append(found, payloads)
                except ConcurrencyError:
                    if attempt == ATTEMPTS - 1:
                        raise
                    found = self.open(council, reference, request_id, token, documents=True)
                    continue
                answered = self._read(council, reference, request_id, documents=True)
                return Answered(answered.request, answered.application)
        except BaseException:
            if stored and document is not None:
                self.documents().delete(document.key)
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _decide(self, found: OpenRequest, given: AnswerInput, document: UploadedDocument | None) -> list[EventPayload]:
        """The domain's events for the answer; its refusals as the pages' (a Conflict: the request just closed)."""
        from services.assessment.domain.applicant import answer_validation_request

        try:
            return answer_validation_request(
                found.application,
                request_id=found.request.id,
                now=self.clock.now(),
                agreed=given.agreed,
                reason=given.reason,
                response=given.response,
                document=document,
            )
        except Conflict:
            raise RequestClosed() from None
        except AssessmentRefusal as refusal:
            raise DomainRefusal(refusal.status, refusal.message, refusal.fields) from None

    def _document(self, council: str, reference: str, given: AnswerInput) -> UploadedDocument:
        from services.assessment.domain.applicant import UploadedDocument

        assert given.file is not None
        problem = file_problem(given.file)
        if problem is not None:
            raise Unprocessable(problem, {"document": problem})
        content_type = sniff(given.file.content) or ""
        document_id = str(uuid.uuid4())
        name = safe_file_name(given.file.name, content_type)
        return UploadedDocument(
            document_id=document_id,
            file_name=name,
            key=document_key(council, reference, document_id, name),
            sha256=hashlib.sha256(given.file.content).hexdigest(),
            size=len(given.file.content),
            content_type=content_type,
        )

    def _read(self, council: str, reference: str, request_id: str, documents: bool) -> OpenRequest:
        """The application folded from its main stream (the requests, their state and the application's status), and
        from its documents side stream too when `documents` is asked for or the request names a document (a
        replacement): the page shows that document's name, and an answer appends at the documents' version. A page
        view of any other request reads one stream (one query). The notifications side stream is never read: the fold
        does not use it."""
        main_id = application_stream(council, reference)
        main = self.events.read(main_id)
        versions = {main_id: main[-1].version if main else 0}
        application = fold(main)
        request = application.requests.get(request_id) if application.exists else None
        if request is not None and (documents or request.drafted.document_id):
            documents_id = application_side_stream(council, reference, "documents")
            side = self.events.read(documents_id)
            versions[documents_id] = side[-1].version if side else 0
            application = fold(merged((main, side)))  # in time order: a check of a document follows its arrival
            request = application.requests.get(request_id)
        if request is None or request.state == "pending":  # a request not sent yet has no link
            raise LinkNotFound()
        return OpenRequest(council, reference, application, request, versions)

    def _append(self, found: OpenRequest, payloads: Sequence[EventPayload]) -> None:
        now = self.clock.now()
        by_stream: dict[str, list[NewEvent]] = {}
        for payload in payloads:
            side = side_stream_of(payload)
            stream_id = (
                application_side_stream(found.council, found.reference, side)
                if side
                else application_stream(found.council, found.reference)
            )
            by_stream.setdefault(stream_id, []).append(NewEvent(payload, found.council, APPLICANT, now))
        self.events.append_streams(
            [StreamAppend(stream_id, found.versions[stream_id], events) for stream_id, events in by_stream.items()]
        )
