"""The clerk's attendance pages as data: the day list (phone) and the month grid (desk).

Each page loads its month in a handful of queries (holders, the marks between two days, the locks, the
county calendar, the names of who set late marks), never one per cell. What a page shows for each cell
comes from Rule 3 (rules.mark_refusal): a refused cell is read-only and carries its sentence.

A posted grid is read and filled in grid_posted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.attendance import labels as alabels
from portal.attendance import overrides, service
from portal.attendance.overrides import DayInfo
from portal.attendance.rules import (
    KEYS,
    SYMBOL,
    Mark,
    Refusal,
    Tally,
    UnknownMark,
    Window,
    late_change,
    mark_refusal,
    parse_mark,
    tally,
)
from portal.attendance.rules import (
    required_days as required_month_days,
)
from portal.core.i18n import _locale, date_label, datetime_label
from portal.extensions import db
from portal.places.models import Village
from portal.posts.models import Appointment

MARK_OF_SYMBOL = {symbol: Mark(mark) for mark, symbol in SYMBOL.items()}


def key_symbols() -> dict[str, str]:
    """What the grid's keyboard accepts (rules.KEYS), as the symbol each key becomes."""
    shown = alabels.symbols()
    return {key: shown[mark] for key, mark in KEYS.items()}


def refusal_sentence(code: str | None, day: date, window: Window | None) -> str:
    return service.refusal_text(code, day, window) if code else ""


# ---- the day view ---------------------------------------------------------------------------------


@dataclass
class DayRow:
    appointment: Appointment
    mark: str | None
    refusal: str | None
    reason: str


@dataclass
class DayPage:
    day: date
    today: date
    info: DayInfo
    rows: list[DayRow]
    refusal: str | None  # the whole day is refused: future or locked
    reason: str

    @property
    def marked(self) -> int:
        return sum(1 for r in self.rows if r.mark)

    @property
    def previous(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next(self) -> date | None:
        return self.day + timedelta(days=1) if self.day < self.today else None


def day_page(village_id: int, day: date, today: date) -> DayPage:
    """The village's holders on duty on `day`, each with their mark and whether it may change."""
    locked = service.locked_months(village_id)
    marks = service.marks_between(village_id, day, day)
    rows = []
    for appointment in service.holders(village_id, day, day):
        window = service.window_of(appointment)
        refusal = mark_refusal(day, today, window, locked)
        stored = marks.get(appointment.id, {}).get(day)
        rows.append(DayRow(appointment, stored.mark if stored else None, refusal,
                           refusal_sentence(refusal, day, window)))
    whole = Refusal.FUTURE if day > today else Refusal.LOCKED if (day.year, day.month) in locked else None
    info = overrides.describe_days(service.county_of_village(village_id), day, day, _locale())[0]
    return DayPage(day, today, info, rows, whole, refusal_sentence(whole, day, None))


def day_counts(village_id: int, day: date) -> tuple[int, int]:
    """(marked, holders) of the village on `day`, for the day view's counter after a tap."""
    ids = {a.id for a in service.holders(village_id, day, day)}
    marks = service.marks_between(village_id, day, day)
    return sum(1 for a in ids if day in marks.get(a, {})), len(ids)


def unmarked_today(village_id: int, today: date) -> int:
    marked, holders = day_counts(village_id, today)
    return holders - marked


# ---- the month grid -------------------------------------------------------------------------------


@dataclass
class GridCell:
    day: date
    value: str  # what the input shows: the typed text after a refused save, else the stored symbol
    stored: str  # the stored symbol ("" for no mark)
    refusal: str | None
    reason: str
    late: str = ""  # "set after the day by … on …"
    problem: str = ""  # the sentence of a refused save
    css: str = ""  # the cell's classes: day kind, read-only, outside the window, late, refused, changed
    tip: str = ""  # its title: the problem, the reason, who set it late
    why: str = ""  # the id of the element that explains it (aria-describedby)

    @property
    def changed(self) -> bool:
        return self.value != self.stored


@dataclass
class GridRow:
    appointment: Appointment
    window: Window | None
    cells: list[GridCell]
    tally: Tally
    required: int

    @property
    def id(self) -> int:
        return self.appointment.id


@dataclass
class MonthData:
    """Everything the grid of one village month needs, loaded once."""

    village: Village
    year: int
    month: int
    today: date
    days: list[DayInfo]
    holders: list[Appointment]
    marks: dict[int, dict[date, object]]
    locked: set[tuple[int, int]]
    names: dict[int, str]

    @property
    def start(self) -> date:
        return self.days[0].day

    @property
    def working_days(self) -> int:
        return sum(1 for d in self.days if d.working)

    @property
    def is_locked(self) -> bool:
        return (self.year, self.month) in self.locked

    @property
    def month_text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def prev_text(self) -> str:
        return f"{self.year - 1:04d}-12" if self.month == 1 else f"{self.year:04d}-{self.month - 1:02d}"

    @property
    def next_text(self) -> str:
        return f"{self.year + 1:04d}-01" if self.month == 12 else f"{self.year:04d}-{self.month + 1:02d}"


@dataclass
class MonthGrid:
    data: MonthData
    rows: list[GridRow]
    editable: bool
    problems: list[tuple[str, str]] = field(default_factory=list)  # (element id, refused cell in words)

    def __getattr__(self, name):  # the month's facts (days, village, locks…) read through to its data
        if name == "data":
            raise AttributeError(name)
        return getattr(self.data, name)


def load_month(village: Village, year: int, month: int, today: date) -> MonthData:
    start, end = service.month_bounds(year, month)
    county = service.county_of_village(village.id)
    marks = service.marks_between(village.id, start, end)
    setters = {m.set_by for days in marks.values() for m in days.values() if m.set_by is not None}
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(setters))).all()) \
        if setters else {}
    return MonthData(village, year, month, today, overrides.describe_days(county, start, end, _locale()),
                     service.holders(village.id, start, end), marks, service.locked_months(village.id), names)


