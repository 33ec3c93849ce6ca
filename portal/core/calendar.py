"""China's working days: statutory holidays off, adjusted weekend workdays on, plus county overrides.

Built on the `holidays` package's China calendar (is_working_day knows the 调休 weekend workdays).
A county may override single days (a local holiday, a make-up day): `overrides` maps a date to True
(a working day) or False (a day off). Pure: no flask, no database.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _china(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


class WorkCalendar:
    """Working days of the county: the national calendar with local overrides."""

    def __init__(self, overrides: Mapping[date, bool] | None = None):
        self.overrides = dict(overrides or {})

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _china(day.year).is_working_day(day)

    def is_holiday(self, day: date) -> bool:
        """A statutory holiday or its substitute day off (for shading the attendance grid)."""
        return day in _china(day.year) and not self.is_working_day(day)

    def working_days(self, start: date, end: date) -> list[date]:
        """Working days from start to end, both included."""
        days, day = [], start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def month_working_days(self, year: int, month: int) -> list[date]:
        last = _cal.monthrange(year, month)[1]
        return self.working_days(date(year, month, 1), date(year, month, last))

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself not counted)."""
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day
