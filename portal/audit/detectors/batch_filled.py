"""福利化 batch-filled attendance: every holder of a village with the same full attendance, day by day, for
`batch_months` (county setting, default 3) or more months in a row — a register filled in as a block to pay
everyone, not kept.

A village month counts when (rules.batch_month):
- it has at least two holders (rules.BATCH_MIN_HOLDERS: a village with one holder has nobody to be identical
  with) and every holder on duty in it (window covering a working day of the month) has marks;
- all of them share one pattern (attendance_months.pattern: the same mark on the same days);
- that pattern is full attendance: nothing but 出勤, on every working day of the month for a full-time post
  (the county calendar), on at least the post's required days for a part-time one (rules.full_attendance).
A holder who joins or leaves mid-month has a pattern of their own that month, so the run breaks there.

Subject: the village; period: the run of months (first to last month of the streak). Runs are followed past
the run's period on both sides (those villages only), so a run over part of a streak names the whole streak,
and a streak touching the run's period is reported whole. The run's length is judged by the setting in force
on its last month's last day. Amount at stake: the duty lines of the village's paid payrolls (submitted,
approved or paid) in those months; a month not yet paid adds nothing.

Set-based: one GROUP BY over the period's attendance_months (the index village, year, month; counts only) keeps
the village months with no mark other than 出勤, a second one over those alone keeps those with one pattern; the
few candidates are then checked against their holders' posts and windows. The marks themselves are never read.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from portal.attendance.models import AttendanceMonth
from portal.attendance.rules import active_window
from portal.attendance.service import ON_DUTY, county_calendar
from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, money_text, month_text, village_names
from portal.audit.detectors.money_rules import BATCH_MIN_HOLDERS, batch_month, full_attendance, month_runs, run_length
from portal.audit.detectors.people_common import PAID_STATES
from portal.audit.rules import Month, Severity, SubjectType, months_between
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.posts.models import Appointment, Post

AM = AttendanceMonth


def _months_clause(first: Month | None, last: Month):
    """Rows of the months first..last (first None: up to last), as year and month conditions (which the planner
    can estimate, unlike a computed month number)."""
    up_to = or_(AM.year < last.year, and_(AM.year == last.year, AM.month <= last.month))
    if first is None:
        return up_to
    return and_(up_to, or_(AM.year > first.year, and_(AM.year == first.year, AM.month >= first.month)))


def _uniform(villages, first: Month | None, last: Month) -> dict[int, dict[Month, tuple[int, str]]]:
    """Village → month → (holders, pattern) of the months (first..last; first None: from the start) in which the
    village's holders (two or more) share one pattern and have no mark but 出勤. Two steps: the counts alone
    (integers: cheap) find the village months with nothing but 出勤; only those read patterns."""
    stmt = (select(AM.village_id, AM.year, AM.month)
            .where(AM.village_id.in_(villages), _months_clause(first, last))
            .group_by(AM.village_id, AM.year, AM.month)
            .having(func.count() >= BATCH_MIN_HOLDERS, func.max(AM.half + AM.leave + AM.absent) == 0))
    present_only: dict[int, set[Month]] = {}
    for village_id, year, month in db.session.execute(stmt):
        present_only.setdefault(village_id, set()).add(Month(year, month))
    found: dict[int, dict[Month, tuple[int, str]]] = {}
    if not present_only:
        return found
    months = set().union(*present_only.values())
    rows = db.session.execute(
        select(AM.village_id, AM.year, AM.month, func.count(), func.min(AM.pattern))
        .where(AM.village_id.in_(list(present_only)), _months_clause(min(months), max(months)))
        .group_by(AM.village_id, AM.year, AM.month)
        .having(func.min(AM.pattern) == func.max(AM.pattern)))
    for village_id, year, month, holders, pattern in rows:
        if Month(year, month) in present_only[village_id]:
            found.setdefault(village_id, {})[Month(year, month)] = (holders, pattern)
    return found


def _present_mask(pattern: str) -> int:
    try:
        return int(pattern[:8], 16)
    except ValueError:
        return 0


def _day_mask(days) -> int:
    mask = 0
    for d in days:
        mask |= 1 << (d.day - 1)
    return mask


def _batch_months(candidates: dict[int, dict[Month, tuple[int, str]]], county_id: int) -> dict[int, dict]:
    """The candidates that are batch months: every holder on duty marked, the shared pattern full for each
    holder's post. Village → month → (holders, present days)."""
    if not candidates:
        return {}
    calendar = county_calendar(county_id)
    working: dict[Month, list[date]] = {}
    holders: dict[tuple[int, Month], list[tuple[str, int | None]]] = {}
    on_duty: dict[tuple[int, Month], int] = {}
    months = {m for per in candidates.values() for m in per}
    lo, hi = min(months), max(months)
    rows = db.session.execute(
        select(Appointment.village_id, Appointment.id, Appointment.state, Appointment.start_date,
               Appointment.end_date, Appointment.exited_on, Post.schedule, Post.required_days)
        .join(Post, Post.id == Appointment.post_id)
        .where(Appointment.village_id.in_(list(candidates)), Appointment.state.in_(ON_DUTY),
               Appointment.start_date <= hi.last, Appointment.end_date >= lo.first))
    for village_id, _id, state, start, end, exited_on, schedule, required in rows:
        window = active_window(state, start, end, exited_on)
        if window is None:
            continue
        for month in candidates[village_id]:
            inside = window.clip(month.first, month.last)
            days = working.setdefault(month, calendar.month_working_days(month.year, month.month))
            if inside is not None and any(d in inside for d in days):
                on_duty[(village_id, month)] = on_duty.get((village_id, month), 0) + 1
                holders.setdefault((village_id, month), []).append((schedule, required))
    result: dict[int, dict] = {}
    for village_id, per in candidates.items():
        for month, (marked, pattern) in per.items():
            mask = _present_mask(pattern)
            present = mask.bit_count()
            wmask = _day_mask(working.setdefault(month, calendar.month_working_days(month.year, month.month)))
            posts = holders.get((village_id, month), [])
            all_full = bool(posts) and all(full_attendance(schedule, mask, present, 0, wmask, required or 0)
                                           for schedule, required in posts)
            unmarked = max(0, on_duty.get((village_id, month), 0) - marked)
            if batch_month(marked, 1, all_full, unmarked):
                result.setdefault(village_id, {})[month] = (marked, present)
    return result