def days_text(days: Decimal) -> str:
    """Duty days as the grid shows them: 21, 20.5."""
    return format(days.normalize(), "f")


def required_days(appointment: Appointment, working_days: int) -> int:
    """R of the month for the holder's post (attendance.rules.required_days, as the payroll computes it)."""
    post = appointment.post
    return required_month_days(post.schedule, working_days, post.required_days)


def assemble(data: MonthData, editable: bool, typed: Mapping[tuple[int, int], str] | None = None,
             problems: Mapping[tuple[int, date], str] | None = None) -> MonthGrid:
    """The grid to show: stored marks (or the typed text), each cell's refusal, late marks, totals.
    Sentences are built once per distinct value (an 80 × 31 grid repeats a few dozen of them)."""
    typed, problems = typed or {}, problems or {}
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    sentences: dict[tuple, str] = {}

    local_dates: dict = {}  # when a mark was saved → the county's date then (a month's marks share a few)
    late: dict[tuple, str] = {}

    def late_text(day: date, stored) -> str:
        """ "" for a mark saved on its day (or before), else who set it and when."""
        local = local_dates.get(stored.set_at)
        if local is None:
            local = local_dates[stored.set_at] = stored.set_at.astimezone(zone).date()
        if not late_change(day, local):
            return ""
        key = (stored.set_by, stored.set_at)
        text = late.get(key)
        if text is None:
            when = stored.set_at.replace(second=0, microsecond=0)
            text = late[key] = sentence(("late", stored.set_by, when), None, None)
        return text

    def sentence(code, day, window) -> str:
        key = (code, day if code != Refusal.LOCKED else (day.year, day.month), window)
        if key not in sentences:
            if isinstance(code, tuple):  # a late mark: who set it and when
                sentences[key] = _("Set after the day by %(who)s on %(when)s",
                                   who=data.names.get(code[1], "?"), when=datetime_label(code[2]))
            else:
                sentences[key] = refusal_sentence(code, day, window)
        return sentences[key]

    rows = []
    days = [(info, info.day, info.day.day) for info in data.days]
    shown_symbol = alabels.symbols()  # in the reader's language
    for appointment in data.holders:
        aid = appointment.id
        window = service.window_of(appointment)
        stored_marks = data.marks.get(aid, {})
        cells, shown = [], {}
        for info, day, dom in days:
            stored = stored_marks.get(day)
            symbol = shown_symbol.get(stored.mark, "") if stored is not None else ""
            value = _shown(typed[(aid, dom)], symbol) if (aid, dom) in typed else symbol
            refusal = mark_refusal(day, data.today, window, data.locked)
            cell = GridCell(day, value, symbol, refusal, sentence(refusal, day, window) if refusal else "",
                            problem=problems.get((aid, day), "") if problems else "")
            if stored is not None:
                cell.late = late_text(day, stored)
            _decorate(cell, info, aid)
            if value:
                mark = MARK_OF_SYMBOL.get(value) or _mark_of(value)
                if mark is not None:
                    shown[day] = mark
            cells.append(cell)
        rows.append(GridRow(appointment, window, cells, tally(shown, window),
                            required_days(appointment, data.working_days)))
    named = []
    by_id = {r.id: r for r in rows}
    for (appointment_id, day), message in sorted(problems.items()):
        row = by_id.get(appointment_id)
        who = row.appointment.person.name if row else f"#{appointment_id}"
        named.append((f"p{appointment_id}_{day.day}",
                      _("%(name)s, %(day)s: %(problem)s", name=who, day=date_label(day), problem=message)))
    return MonthGrid(data, rows, editable, named)


