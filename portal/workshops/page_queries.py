"""Read-only helpers of the workshop pages: the register's filters and counts, people to employ, the
county's aided employment by month and its bar chart's geometry. No writes; every query is scoped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.core.access import scoped
from portal.extensions import db
from portal.places.models import Township, Village
from portal.registry.models import Household, Person
from portal.workshops import rules
from portal.workshops.models import Assessment, MonthlyReport, Workshop, WorkshopEmployee, WorkshopExit
from portal.workshops.rules import Month

STATES = ("normal", "watch", "exiting", "exited")
PEOPLE_SHOWN = 30  # a search lists this many people at most


# ---- places and filters -----------------------------------------------------------------------------

def townships_of(user) -> list[Township]:
    return list(db.session.execute(scoped(select(Township), Township, user).order_by(Township.code)).scalars())


def villages_of(user, township_id: int | None = None) -> list[Village]:
    stmt = scoped(select(Village), Village, user).order_by(Village.code)
    if township_id:
        stmt = stmt.where(Village.township_id == township_id)
    return list(db.session.execute(stmt).scalars())


def _filtered(stmt, township_id: int | None, village_id: int | None):
    if village_id:
        stmt = stmt.where(Workshop.village_id == village_id)
    elif township_id:
        stmt = stmt.where(Workshop.village_id.in_(select(Village.id).where(Village.township_id == township_id)))
    return stmt


def register(user, state: str = "", township_id: int | None = None, village_id: int | None = None):
    """The workshops the user may see, filtered, by village and name (a SELECT to page through)."""
    stmt = scoped(select(Workshop), Workshop, user).options(selectinload(Workshop.village))
    if state:
        stmt = stmt.where(Workshop.state == state)
    return _filtered(stmt, township_id, village_id).order_by(Workshop.village_id, Workshop.name, Workshop.id)


def state_counts(user, township_id: int | None = None, village_id: int | None = None) -> dict[str, int]:
    """How many workshops of the user's scope (and filters) are in each monitoring state."""
    stmt = _filtered(scoped(select(Workshop.state, func.count(Workshop.id)), Workshop, user),
                     township_id, village_id).group_by(Workshop.state)
    found = dict(db.session.execute(stmt).tuples().all())
    return {s: found.get(s, 0) for s in STATES}


def page_of(stmt, page: int, size: int):
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.session.execute(stmt.limit(size).offset((max(page, 1) - 1) * size)).scalars().all()
    return rows, total


def user_names(*ids: int | None) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).tuples().all())


# ---- people to employ ---------------------------------------------------------------------------------

def people_to_employ(user, workshop: Workshop, q: str = "") -> list[Person]:
    """Registered people the user may see, alive: a search by name or full resident ID, or else the people
    of the workshop's village, by name."""
    stmt = scoped(select(Person), Person, user).where(Person.deceased.is_(False)).options(
        selectinload(Person.household))
    q = (q or "").strip()
    if q:
        if len(q) == 18 and q[:17].isdigit():
            stmt = stmt.where(Person.id_number == q.upper())
        else:
            stmt = stmt.where(Person.name.contains(q, autoescape=True))
        stmt = stmt.limit(PEOPLE_SHOWN)
    else:
        stmt = stmt.where(Person.village_id == workshop.village_id)
    return list(db.session.execute(stmt.order_by(Person.name, Person.id)).scalars())


def visible_person(user, person_id: int | None) -> Person | None:
    if not isinstance(person_id, int):
        return None
    return db.session.execute(scoped(select(Person), Person, user).where(Person.id == person_id)).scalar_one_or_none()


def visible_people(user, ids) -> set[int]:
    """Which of these people the user may open in the labour register."""
    ids = set(ids)
    if not ids:
        return set()
    return set(db.session.execute(scoped(select(Person.id), Person, user).where(Person.id.in_(ids))).scalars())


def current_workshops(person_ids) -> dict[int, WorkshopEmployee]:
    """Where each of these people works now (an open employment record), if anywhere."""
    ids = set(person_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(WorkshopEmployee).where(
        WorkshopEmployee.person_id.in_(ids), WorkshopEmployee.leave_date.is_(None))
        .options(selectinload(WorkshopEmployee.workshop))).scalars()
    return {r.person_id: r for r in rows}


# ---- monitoring ----------------------------------------------------------------------------------------

def last_months(today: date, n: int = 12) -> list[Month]:
    """The last n ended months, oldest first."""
    last = rules.previous_month(rules.month_of(today))
    months = [last]
    while len(months) < n:
        months.insert(0, rules.previous_month(months[0]))
    return months


