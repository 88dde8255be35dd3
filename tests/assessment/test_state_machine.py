"""Any sequence of commands, by any officer, with good and bad inputs: no sequence reaches an inconsistent state, a
refused command produces nothing, and folding the stored log again gives the live state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from events import Actor, EventPayload
from events.assessment import ValidationRequestAutoClosed
from services.assessment.domain import (
    AssessmentRefusal,
    UploadedDocument,
    add_constraint,
    answer_validation_request,
    archive_document,
    assign,
    auto_close_due,
    cancel_validation_request,
    change_document_tags,
    check_document,
    check_fee,
    check_red_line_boundary,
    close,
    determine,
    draft_validation_request,
    invalidate,
    publish_document,
    record_assessment,
    record_committee_decision,
    record_press_notice,
    record_site_notice,
    remove_constraint,
    request_time_extension,
    return_application,
    review,
    send_to_committee,
    submit_recommendation,
    unpublish_document,
    upload_document,
    upload_redacted_copy,
    validate,
    withdraw,
)
from services.assessment.domain.decision import DecisionNoticeFile
from services.assessment.domain.validation_requests import ONE_AT_A_TIME
from shared.application_status import OPEN_STATUSES, STATUSES
from shared.calendar.periods import REQUEST_TYPES
from tests.assessment.support import (
    ADMINISTRATOR,
    APPLICANT,
    ASSESSOR,
    OTHER_ASSESSOR,
    OTHER_REVIEWER,
    REVIEWER,
    SHA,
    Case,
    applied,
    square,
)

OFFICERS = st.sampled_from([ASSESSOR, OTHER_ASSESSOR, REVIEWER, OTHER_REVIEWER, ADMINISTRATOR])
TEXTS = st.sampled_from(["a reason"] * 5 + ["", "  ", "x" * 2001])  # mostly good, so the deep states are reached
DECISIONS = st.sampled_from(["granted", "granted", "refused", "not_required", "maybe"])
TYPES = st.sampled_from(["pp.full.householder", "ldc.proposed", "pa.part1.classA", "preApp", "pp.full.major"])
DETAILS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "additional_document": st.just({"requested_document": "Site plan"}),
    "replacement_document": st.sampled_from([{"document_id": "doc-1"}, {"document_id": "doc-2"}]),
    "red_line_boundary_change": st.just({"proposed_boundary": square()}),
    "description_change": st.sampled_from([{"proposed_description": "Two storeys"}, {"proposed_description": "A"}]),
    "fee_change": st.sampled_from([{"fee_amount": "258"}, {"fee_amount": "0"}]),
    "other_change": st.just({"suggestion": "Lower the ridge"}),
    "ownership_certificate": st.just({}),
    "pre_commencement_condition": st.just({"proposed_condition": {"text": "t", "reason": "r"}}),
    "heads_of_terms": st.just({"terms": "Play space"}),
    "time_extension": st.just({}),  # the proposed date is drawn relative to the expiry date
}


class ApplicationMachine(RuleBasedStateMachine):
    case: Case
    today: date

    @initialize(application_type=TYPES)
    def receive(self, application_type: str) -> None:
        self.case = Case(application_type)
        self.today = date(2026, 3, 2)
        self.notices = 0

    # --- how every rule runs a command ----------------------------------------------------------------------------

    def attempt(self, command: Callable[..., list[EventPayload]], *args: Any, actor: Any = None, **inputs: Any) -> None:
        before, stored = self.case.state, {s: len(e) for s, e in self.case.stored.items()}
        try:
            events = command(self.case.state, *args, **inputs)
        except AssessmentRefusal as refusal:
            assert refusal.status in (403, 404, 409, 422) and refusal.message
            assert self.case.state is before and {s: len(e) for s, e in self.case.stored.items()} == stored
            return
        if events:
            self.case.record(events, actor or (args[0].actor() if args else APPLICANT))

    def request_id(self, index: int) -> str:
        ids = list(self.case.state.requests)
        return ids[index % len(ids)] if ids else "00000000-0000-4000-8000-000000000000"

    # --- time -----------------------------------------------------------------------------------------------------

    @rule(days=st.integers(0, 12))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @rule()
    def daily_job(self) -> None:
        self.attempt(auto_close_due, actor=Actor.system("daily"), today=self.today)

    # --- officers -------------------------------------------------------------------------------------------------

    @rule(officer=OFFICERS, who=OFFICERS)
    def assign(self, officer, who) -> None:
        self.attempt(assign, officer, officer_id=who.id, officer_name=who.name)

    @rule(officer=OFFICERS, document=st.sampled_from(["doc-1", "doc-2", "nope"]), valid=st.booleans(), reason=TEXTS)
    def check_document(self, officer, document, valid, reason) -> None:
        self.attempt(check_document, officer, document_id=document, valid=valid, invalid_reason=reason)

    @rule(officer=OFFICERS, valid=st.booleans(), reason=TEXTS, fee=st.booleans())
    def check_boundary_or_fee(self, officer, valid, reason, fee) -> None:
        self.attempt(check_fee if fee else check_red_line_boundary, officer, valid=valid, invalid_reason=reason)

    @rule(officer=OFFICERS, constraint=st.sampled_from(["flood-zone", "listed-building", "articleFour", "tpo"]),
          add=st.booleans(), reason=TEXTS)  # fmt: skip
    def constraint(self, officer, constraint, add, reason) -> None:
        if add:
            self.attempt(add_constraint, officer, constraint=constraint)
        else:
            self.attempt(remove_constraint, officer, constraint=constraint, reason=reason)

    @rule(officer=OFFICERS, request_type=st.sampled_from([*REQUEST_TYPES, "bribe"]), data=st.data(), reason=TEXTS,
          request_id=st.uuids(version=4).map(str), later=st.integers(-5, 60))  # fmt: skip
    def draft_request(self, officer, request_type, data, reason, request_id, later) -> None:
        details = dict(data.draw(DETAILS.get(request_type, st.just({}))))
        if request_type == "time_extension":
            base = self.case.state.expiry_date or self.today
            details["proposed_expiry_date"] = base + timedelta(days=later)
        self.attempt(
            draft_validation_request,
            officer,
            request_id=request_id,
            request_type=request_type,
            reason=reason,
            today=self.today,
            **details,
        )

    @rule(officer=OFFICERS, request_id=st.uuids(version=4).map(str), later=st.integers(-5, 60))
    def time_extension(self, officer, request_id, later) -> None:
        base = self.case.state.expiry_date or self.today
        self.attempt(
            request_time_extension,
            officer,
            request_id=request_id,
            proposed_expiry_date=base + timedelta(days=later),
            reason="awaiting a consultee",
            today=self.today,
        )

    @rule(officer=OFFICERS, index=st.integers(0, 20), reason=TEXTS)
    def cancel_request(self, officer, index, reason) -> None:
        self.attempt(
            cancel_validation_request, officer, request_id=self.request_id(index), reason=reason, today=self.today
        )

    @rule(officer=OFFICERS)
    def invalidate(self, officer) -> None:
        self.attempt(invalidate, officer, today=self.today)

    @rule(officer=OFFICERS, back=st.none() | st.integers(-3, 30), days=st.sampled_from([56, 42, 56, 0]))
    def validate(self, officer, back, days) -> None:
        valid_from = None if back is None else self.today - timedelta(days=back)
        self.attempt(validate, officer, valid_from=valid_from, determination_period_days=days, today=self.today)

    @rule(officer=OFFICERS, back=st.integers(-2, 20), press=st.booleans())
    def notice(self, officer, back, press) -> None:
        on = self.today - timedelta(days=back)
        if press:
            self.attempt(record_press_notice, officer, published_on=on, today=self.today)
        else:
            self.attempt(record_site_notice, officer, displayed_on=on, today=self.today)

    @rule(officer=OFFICERS, summary=TEXTS, conditions=st.integers(0, 2))
    def assess(self, officer, summary, conditions) -> None:
        condition = {"text": "Materials to match", "reason": "Amenity"}
        self.attempt(record_assessment, officer, summary_of_works=summary, conditions=[condition] * conditions)

    @rule(officer=OFFICERS, decision=DECISIONS, reason=TEXTS)
    def recommend(self, officer, decision, reason) -> None:
        self.attempt(submit_recommendation, officer, decision=decision, public_reason=reason)

    @rule(officer=OFFICERS, action=st.sampled_from(["agree", "agree", "challenge", "maybe"]), comment=TEXTS)
    def review(self, officer, action, comment) -> None:
        self.attempt(review, officer, action=action, comment=comment)

    @rule(officer=OFFICERS, reason=TEXTS)
    def committee(self, officer, reason) -> None:
        self.attempt(send_to_committee, officer, reason=reason)

    @rule(officer=OFFICERS, decision=DECISIONS, back=st.integers(-2, 10))
    def committee_decides(self, officer, decision, back) -> None:
        decided_on = self.today - timedelta(days=back)
        self.attempt(record_committee_decision, officer, decision=decision, decided_on=decided_on, today=self.today)

    @rule(officer=OFFICERS, back=st.none() | st.integers(-2, 10))
    def determine(self, officer, back) -> None:
        self.notices += 1
        notice = DecisionNoticeFile(f"notice-{self.notices}", f"k/notice-{self.notices}.html", SHA, 100)
        decision_date = None if back is None else self.today - timedelta(days=back)
        self.attempt(determine, officer, decision_date=decision_date, today=self.today, notice=notice)

    @rule(officer=OFFICERS, how=st.sampled_from([withdraw, return_application, close]), reason=TEXTS,
          now=st.integers(0, 9))  # fmt: skip
    def finish(self, officer, how, reason, now) -> None:
        if now == 0:  # seldom, or few sequences would get past it
            self.attempt(how, officer, reason=reason, today=self.today)

    # --- the applicant --------------------------------------------------------------------------------------------

    @rule(index=st.integers(0, 20), agreed=st.none() | st.booleans(), reason=TEXTS, response=st.none() | TEXTS,
          upload=st.booleans(), hour=st.integers(0, 23))  # fmt: skip
    def applicant_answers(self, index, agreed, reason, response, upload, hour) -> None:
        self.notices += 1
        document = (
            UploadedDocument(
                f"upload-{self.notices}", "plan.pdf", f"k/upload-{self.notices}", SHA, 10, "application/pdf"
            )
            if upload
            else None
        )
        now = datetime.combine(self.today, time(hour), tzinfo=UTC)
        self.attempt(
            answer_validation_request,
            actor=APPLICANT,
            request_id=self.request_id(index),
            agreed=agreed,
            reason=reason,
            response=response,
            document=document,
            now=now,
        )

    # --- officers' document commands (the documents side stream: they never make the main stream's version stale) --

    def document_id(self, index: int) -> str:
        ids = list(self.case.state.documents)
        return ids[index % len(ids)] if ids and index >= 0 else "nope"

    def upload(self, content_type: str) -> UploadedDocument:
        self.notices += 1
        return UploadedDocument(f"up-{self.notices}", "plan.pdf", f"k/up-{self.notices}", SHA, 10, content_type)

    @rule(officer=OFFICERS, replaces=st.none() | st.integers(-1, 20), tags=st.sampled_from([[], ["floorPlan.proposed"],
          ["not a tag!"]]), content_type=st.sampled_from(["application/pdf", "image/png", "text/html"]))  # fmt: skip
    def officer_uploads(self, officer, replaces, tags, content_type) -> None:
        replaced = None if replaces is None else self.document_id(replaces)
        self.attempt(upload_document, officer, document=self.upload(content_type), tags=tags, replaces=replaced)

    @rule(officer=OFFICERS, index=st.integers(-1, 20), tags=st.sampled_from([[], ["sitePlan.proposed", "photographs"],
          ["not a tag!"]]))  # fmt: skip
    def officer_tags(self, officer, index, tags) -> None:
        self.attempt(change_document_tags, officer, document_id=self.document_id(index), tags=tags)

    @rule(officer=OFFICERS, index=st.integers(-1, 20), publish=st.booleans(), reason=st.none() | TEXTS)
    def officer_publishes_or_unpublishes(self, officer, index, publish, reason) -> None:
        if publish:
            self.attempt(publish_document, officer, document_id=self.document_id(index))
        else:
            self.attempt(unpublish_document, officer, document_id=self.document_id(index), reason=reason)

    @rule(officer=OFFICERS, index=st.integers(-1, 20), content_type=st.sampled_from(["application/pdf", "text/html"]))
    def officer_redacts(self, officer, index, content_type) -> None:
        self.attempt(upload_redacted_copy, officer, document_id=self.document_id(index), copy=self.upload(content_type))

    @rule(officer=OFFICERS, index=st.integers(-1, 20), reason=st.none() | TEXTS)
    def officer_archives(self, officer, index, reason) -> None:
        self.attempt(archive_document, officer, document_id=self.document_id(index), reason=reason)

    # --- the usual next step, with good inputs (so that random sequences also reach the later statuses) ------------

    def next_step(self, choice: int = 0) -> None:
        s = self.case.state
        reviewer = (REVIEWER, OTHER_REVIEWER)[choice % 2]  # sometimes the one who recommended: refused
        if s.status in ("not_started", "in_assessment") and choice == 0:
            self.make_request()
        elif s.status in OPEN_STATUSES and s.requests_in("open") and choice == 1:
            self.answer(s.requests_in("open")[0])
        elif s.status == "not_started" and s.requests_in("pending"):
            self.attempt(invalidate, ASSESSOR, today=self.today)
        elif s.status in ("not_started", "invalidated") and not s.live_requests():
            self.attempt(validate, ASSESSOR, determination_period_days=56, today=self.today)
        elif s.status == "invalidated":
            self.answer(s.requests_in("open")[0])
        elif s.status in ("in_assessment", "to_be_reviewed") and s.assessment is None:
            self.attempt(record_assessment, ASSESSOR, summary_of_works="An extension")
        elif s.status in ("in_assessment", "to_be_reviewed"):
            recommender = (ASSESSOR, REVIEWER, OTHER_REVIEWER)[choice % 3]
            self.attempt(submit_recommendation, recommender, decision="refused", public_reason="Harm")
        elif s.status == "awaiting_determination" and s.recommendation and s.recommendation.review is None:
            if choice == 2:
                self.attempt(review, reviewer, action="challenge", comment="Say more about daylight")
            else:
                self.attempt(review, reviewer, action="agree")
        elif s.status == "in_committee" and s.committee and s.committee.decision is None:
            self.attempt(
                record_committee_decision, ASSESSOR, decision="granted", decided_on=self.today, today=self.today
            )
        elif s.status in ("awaiting_determination", "in_committee"):
            self.notices += 1
            notice = DecisionNoticeFile(f"notice-{self.notices}", f"k/notice-{self.notices}.html", SHA, 100)
            self.attempt(determine, ASSESSOR, today=self.today, notice=notice)

    def make_request(self) -> None:
        s = self.case.state
        kinds: list[tuple[str, dict[str, Any]]] = [
            ("description_change", {"proposed_description": f"Changed {len(s.requests)}"}),
            ("red_line_boundary_change", {"proposed_boundary": square()}),
            ("additional_document", {"requested_document": "Site plan"}),
        ]
        if s.status == "in_assessment":
            kinds.append(("pre_commencement_condition", {"proposed_condition": {"text": "t", "reason": "r"}}))
        request_type, details = kinds[len(s.requests) % len(kinds)]
        self.attempt(
            draft_validation_request,
            ASSESSOR,
            request_id=str(UUID(int=len(s.requests) + 1, version=4)),
            request_type=request_type,
            reason="needed",
            today=self.today,
            **details,
        )

    def answer(self, request: Any) -> None:
        upload = UploadedDocument(f"answer-{request.id}", "a.pdf", f"k/{request.id}", SHA, 10, "image/png")
        if request.type in ("additional_document", "replacement_document"):
            answer: dict[str, Any] = {"document": upload}
        elif request.type in ("other_change", "fee_change", "ownership_certificate"):
            answer = {"response": "done"}
        else:
            answer = {"agreed": True}
        now = datetime.combine(self.today, time(12), tzinfo=UTC)
        self.attempt(answer_validation_request, actor=APPLICANT, request_id=request.id, now=now, **answer)

    @rule(choice=st.integers(0, 5))
    def next_step_1(self, choice: int) -> None:
        self.next_step(choice)

    @rule(choice=st.integers(0, 5))
    def next_step_2(self, choice: int) -> None:
        self.next_step(choice)

    @rule()
    def next_step_3(self) -> None:
        self.next_step()

    # --- what must always hold ------------------------------------------------------------------------------------

    @invariant()
    def replay_gives_the_live_state(self) -> None:
        assert self.case.replayed() == self.case.state

    @invariant()
    def the_state_is_consistent(self) -> None:  # noqa: C901 - one list of facts
        s = self.case.state
        assert s.status in STATUSES
        assert s.version == len(self.case.main_events())
        live = s.live_requests()
        for request_type in ONE_AT_A_TIME:
            assert len(s.live_requests(request_type)) <= 1
        if s.status not in OPEN_STATUSES:
            assert live == []
        if s.status == "not_started":
            assert not s.requests_in("open") and s.valid_from is None
        if s.valid_from is not None:  # validated: every request made before validation was closed or cancelled first
            assert all(r.post_validation for r in live)
        if s.status == "invalidated":
            assert s.invalidated_on is not None and not s.requests_in("pending")
        for request in s.requests.values():
            if request.state != "pending" and request.sent_on is not None:
                assert request.response_due is not None and request.response_due > request.sent_on
            if request.state == "closed":
                assert request.closed_on is not None and request.sent_on is not None
                assert request.closed_on >= request.sent_on
        validated = s.status not in ("not_started", "invalidated") and s.valid_from is not None
        if s.status in ("in_assessment", "awaiting_determination", "to_be_reviewed", "in_committee", "determined"):
            assert validated
        if s.valid_from is not None:
            assert s.received_date is not None and s.valid_from >= s.received_date
            assert s.expiry_date is not None and s.statutory_expiry_date is not None
            assert s.expiry_date >= s.statutory_expiry_date > s.valid_from
        if s.status == "awaiting_determination":
            assert s.recommendation is not None and s.recommendation.review != "challenged"
        if s.status == "to_be_reviewed":
            assert s.recommendation is not None and s.recommendation.review == "challenged"
        if s.recommendation is not None and s.recommendation.reviewer is not None:
            assert s.recommendation.reviewer.id != s.recommendation.officer.id
        if s.status == "determined":
            assert s.decision is not None and s.valid_from is not None
            assert s.decision.decision_date >= s.valid_from
            assert s.documents[s.decision.notice_document_id].source == "decision_notice"
        else:
            assert s.decision is None
        if s.consultation is not None:
            start, end = s.consultation
            assert s.consults and end >= start + timedelta(days=21)
        assert all(e.closed_on <= self.today for e in auto_close_due(s, today=self.today) if hasattr(e, "closed_on"))

    @invariant()
    def the_constraints_are_the_submissions_and_the_officers(self) -> None:
        """The submission's intersecting constraints are never lost (removed at most, with a reason); any other is an
        officer's; what applies now is exactly those not removed."""
        constraints = self.case.state.constraints
        assert constraints["articleFour"].source == "submission"  # intersects the site, per the submission
        for value, constraint in constraints.items():
            assert constraint.value == value
            assert constraint.source == ("submission" if value == "articleFour" else "officer")
            assert constraint.removed == (constraint.removed_reason is not None) == (constraint.removed_by is not None)
        current = {c.value for c in self.case.state.current_constraints}
        assert current == {v for v, c in constraints.items() if not c.removed}

    @invariant()
    def the_documents_versions_chain(self) -> None:
        """A replaced document names its newer version, which names it back; the decision notice is never changed by
        a document command; what is public is published and current; the documents version is its stream's."""
        documents = self.case.state.documents
        for document in documents.values():
            if document.replaced_by is not None and document.replaced_by in documents:
                newer = documents[document.replaced_by]
                assert newer.replaces in (None, document.id) and newer.id != document.id
            if document.replaces is not None:
                assert documents[document.replaces].replaced_by == document.id
            if document.source == "decision_notice":
                assert not document.published and document.redacted is None and not document.archived
            assert document.public == (document.published and not document.archived and document.replaced_by is None)
        assert self.case.state.documents_version == len(self.case.documents_events())

    @invariant()
    def the_daily_job_is_idempotent(self) -> None:
        closing = auto_close_due(self.case.state, today=self.today)
        after = applied(self.case.state, closing, Actor.system("daily"), self.case.clock + timedelta(seconds=1))
        assert auto_close_due(after, today=self.today) == []
        closed = [e.request_id for e in closing if isinstance(e, ValidationRequestAutoClosed)]
        assert all(after.requests[request_id].state == "closed" for request_id in closed)


ApplicationMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_any_sequence_of_commands = ApplicationMachine.TestCase