WHY = {Refusal.FUTURE: "why-future", Refusal.LOCKED: "why-locked"}


def _decorate(cell: GridCell, info: DayInfo, appointment_id: int) -> None:
    """The cell's classes, title and explanation id, worked out once here rather than in the template."""
    if cell.problem:
        css = [f"k-{info.kind}", *(["out"] if cell.refusal == Refusal.OUTSIDE_WINDOW else []),
               *(["late"] if cell.late else []), "bad", *(["chg"] if cell.value != cell.stored else [])]
        cell.css = " ".join(css)
        cell.tip = " · ".join(t for t in (cell.problem, cell.reason, cell.late) if t)
        cell.why = f"p{appointment_id}_{cell.day.day}"
        return
    cell.css, cell.tip, why = _decoration(info.kind, cell.refusal, cell.reason, cell.late, cell.value != cell.stored)
    cell.why = f"w{appointment_id}" if why == "w" else why


@lru_cache(maxsize=4096)
def _decoration(kind: str, refusal: str | None, reason: str, late: str, changed: bool) -> tuple[str, str, str]:
    """(classes, title, explanation id or "w" for the holder's window) of a cell without a refused save: a
    month repeats a few dozen combinations across its 2 400 cells."""
    css = [f"k-{kind}"]
    if refusal:
        css.append("ro")
    if refusal == Refusal.OUTSIDE_WINDOW:  # earns nothing: the live totals skip it
        css.append("out")
    if late:
        css.append("late")
    if changed:
        css.append("chg")
    why = WHY.get(refusal, "w") if refusal else ""
    return " ".join(css), " · ".join(t for t in (reason, late) if t), why


def _shown(typed: str | None, stored_symbol: str) -> str:
    if typed is None:
        return stored_symbol
    try:
        mark = parse_mark(typed)
    except UnknownMark:
        return typed.strip()[:4]
    return alabels.symbol(mark) if mark is not None else ""


def _mark_of(value: str) -> Mark | None:
    try:
        return parse_mark(value)
    except UnknownMark:
        return None
