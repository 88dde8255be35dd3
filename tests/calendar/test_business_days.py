from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.calendar import ENGLAND_AND_WALES as calendar
from shared.calendar import LONDON
from shared.calendar.business_days import england_and_wales_bank_holidays

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


def test_england_and_wales_bank_holidays_of_2026_come_from_the_holidays_package():
    holidays_2026 = england_and_wales_bank_holidays(2026)
    for day in ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25"]:
        assert date.fromisoformat(day) in holidays_2026
        assert not calendar.is_business_day(date.fromisoformat(day))
    assert date(2026, 12, 28) in holidays_2026  # Boxing Day falls on a Saturday: Monday is the substitute
    assert calendar.is_business_day(date(2026, 12, 29))


def test_christmas_2026_counts_past_the_bank_holidays_and_the_weekend():
    assert calendar.next_business_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert calendar.add_business_days(date(2026, 12, 24), 5) == date(2027, 1, 5)  # 29, 30, 31, (1 Jan) 4, 5
    assert calendar.business_days_between(date(2026, 12, 24), date(2027, 1, 5)) == 5
    assert calendar.business_days_between(date(2027, 1, 5), date(2026, 12, 24)) == -5


def test_received_at_rolls_forward_to_the_next_business_moment_in_london():
    friday_evening = datetime(2026, 7, 3, 16, 30, tzinfo=UTC)  # 17:30 BST
    assert calendar.received_date(friday_evening) == date(2026, 7, 6)
    friday_afternoon = datetime(2026, 7, 3, 15, 59, tzinfo=UTC)  # 16:59 BST
    assert calendar.received_date(friday_afternoon) == date(2026, 7, 3)
    early_monday = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)  # before opening: the same day, at 09:00
    assert calendar.received_date(early_monday) == date(2026, 1, 5)
    good_friday = datetime(2026, 4, 3, 11, 0, tzinfo=UTC)
    assert calendar.received_date(good_friday) == date(2026, 4, 7)


@given(days, st.integers(min_value=1, max_value=60))
def test_adding_business_days_never_lands_on_a_weekend_or_bank_holiday(day, count):
    landed = calendar.add_business_days(day, count)
    assert landed.weekday() < 5 and landed not in england_and_wales_bank_holidays(landed.year)
    assert calendar.business_days_between(day, landed) == count
    assert landed - day >= timedelta(days=count)


@given(days, days)
def test_counting_business_days_is_antisymmetric_and_additive(first, second):
    middle = min(first, second) + (max(first, second) - min(first, second)) / 2
    between = calendar.business_days_between
    assert between(first, second) == -between(second, first)
    assert between(first, second) == between(first, middle) + between(middle, second)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)))
def test_the_received_date_is_a_business_day_never_before_the_moment(moment):
    received = calendar.received_date(moment)
    assert calendar.is_business_day(received)
    assert received >= moment.astimezone(LONDON).date()


def test_the_calendar_loads_the_bank_holidays_only_when_it_counts_days():
    from tests.module_probe import modules_loaded_after

    assert "holidays" not in modules_loaded_after("import shared.calendar, shared.calendar.periods")
    counted = "import shared.calendar as c, datetime; c.ENGLAND_AND_WALES.is_business_day(datetime.date(2026, 1, 1))"
    assert "holidays" in modules_loaded_after(counted)


def test_the_bundles_bank_holiday_table_is_what_the_holidays_package_says(tmp_path, monkeypatch):
    import holidays

    from shared.calendar import bank_holiday_table

    table = tmp_path / "bank-holidays.json"
    bank_holiday_table.write_table(table)
    monkeypatch.setenv(bank_holiday_table.BANK_HOLIDAYS_ENV, str(table))
    for year in bank_holiday_table.YEARS:
        said = holidays.country_holidays("GB", subdiv="ENG", years=year)
        assert bank_holiday_table.from_table(year) == frozenset(said), year
    assert bank_holiday_table.from_table(bank_holiday_table.YEARS.stop) is None
    monkeypatch.setenv(bank_holiday_table.BANK_HOLIDAYS_ENV, str(tmp_path / "absent.json"))
    assert bank_holiday_table.from_table(2026) is None  # no table: the calendar asks `holidays`


def test_with_the_table_a_cold_start_counts_its_days_without_importing_holidays(tmp_path):
    from shared.calendar.bank_holiday_table import BANK_HOLIDAYS_ENV, write_table
    from tests.module_probe import modules_loaded_after

    table = tmp_path / "bank-holidays.json"
    write_table(table, range(2025, 2028))
    environment = {BANK_HOLIDAYS_ENV: str(table)}
    counted = "import shared.calendar as c, datetime; assert not c.ENGLAND_AND_WALES.is_business_day(datetime.date({}))"
    assert "holidays" not in modules_loaded_after(counted.format("2026, 12, 28"), environment)
    # a year the table does not hold is asked of `holidays`
    assert "holidays" in modules_loaded_after(counted.format("1999, 12, 28"), environment)
