"""The county's working-day calendar (工作日历): the national calendar, and the admin's local overrides.

Rules of an override (a day made a working day or a day off for the whole county):
- Only the county admin adds or removes one, for their own county; every change is audited with the
  value before and after.
- Never for a day before the first day of the current month (county time): earlier months are closed,
  their required days R were settled with the calendar of the time (like the posts settings).
- Never for a day in a month that any village of the county has locked (its payroll submitted, approved
  or paid): R of that payroll would change under the approver's feet.
- Adding an override for a day that already has one replaces it. An override that says what the national
  calendar already says is refused: it would change nothing and only hide the national rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from flask_babel import gettext as _
from sqlalchemy import select

from portal.attendance.service import county_calendar
from portal.core import auditlog
from portal.core.access import Role, get_scoped
from portal.core.calendar import WorkCalendar
from portal.core.clock import county_today
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.i18n import date_label, month_label
from portal.core.workdays import MonthLock, WorkdayOverride
from portal.extensions import db
from portal.places.models import Township, Village

NOTE_MAX = 120


# ---- what each day is -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayInfo:
    """One day of the county calendar, for shading: work, weekend, holiday (a day off on a weekday or a
    statutory holiday) or adjusted (a weekend or holiday made a working day, 调休上班)."""

    day: date
    working: bool
    kind: str
    name: str = ""  # the holiday's name, or the override's note
    local: bool = False  # set by a county override

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


@lru_cache(maxsize=32)
def _names(year: int, language: str) -> dict[date, str]:
    return dict(holidays.China(years=year, language=language).items())


def holiday_names(year: int, locale: str) -> dict[date, str]:
    """The statutory holidays of a year with their names in the user's language (国庆节…)."""
    return _names(year, "zh_CN" if locale.startswith("zh") else "en_US")


def describe(cal: WorkCalendar, day: date, names: dict[date, str]) -> DayInfo:
    working = cal.is_working_day(day)
    local = day in cal.overrides
    weekend = day.weekday() >= 5
    if working:
        kind = "adjusted" if (weekend or day in names) else "work"
    else:
        kind = "holiday" if (day in names or not weekend) else "weekend"
    name = names.get(day, "")
    return DayInfo(day, working, kind, name, local)


def describe_days(county_id: int, start: date, end: date, locale: str) -> list[DayInfo]:
    """Each day from start to end as the county calendar sees it (one query for the overrides)."""
    cal = county_calendar(county_id)
    names: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        names.update(holiday_names(year, locale))
    days, day = [], start
    while day <= end:
        days.append(describe(cal, day, names))
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class MonthSheet:
    year: int
    month: int
    weeks: list[list[DayInfo | None]]  # Monday first; None pads the first and last week
    working_days: int
    locked: bool
    notes: list[tuple[int, str, bool]]  # (day of month, holiday name or override note, set by the county)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)


def year_sheets(county_id: int, year: int, locale: str) -> list[MonthSheet]:
    """The twelve months of a year as calendar pages, with the county's working days and locks."""
    days = describe_days(county_id, date(year, 1, 1), date(year, 12, 31), locale)
    locked = locked_county_months(county_id, year)
    notes = {row.day: row.note for row in overrides_of(county_id, year)}
    sheets = []
    for month in range(1, 13):
        month_days = [d for d in days if d.day.month == month]
        pad = month_days[0].day.weekday()
        cells: list[DayInfo | None] = [None] * pad + month_days
        cells += [None] * (-len(cells) % 7)
        weeks = [cells[i:i + 7] for i in range(0, len(cells), 7)]
        sheets.append(MonthSheet(year, month, weeks, sum(1 for d in month_days if d.working), (year, month) in locked,
                                 _notes(month_days, notes)))
    return sheets


def _notes(days: list[DayInfo], override_notes: dict[date, str]) -> list[tuple[int, str, bool]]:
    """A month's named days: each holiday name once (its first day), and every county override."""
    notes, seen = [], set()
    for d in days:
        if d.local:
            notes.append((d.day.day, override_notes.get(d.day) or d.name, True))
        elif d.name and d.name not in seen:
            seen.add(d.name)
            notes.append((d.day.day, d.name, False))
    return notes


