"""Checks of what users type about workshops (employment records, monthly reports, exit approvals):
pure, no flask, no database. Each returns a list of `Problem(field, code, params)`; the service turns
the codes into sentences (workshops.labels.problem_text).

Decisions where domain.md is silent:
- Hire dates may lie before the workshop's certification (the enterprise already employed the person),
  never in the future, never on or after the workshop's exit date. The leave date is the last day at
  work and may lie in the future (a notice given).
- Monthly reports may be filed for the current month and ended months since the month of certification,
  never for months from the exit date on. An operating workshop may not report fewer total employees
  than the aided employees on record that month. A violation needs a note.
- Once the assessment of a year is approved, nothing that feeds it changes any more: no report of that
  year or an earlier one, no employment day in it (`closed_year_problem`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.registry.rules import Problem
from portal.workshops.rules import (
    MAX_EMPLOYEES,
    MAX_MONEY,
    InvalidCreditCode,
    Month,
    is_money,
    month_of,
    parse_credit_code,
)

MAX_WAGE = Decimal("1000000")
MAX_NOTE = 2000


def employment_problems(hire_date: date, leave_date: date | None, wage: Decimal, today: date,
                        exited_on: date | None) -> list[Problem]:
    """An employment record: hired by today and before the workshop's exit date, left no earlier than
    hired, a monthly wage above 0 in whole fen."""
    problems = []
    if not isinstance(hire_date, date):
        problems.append(Problem("hire_date", "required"))
    elif hire_date > today:
        problems.append(Problem("hire_date", "hire_in_future"))
    elif exited_on is not None and hire_date >= exited_on:
        problems.append(Problem("hire_date", "after_exit", (("day", exited_on.isoformat()),)))
    if leave_date is not None and isinstance(hire_date, date) and leave_date < hire_date:
        problems.append(Problem("leave_date", "leave_before_hire"))
    if not is_money(wage) or wage <= 0 or wage > MAX_WAGE:
        problems.append(Problem("monthly_wage", "wage"))
    return problems


@dataclass(frozen=True)
class ReportData:
    """What a monthly report (月调度) says; the aided employees are derived from the records, never typed."""

    operating: bool
    total_employees: int
    wages_paid: Decimal
    output_value: Decimal
    violation: bool = False
    violation_note: str = ""


def report_problems(month: Month, today: date, certified_on: date, exited_on: date | None, data: ReportData,
                    aided: int) -> list[Problem]:
    """A monthly report: for the current or an ended month since certification and before the exit;
    counts and money not negative; an operating workshop's total at least its aided employees; a
    violation described."""
    problems = []
    year, m = month
    if not isinstance(year, int) or not isinstance(m, int) or not 1 <= m <= 12 or not 2000 <= year <= 2100:
        problems.append(Problem("month", "no_month"))
    elif date(year, m, 1) > today:
        problems.append(Problem("month", "future_month"))
    elif month < month_of(certified_on):
        problems.append(Problem("month", "before_certified", (("day", certified_on.isoformat()),)))
    elif exited_on is not None and date(year, m, 1) >= exited_on:
        problems.append(Problem("month", "after_exit", (("day", exited_on.isoformat()),)))
    total = data.total_employees
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= MAX_EMPLOYEES:
        problems.append(Problem("total_employees", "count"))
    elif data.operating and total < aided:
        problems.append(Problem("total_employees", "total_below_aided", (("aided", str(aided)),)))
    for name in ("wages_paid", "output_value"):
        value = getattr(data, name)
        if not is_money(value) or value < 0 or value > MAX_MONEY:
            problems.append(Problem(name, "money"))
    note = (data.violation_note or "").strip()
    if data.violation and not note:
        problems.append(Problem("violation_note", "violation_note_required"))
    elif len(note) > MAX_NOTE:
        problems.append(Problem("violation_note", "too_long", (("max", str(MAX_NOTE)),)))
    return problems


def closed_year_problem(first_changed: date, closed_years: Iterable[int]) -> Problem | None:
    """A change reaching back to `first_changed` is refused when an approved assessment covers that year
    or a later one (its figures are final)."""
    closed = [y for y in closed_years if y >= first_changed.year]
    if closed:
        return Problem("year", "year_closed", (("year", str(max(closed))),))
    return None


def approval_problems(today: date, notice_end_day: date | None, effective_on: date | None) -> list[Problem]:
    """The county admin approves an exit only after its notice has ended, effective that day or later."""
    problems = []
    if notice_end_day is None or today <= notice_end_day:
        ends = notice_end_day.isoformat() if notice_end_day else ""
        problems.append(Problem("notice", "notice_running", (("ends", ends),)))
    if not isinstance(effective_on, date):
        problems.append(Problem("effective_on", "required"))
    elif effective_on < today:
        problems.append(Problem("effective_on", "effective_past"))
    return problems


def text_problem(field: str, value: str, *, required: bool = True, max_len: int = MAX_NOTE) -> Problem | None:
    """A free text: present when required, not longer than `max_len`."""
    text = (value or "").strip()
    if required and not text:
        return Problem(field, "required")
    if len(text) > max_len:
        return Problem(field, "too_long", (("max", str(max_len)),))
    return None


@dataclass(frozen=True)
class WorkshopData:
    """What the county admin types when certifying or editing a workshop (the credit code as typed)."""

    name: str
    enterprise: str
    credit_code: str
    address: str
    industry: str
    certified_on: date
    accident_insurance: bool = False
    other_employees: int = 0


LIMITS = {"name": 80, "enterprise": 100, "address": 200, "industry": 60}


def workshop_problems(data: WorkshopData, today: date) -> list[Problem]:
    """A workshop's fields: texts present and not too long, the credit code valid (stdnum.cn.uscc), certified
    by today, a count of other employees 0 or more."""
    problems: list[Problem | None] = [text_problem(f, getattr(data, f), max_len=n) for f, n in LIMITS.items()]
    try:
        parse_credit_code(data.credit_code)
    except InvalidCreditCode as err:
        problems.append(Problem("credit_code", f"credit_code_{err.reason}"))
    if not isinstance(data.certified_on, date):
        problems.append(Problem("certified_on", "required"))
    elif data.certified_on > today:
        problems.append(Problem("certified_on", "certified_in_future"))
    count = data.other_employees
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_EMPLOYEES:
        problems.append(Problem("other_employees", "count"))
    return [p for p in problems if p is not None]
