"""The demo county's year told in order: every step a dated event, run through the services at its moment.

Each builder (hiring, attendance, payroll, workshops, the audit's planted cases) puts its steps on one
calendar; the story runs them in time order with the portal's clock told the step's moment
(portal.core.clock.told), so every "today" a service checks, every timestamp and every audit-log row carries
the day it happened on, and the audit log reads in the order the county lived it. A step may put later steps
on the calendar (an approval on the first working day after the notice it has just posted). No step lies
after the moment the demo is built.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.rules import Month
from portal.core.calendar import WorkCalendar
from portal.core.clock import county_moment, told
from portal.core.types import utcnow
from portal.extensions import db
from portal.places.models import Township, Village


@dataclass
class Story:
    """The calendar of the demo's steps and what the builders share (see the module's docstring)."""

    county_id: int
    today: date  # the day the demo is built: the story ends on it
    calendar: WorkCalendar
    now: datetime = field(default_factory=utcnow)
    _steps: list = field(default_factory=list)
    _order: itertools.count = field(default_factory=itertools.count)
    _at: datetime | None = None
    # what the planted cases ask of the clerks' attendance (demo_audit → demo_duty)
    mark_rules: list[Callable] = field(default_factory=list)  # (appointment, day) -> a mark, or None
    held_back: dict[int, tuple[date, date, date]] = field(default_factory=dict)  # village: first, last, saved on
    payroll_days: dict[tuple[int, int, int], date] = field(default_factory=dict)  # (village, y, m): submitted on
    corrections: dict[int, list] = field(default_factory=dict)  # village: marks to correct at its next save

    def on(self, day: date, step: Callable[[], object], hour: int = 10, minute: int = 0) -> None:
        """Put `step` on the calendar at `day` `hour`:`minute` (county time), never after the demo's moment."""
        moment = min(county_moment(day, hour, minute), self.now - timedelta(minutes=1))
        if self._at is not None and moment < self._at:
            raise ValueError(f"a step cannot go back in time ({moment} < {self._at})")
        heapq.heappush(self._steps, (moment, next(self._order), step))

    def run(self) -> None:
        """Run the steps in time order (those of one moment in the order they were put on the calendar)."""
        _user_ids.clear()
        try:
            while self._steps:
                moment, _n, step = heapq.heappop(self._steps)
                self._at = moment
                with told(moment):
                    step()
        finally:
            self._at = None
            _user_ids.clear()

    # ---- the county's places and people ------------------------------------------------------------------

    def villages(self) -> list[Village]:
        """The county's villages, township by township in code order."""
        return db.session.execute(select(Village).join(Township, Township.id == Village.township_id).where(
            Township.county_id == self.county_id).order_by(Township.code, Village.code)).scalars().all()

    def village(self, name: str) -> Village:
        return next(v for v in self.villages() if v.name == name)

    def months_back(self, k: int) -> Month | None:
        """The month k months before the demo's (None when it falls before this year: the story's year)."""
        index = Month.of(self.today).index() - k
        month = Month(index // 12, index % 12 + 1)
        return month if month.year == self.today.year else None

    def working_day_from(self, day: date) -> date:
        """`day` if it is a working day, else the next one."""
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return day


_user_ids: dict[tuple, int] = {}  # the demo's users by what they were looked up with; cleared for each story


def user(**where) -> User:
    """The first user (by id) matching `where`: the village's clerk, the township's reviewer, the admin."""
    key = tuple(sorted(where.items()))
    if key not in _user_ids:
        _user_ids[key] = db.session.execute(select(User.id).filter_by(**where).order_by(User.id)).scalars().first()
    return db.session.get(User, _user_ids[key])


def clerk_of(village: Village) -> User:
    return user(village_id=village.id)


def reviewer_of(village: Village) -> User:
    return user(township_id=village.township_id)


def register_person(clerk: User, person, **changes) -> None:
    """The clerk changes a person's entry in the register through the registry service (audited, dated)."""
    from portal.registry import rules, service

    values = {f: getattr(person, f) for f in service.PERSON_FIELDS} | changes
    service.update_person(clerk, person, rules.PersonData(**{k: "" if v is None and k == "note" else v
                                                              for k, v in values.items()}))


def register_household(clerk: User, household, **changes) -> None:
    """The clerk changes a household's entry in the register through the registry service (audited, dated)."""
    from portal.registry import rules, service

    values = {f: getattr(household, f) for f in service.HOUSEHOLD_FIELDS} | changes
    service.update_household(clerk, household, rules.HouseholdData(**values))