# ---- reading --------------------------------------------------------------------------------------


def first_open_day(today: date | None = None) -> date:
    """The earliest day an override may touch: the first day of the current month."""
    return (today or county_today()).replace(day=1)


def overrides_of(county_id: int, year: int) -> list[WorkdayOverride]:
    return list(db.session.execute(select(WorkdayOverride).where(
        WorkdayOverride.county_id == county_id, WorkdayOverride.day >= date(year, 1, 1),
        WorkdayOverride.day <= date(year, 12, 31)).order_by(WorkdayOverride.day)).scalars())


def locked_county_months(county_id: int, year: int) -> set[tuple[int, int]]:
    """(year, month) of the months of `year` that some village of the county has locked."""
    rows = db.session.execute(
        select(MonthLock.year, MonthLock.month).join(Village, Village.id == MonthLock.village_id)
        .join(Township, Township.id == Village.township_id)
        .where(Township.county_id == county_id, MonthLock.year == year).distinct())
    return {(y, m) for y, m in rows}


# ---- changing -------------------------------------------------------------------------------------


def _ensure_admin(user) -> None:
    if getattr(user, "role", None) != Role.COUNTY_ADMIN:
        raise NotAllowed(_("Only the county admin changes the working-day calendar."))


def _ensure_changeable(county_id: int, day: date) -> None:
    earliest = first_open_day()
    if day < earliest:
        raise RuleViolation(_("%(day)s cannot change: months before %(first)s are closed.",
                              day=date_label(day), first=date_label(earliest)), code="closed_month", field="day")
    if (day.year, day.month) in locked_county_months(county_id, day.year):
        raise RuleViolation(_("%(month)s cannot change: a village's payroll of that month has been "
                              "submitted.", month=month_label(day)), code="locked_month", field="day")


def _row(county_id: int, day: date) -> WorkdayOverride | None:
    return db.session.execute(select(WorkdayOverride).where(
        WorkdayOverride.county_id == county_id, WorkdayOverride.day == day)).scalar_one_or_none()


def _state(row: WorkdayOverride | None) -> dict | None:
    return None if row is None else {"day": row.day, "working": row.working, "note": row.note}


def add_override(admin, day: date, working: bool, note: str = "") -> WorkdayOverride:
    """The county admin makes `day` a working day or a day off for the county (replacing an earlier override)."""
    _ensure_admin(admin)
    if not isinstance(day, date):
        raise RuleViolation(_("Choose a day."), field="day")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RuleViolation(_("The note is at most %(n)d characters.", n=NOTE_MAX), field="note")
    county_id = admin.county_id
    _ensure_changeable(county_id, day)
    if WorkCalendar().is_working_day(day) == bool(working):
        message = (_("%(day)s is already a working day in the national calendar.", day=date_label(day)) if working
                   else _("%(day)s is already a day off in the national calendar.", day=date_label(day)))
        raise RuleViolation(message, code="no_change", field="working")
    row = _row(county_id, day)
    before = _state(row)
    if row is None:
        row = WorkdayOverride(county_id=county_id, day=day, working=bool(working), note=note, created_by=admin.id)
        db.session.add(row)
    else:
        row.working, row.note, row.created_by = bool(working), note, admin.id
    db.session.flush()
    auditlog.record(admin, "add_override", "workday_override", row.id, before, _state(row))
    db.session.commit()
    return row


def remove_override(admin, override_id: int) -> None:
    """The county admin removes an override: the day follows the national calendar again."""
    _ensure_admin(admin)
    row = get_scoped(WorkdayOverride, override_id, admin)
    if row is None:
        raise NotAllowed(_("This override is not in your county."))
    _ensure_changeable(row.county_id, row.day)
    before = _state(row)
    db.session.delete(row)
    db.session.flush()
    auditlog.record(admin, "remove_override", "workday_override", override_id, before, None)
    db.session.commit()
