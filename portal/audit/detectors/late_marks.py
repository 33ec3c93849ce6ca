"""补录 late marks: marks saved more than `late_mark_days` (county setting, default 7) days after the day they
record. A mark saved exactly that many days later is in time; one day more is late (rules.is_late). A village
that enters a whole month after it ended was not keeping attendance.

The save delay of every mark is in its holder-month summary (attendance_months.delays, the histogram
"days:count,…" of county save date − marked day, written with every save), so the marks are never read.

Subject: the village; period: the month of the marks. Severity: low; high when most of the month's marks (more
than half) were late. The setting in force on the month's last day applies. Facts: late marks of all marks,
how many holders had late marks, the longest delay. Amount at stake: the month's paid payroll (submitted,
approved or paid) in the share of its marks that were saved late (rules.late_share); a month not yet paid has
none. Marks of exited holders and of holders who joined mid-month count like any others: the delay is the
fact, whatever the window.

Set-based, per threshold (one, unless the setting changed within the period): one GROUP BY over the period's
summaries, integers only, counts the marks of the rows with a late mark as late; a second query fetches the late
rows whose shortest delay (the histogram's first entry: it is kept in ascending order) is in time, and their
timely prefix, read in Python, is taken off.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, false, func, or_, select

from portal.attendance.models import AttendanceMonth
from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, money_text, month_text, village_names
from portal.audit.detectors.money_rules import late_share, mostly_late, timely_count
from portal.audit.detectors.people_common import PAID_STATES, in_period
from portal.audit.rules import Month, Severity, SubjectType, months_between
from portal.extensions import db
from portal.payroll.models import Payroll

AM = AttendanceMonth
MARKS = AM.present + AM.half + AM.leave + AM.absent


def _starts_in_time(threshold: int):
    """A summary row whose shortest delay (its histogram's first entry) is at most `threshold` days, read off the
    text's head: "0:" … "7:" (a GLOB "[0-7]:*" on SQLite for a threshold below 10), "10:" … for longer ones."""
    if db.session.get_bind().dialect.name == "sqlite" and 0 <= threshold <= 9:
        return AM.delays.op("GLOB")(f"[0-{threshold}]:*")
    heads = []
    for digits in range(1, len(str(max(threshold, 0))) + 1):
        low = 0 if digits == 1 else 10 ** (digits - 1)
        high = min(threshold, 10 ** digits - 1)
        if low <= high:
            heads.append(func.substr(AM.delays, 1, digits + 1).in_([f"{d}:" for d in range(low, high + 1)]))
    return or_(*heads) if heads else false()


def _joined(column):
    """A group's values ';'-joined (group_concat / string_agg)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.string_agg(column, ";")
    return func.group_concat(column, ";")


def _in_months(months: list[Month]):
    """The rows of these months, as year and month conditions (which the planner can estimate)."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for m in months:
        by_year[m.year].append(m.month)
    return or_(*(and_(AM.year == year, AM.month.in_(ms)) for year, ms in sorted(by_year.items())))


def _months_by_threshold(scope: Scope) -> dict[int, list[Month]]:
    by: dict[int, list[Month]] = defaultdict(list)
    for month in months_between(scope.first, scope.last):
        by[scope.policy_on(month.last).late_mark_days].append(month)
    return by


def find(scope: Scope):
    villages = county_villages(scope.county_id)
    found: dict[tuple[int, Month], dict] = {}
    for threshold, months in _months_by_threshold(scope).items():
        period = (AM.village_id.in_(villages), _in_months(months))
        late_row = AM.max_delay > threshold
        rows = db.session.execute(  # integers only: cheap on both databases
            select(AM.village_id, AM.year, AM.month, func.sum(MARKS), func.sum(case((late_row, MARKS), else_=0)),
                   func.sum(case((late_row, 1), else_=0)), func.max(AM.max_delay))
            .where(*period).group_by(AM.village_id, AM.year, AM.month).having(func.max(AM.max_delay) > threshold))
        for village_id, year, month, total, late, holders, longest in rows:
            found[(village_id, Month(year, month))] = {"total": int(total or 0), "late": int(late or 0),
                                                       "holders": int(holders or 0), "longest": int(longest or 0),
                                                       "threshold": threshold}
        # a late row whose shortest delay is in time has timely marks too: those are taken off
        for village_id, year, month, joined in db.session.execute(
                select(AM.village_id, AM.year, AM.month, _joined(AM.delays))
                .where(*period, late_row, _starts_in_time(threshold))
                .group_by(AM.village_id, AM.year, AM.month)):
            found[(village_id, Month(year, month))]["late"] -= sum(timely_count(d, threshold)
                                                                   for d in joined.split(";"))
    if not found:
        return
    names = village_names(scope.county_id)
    payrolls = {(v, Month(y, m)): (pid, Decimal(total or 0)) for pid, v, y, m, total in db.session.execute(
        select(Payroll.id, Payroll.village_id, Payroll.year, Payroll.month, Payroll.total)
        .where(Payroll.village_id.in_(villages), Payroll.state.in_(PAID_STATES), in_period(scope)))}
    for (village_id, month), f in sorted(found.items()):
        if f["late"] <= 0:
            continue
        payroll_id, pay = payrolls.get((village_id, month), (None, Decimal(0)))
        amount = late_share(pay, f["late"], f["total"])
        facts = {"village_id": village_id, "village": names.get(village_id, ""), "month": str(month),
                 "late": f["late"], "total": f["total"], "holders": f["holders"], "longest": f["longest"],
                 "threshold": f["threshold"], "payroll_id": payroll_id, "paid": f"{pay:.2f}"}
        severity = Severity.HIGH if mostly_late(f["late"], f["total"]) else Severity.LOW
        yield Hit(SubjectType.VILLAGE, village_id, month.first, month.last, village_id, facts=facts,
                  amount=amount, severity=severity)


def describe(facts: dict) -> str:
    text = _("In %(village)s, %(late)d of the %(total)d attendance marks of %(month)s (%(holders)d holders) were "
             "saved more than %(days)d days after the day they record, the latest %(longest)d days after.",
             village=facts.get("village", ""), late=facts.get("late", 0), total=facts.get("total", 0),
             month=month_text(facts.get("month", "2000-01")), holders=facts.get("holders", 0),
             days=facts.get("threshold", 0), longest=facts.get("longest", 0))
    if facts.get("payroll_id"):
        text += " " + _("The month's payroll paid %(paid)s on these records.", paid=money_text(facts.get("paid", "0")))
    return text


DETECTOR = register(Detector("late_marks", _l("Late attendance marks"), Severity.LOW, find, describe,
                             settings=("late_mark_days",), subject=SubjectType.VILLAGE))