def _pay(village_ids, months: set[Month]) -> dict[tuple[int, Month], Decimal]:
    if not village_ids or not months:
        return {}
    years = sorted({m.year for m in months})
    rows = db.session.execute(
        select(Payroll.village_id, Payroll.year, Payroll.month, func.sum(PayrollLine.amount))
        .join(PayrollLine, PayrollLine.payroll_id == Payroll.id)
        .where(Payroll.village_id.in_(list(village_ids)), Payroll.year.in_(years), Payroll.state.in_(PAID_STATES),
               PayrollLine.kind == "duty")
        .group_by(Payroll.village_id, Payroll.year, Payroll.month))
    return {(v, Month(y, m)): Decimal(total or 0) for v, y, m, total in rows}


def find(scope: Scope):
    villages = county_villages(scope.county_id)
    candidates = _uniform(villages, scope.first, scope.last)
    # streaks reaching the period's edges are followed past them, in those villages only
    edges = [v for v, per in candidates.items() if scope.first in per or scope.last in per]
    if edges:
        for village_id, per in _uniform(edges, None, Month.of(scope.today)).items():
            candidates[village_id] = per
    batches = _batch_months(candidates, scope.county_id)
    runs = []
    for village_id, per in batches.items():
        for first, last in month_runs(per):
            if last < scope.first or first > scope.last:
                continue
            if run_length(first, last) >= scope.policy_on(last.last).batch_months:
                runs.append((village_id, first, last))
    if not runs:
        return
    names = village_names(scope.county_id)
    months = {m for _v, first, last in runs for m in months_between(first, last)}
    pay = _pay({v for v, _f, _l in runs}, months)
    for village_id, first, last in sorted(runs):
        streak = months_between(first, last)
        amount = sum((pay.get((village_id, m), Decimal(0)) for m in streak), Decimal(0))
        per = batches[village_id]
        facts = {"village_id": village_id, "village": names.get(village_id, ""), "first": str(first),
                 "last": str(last), "months": len(streak), "holders": min(per[m][0] for m in streak),
                 "days": [per[m][1] for m in streak], "paid": f"{amount:.2f}",
                 "unpaid_months": sum(1 for m in streak if (village_id, m) not in pay)}
        yield Hit(SubjectType.VILLAGE, village_id, first.first, last.last, village_id, facts=facts, amount=amount)


def describe(facts: dict) -> str:
    text = _("All %(holders)d holders of %(village)s have exactly the same attendance, day by day, in each of the "
             "%(months)d months from %(first)s to %(last)s: full attendance, with no leave and no absence — "
             "attendance filled in as a block. The payrolls of those months paid them %(paid)s.",
             holders=facts.get("holders", 0),
             village=facts.get("village", ""), months=facts.get("months", 0),
             first=month_text(facts.get("first", "2000-01")), last=month_text(facts.get("last", "2000-01")),
             paid=money_text(facts.get("paid", "0")))
    if facts.get("unpaid_months"):
        text += " " + _("%(n)d of those months have no submitted payroll yet.", n=facts["unpaid_months"])
    return text


DETECTOR = register(Detector("batch_filled", _l("Batch-filled attendance"), Severity.MEDIUM, find, describe,
                             settings=("batch_months",), subject=SubjectType.VILLAGE))
