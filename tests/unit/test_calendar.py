"""China's working-day calendar, with adjusted weekend workdays and county overrides."""

from datetime import date

import pytest

from portal.core.calendar import WorkCalendar

CAL = WorkCalendar()


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 10, 1), False),   # National Day
    (date(2026, 10, 7), False),   # substitute day off
    (date(2026, 10, 8), True),
    (date(2026, 10, 10), True),   # Saturday made a working day (调休)
    (date(2026, 9, 20), True),    # Sunday made a working day
    (date(2026, 10, 11), False),  # ordinary Sunday
    (date(2026, 11, 23), True),
])
def test_working_days(day, working):
    assert CAL.is_working_day(day) is working


def test_october_2026_has_its_adjusted_count():
    # 22 weekdays, less the five weekday holidays (1, 2, 5, 6, 7), plus Saturday the 10th made working
    days = CAL.month_working_days(2026, 10)
    assert date(2026, 10, 10) in days and date(2026, 10, 1) not in days
    assert len(days) == 18


def test_november_2026_is_an_ordinary_month():
    assert len(CAL.month_working_days(2026, 11)) == 21


def test_county_overrides_win():
    local = WorkCalendar({date(2026, 11, 23): False, date(2026, 11, 22): True})
    assert not local.is_working_day(date(2026, 11, 23))
    assert local.is_working_day(date(2026, 11, 22))


def test_adding_working_days_skips_the_national_day_week():
    # notice posted on 30 September: the fifth working day after is 13 October (8, 9, 10, 12, 13)
    assert CAL.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert CAL.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)
