"""Properties of the statutory clock over a case's events: a later answer never brings the expiry date earlier, and
the dates depend only on the events, never on when the daily job ran or the log is replayed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.assessment.domain import (
    UploadedDocument,
    answer_validation_request,
    application_view,
    auto_close_due,
    fold,
    invalidate,
    validate,
)
from shared.calendar import ENGLAND_AND_WALES
from tests.assessment import builders as b
from tests.assessment.support import APPLICANT, ASSESSOR, Case, square

DAYS = st.dates(min_value=date(2026, 3, 2), max_value=date(2027, 12, 31))
TYPES = st.sampled_from(["description_change", "red_line_boundary_change", "additional_document", "other_change"])
DETAILS = {
    "description_change": {"proposed_description": "Two storeys"},
    "red_line_boundary_change": {"proposed_boundary": square()},
    "additional_document": {"requested_document": "Site plan"},
    "other_change": {"suggestion": "Lower the ridge"},
}


def _answered_case(request_type: str, sent_on: date, answered_on: date, period: int) -> Case:
    """A case invalidated on `sent_on` with one request answered on `answered_on`, then validated."""
    case = Case()
    b.with_pending(case, request_type, **DETAILS[request_type])
    case.run(invalidate, ASSESSOR, today=sent_on)
    [request] = case.state.requests.values()
    answer: dict = {"response": "done"} if request_type == "other_change" else {"agreed": True}
    if request_type == "additional_document":
        answer = {"document": UploadedDocument("up-1", "a.pdf", "k/a.pdf", "1" * 64, 10, "application/pdf")}
    now = datetime.combine(answered_on, time(11), tzinfo=UTC)
    case.record(answer_validation_request(case.state, request_id=request.id, now=now, **answer), APPLICANT)
    last = max(r.closed_on for r in case.state.requests.values() if r.closed_on)
    case.run(validate, ASSESSOR, determination_period_days=period, today=last + timedelta(days=10))
    return case


@settings(max_examples=60, deadline=None)
@given(
    request_type=TYPES,
    sent=st.integers(0, 200),
    first=st.integers(0, 30),
    later=st.integers(0, 30),
    period=st.sampled_from([42, 56, 91, 112]),
)
def test_the_expiry_never_moves_earlier_when_a_request_closes_later(request_type, sent, first, later, period):
    sent_on = date(2026, 3, 3) + timedelta(days=sent)
    early = _answered_case(request_type, sent_on, sent_on + timedelta(days=first), period)
    late = _answered_case(request_type, sent_on, sent_on + timedelta(days=first + later), period)
    assert late.state.valid_from >= early.state.valid_from
    assert late.state.expiry_date >= early.state.expiry_date
    assert late.state.target_date >= early.state.target_date
    assert ENGLAND_AND_WALES.is_business_day(late.state.valid_from)


@settings(max_examples=40, deadline=None)
@given(request_type=st.sampled_from(["description_change", "red_line_boundary_change"]), sent=st.integers(0, 200),
       late_by=st.integers(0, 40))  # fmt: skip
def test_a_late_daily_job_gives_the_same_dates(request_type, sent, late_by):
    """The job closing a request on its due day or weeks later records the same closing day, so the same dates."""
    sent_on = date(2026, 3, 3) + timedelta(days=sent)
    cases = []
    for delay in (0, late_by):
        case = Case()
        b.with_pending(case, request_type, **DETAILS[request_type])
        case.run(invalidate, ASSESSOR, today=sent_on)
        [request] = case.state.requests.values()
        due = ENGLAND_AND_WALES.add_business_days(sent_on, 5)
        case.record(auto_close_due(case.state, today=due + timedelta(days=delay)), APPLICANT)
        assert case.state.requests[request.id].closed_on == due
        case.run(validate, ASSESSOR, determination_period_days=56, today=due + timedelta(days=45))
        cases.append(case)
    first, second = (c.state for c in cases)
    assert (first.valid_from, first.expiry_date, first.target_date) == (
        second.valid_from,
        second.expiry_date,
        second.target_date,
    )


DATE_FIELDS = ("receivedDate", "invalidatedOn", "validFrom", "validatedOn", "expiryDate", "targetDate", "consultation")


@settings(max_examples=30, deadline=None)
@given(replayed_on=DAYS, other_day=DAYS)
def test_dates_never_depend_on_when_the_log_is_replayed(replayed_on, other_day):
    case = _answered_case("description_change", date(2026, 3, 3), date(2026, 3, 6), 56)
    replayed = fold(case.events())
    assert replayed == case.state
    seen = application_view(replayed, replayed_on)
    again = application_view(fold(case.events()), other_day)
    assert {k: seen[k] for k in DATE_FIELDS} == {k: again[k] for k in DATE_FIELDS}
    assert [r["dueDate"] for r in seen["validationRequests"]] == [r["dueDate"] for r in again["validationRequests"]]
    # only the count-down depends on the day asked about
    expiry = case.state.expiry_date
    assert seen["daysLeft"] == ENGLAND_AND_WALES.business_days_between(replayed_on, expiry)
    assert seen["overdue"] == (replayed_on > expiry)