def aided_per_workshop(workshops, months: list[Month]) -> dict[tuple[int, Month], int]:
    """The aided employees (月末在岗) of each workshop in each month, from the employment records in one query:
    the count each workshop's report shows."""
    workshops = list(workshops)
    spans = {w.id: rules.active_span(w.certified_on, w.exited_on) for w in workshops}
    counts = {(w, m): 0 for w in spans for m in months}
    if not spans or not months:
        return counts
    first = date(months[0][0], months[0][1], 1)
    from portal.core.clock import county_today
    from portal.workshops.guards import county_of
    from portal.workshops.settings import policy_for

    # Only 脱贫劳动力 count: employees of the households the county counts as aided (one county per page).
    aided = policy_for(county_of(next(iter(workshops)).village_id), county_today()).aided_categories
    rows = db.session.execute(select(WorkshopEmployee.workshop_id, WorkshopEmployee.person_id,
                                     WorkshopEmployee.hire_date, WorkshopEmployee.leave_date)
                              .join(Person, Person.id == WorkshopEmployee.person_id)
                              .join(Household, Household.id == Person.household_id).where(
        WorkshopEmployee.workshop_id.in_(spans), WorkshopEmployee.hire_date <= rules.month_end(months[-1]),
        or_(WorkshopEmployee.leave_date.is_(None), WorkshopEmployee.leave_date >= first),
        Household.category.in_(sorted(aided)))).all()
    jobs: dict[int, list[rules.Employment]] = {}
    for workshop_id, person_id, hired, left in rows:
        jobs.setdefault(workshop_id, []).append(rules.Employment(person_id, rules.Span(hired, left)))
    for workshop_id, employments in jobs.items():
        for m in months:
            counts[(workshop_id, m)] = len(rules.aided_people(employments, m, spans[workshop_id]))
    return counts


def aided_by_month(user, months: list[Month], township_id: int | None = None) -> dict[Month, int]:
    """The aided employees of the user's workshops in each month, summed over the workshops."""
    if not months:
        return {}
    workshops = db.session.execute(_filtered(scoped(select(Workshop), Workshop, user), township_id, None)
                                   .where(Workshop.certified_on <= rules.month_end(months[-1]))).scalars().all()
    totals = Counter({m: 0 for m in months})
    for (_workshop, month), n in aided_per_workshop(workshops, months).items():
        totals[month] += n
    return dict(totals)


def reports_of_month(workshop_ids, month: Month) -> dict[int, MonthlyReport]:
    ids = set(workshop_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(MonthlyReport).where(
        MonthlyReport.workshop_id.in_(ids), MonthlyReport.year == month[0], MonthlyReport.month == month[1]))
    return {r.workshop_id: r for r in rows.scalars()}


def open_exits(workshop_ids) -> dict[int, WorkshopExit]:
    """The open exit (proposed, in notice or approved) of each of these workshops."""
    ids = set(workshop_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(WorkshopExit).where(
        WorkshopExit.workshop_id.in_(ids),
        WorkshopExit.state.in_([str(s) for s in rules.OPEN_EXIT_STATES])).order_by(WorkshopExit.id)).scalars()
    return {r.workshop_id: r for r in rows}


def notice_ended_clause(today: date):
    """In notice and the notice over: the county admin may approve or reject."""
    return (WorkshopExit.state == "in_notice") & (WorkshopExit.notice_end < today)


def exits_query(user, state: str = "", notice_ended_on: date | None = None):
    """The exits the user may see, newest first; a state; only those whose notice ended before a day."""
    stmt = scoped(select(WorkshopExit), WorkshopExit, user).options(
        selectinload(WorkshopExit.workshop).selectinload(Workshop.village))
    if state:
        stmt = stmt.where(WorkshopExit.state == state)
    if notice_ended_on is not None:
        stmt = stmt.where(notice_ended_clause(notice_ended_on))
    return stmt.order_by(WorkshopExit.id.desc())


def assessments_of(workshop_id: int) -> list[Assessment]:
    return list(db.session.execute(select(Assessment).where(Assessment.workshop_id == workshop_id)
                                   .order_by(Assessment.year.desc())).scalars())


def household_numbers(people: list[Person]) -> dict[int, str]:
    ids = {p.household_id for p in people}
    if not ids:
        return {}
    return dict(db.session.execute(select(Household.id, Household.number).where(Household.id.in_(ids))).tuples())


# ---- the bar chart ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    month: Month
    value: int


@dataclass(frozen=True)
class Chart:
    """A bar per month: drawn in the browser by ECharts (static/js/charts.js) from the page's JSON block, and
    listed as a table for screen readers, print and browsers without script."""

    bars: tuple[Bar, ...]

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)

    @property
    def peak(self) -> int:
        return max((b.value for b in self.bars), default=0)

    def figures(self, name, short_label, long_label) -> dict:
        """The JSON block the chart is drawn from: the series name, month labels (short for the axis, long for
        the tooltip) and values."""
        return {"name": str(name), "months": [short_label(b.month) for b in self.bars],
                "long": [long_label(b.month) for b in self.bars], "values": [b.value for b in self.bars]}


def bar_chart(values: dict[Month, int]) -> Chart:
    """The bars of a chart by month, in the order given."""
    return Chart(tuple(Bar(month, value) for month, value in values.items()))
