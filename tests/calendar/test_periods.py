from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.calendar.periods import (
    REQUEST_TYPES,
    auto_closes_on,
    consultation_dates,
    determination_period_days,
    expiry_date,
    is_consulted,
    response_due,
    target_date,
)


@pytest.mark.parametrize(
    ("application_type", "eia", "days"),
    [
        ("pp.full.householder", False, 56),
        ("ldc.proposed", False, 56),
        ("pp.full.major", False, 91),
        ("pp.full.major.waste", False, 91),
        ("pp.full.minor", True, 112),
        ("pa.part1.classA", False, 42),
        ("pa.part1.classA", True, 112),
    ],
)
def test_determination_periods_follow_the_type(application_type, eia, days):
    assert determination_period_days(application_type, eia=eia) == days


def test_a_council_override_wins_most_specific_first():
    overrides = {"pp.full": 60, "pp.full.householder": 50}
    assert determination_period_days("pp.full.householder", overrides) == 50
    assert determination_period_days("pp.full.minor", overrides) == 60
    assert determination_period_days("pp.full.major", overrides, eia=True) == 60
    assert determination_period_days("ldc.proposed", overrides) == 56


def test_expiry_and_target_are_calendar_days_from_valid_from():
    assert expiry_date(date(2026, 12, 1), 56) == date(2027, 1, 26)
    assert target_date(date(2026, 12, 1)) == date(2027, 1, 5)


def test_consultation_starts_the_next_business_day_and_notices_extend_it():
    assert consultation_dates(date(2026, 12, 24)) == (date(2026, 12, 29), date(2027, 1, 19))
    start, end = consultation_dates(date(2026, 12, 24), [date(2027, 1, 4), date(2027, 1, 2)])
    assert (start, end) == (date(2026, 12, 29), date(2027, 1, 25))
    assert consultation_dates(date(2026, 12, 24), [date(2026, 12, 29)])[1] == date(2027, 1, 19)


def test_lawful_development_certificates_and_pre_applications_are_not_consulted():
    assert not is_consulted("ldc.proposed") and not is_consulted("preApp")
    assert is_consulted("pp.full.householder") and is_consulted("pa.part1.classA")


def test_response_deadlines_and_auto_close_in_business_days():
    sent = date(2026, 12, 21)  # a Monday before Christmas
    assert response_due(sent, "description_change") == date(2026, 12, 30)
    assert response_due(sent, "pre_commencement_condition") == date(2027, 1, 7)
    assert response_due(sent, "fee_change") == date(2027, 1, 14)
    assert auto_closes_on(sent, "red_line_boundary_change") == date(2026, 12, 30)
    assert auto_closes_on(sent, "fee_change") is None
    with pytest.raises(ValueError, match="unknown validation request type"):
        response_due(sent, "bribe")


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)), st.sampled_from(REQUEST_TYPES))
def test_a_request_sent_later_is_never_due_earlier(sent, request_type):
    from datetime import timedelta

    assert response_due(sent + timedelta(days=1), request_type) >= response_due(sent, request_type)
