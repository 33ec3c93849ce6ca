"""Monthly reports (月调度/月监测): filing, the months of a workshop with their aided employees, and the
reports missing for a month.

Decisions where domain.md is silent:
- One report per workshop and month (a unique key). Filing a month again replaces its figures (before and
  after in the audit log) until the assessment of that year is approved; then the year is closed.
- Reports are filed for the current month or an ended one, from the month of certification on, never
  for an exited workshop.
- A report is missing for a month when the workshop was one on some day of it, the portal held it by the
  month's end (certified and entered by then), and nobody filed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from portal.core import auditlog
from portal.core.access import scoped
from portal.core.clock import county_today
from portal.core.errors import Conflict, RuleViolation
from portal.core.types import utcnow
from portal.extensions import db
from portal.workshops import checks, queries, rules
from portal.workshops.guards import atomic, ensure_reporter, hold, refuse
from portal.workshops.models import MonthlyReport, Workshop
from portal.workshops.monitoring.service import refresh
from portal.workshops.rules import Month, WorkshopState

REPORT_FIELDS = ("year", "month", "operating", "total_employees", "wages_paid", "output_value", "violation",
                 "violation_note")


def report_for(workshop_id: int, year: int, month: int) -> MonthlyReport | None:
    """The workshop's report of a month, if filed."""
    return db.session.execute(select(MonthlyReport).where(
        MonthlyReport.workshop_id == workshop_id, MonthlyReport.year == year,
        MonthlyReport.month == month)).scalar_one_or_none()


@atomic
def file_report(user, workshop: Workshop, year: int, month: int, data: checks.ReportData,
                today: date | None = None) -> MonthlyReport:
    """The village clerk (or the township reviewer) files a workshop's monthly report: operating or halted,
    total employees, wages paid, output value, violations. The aided employees come from the records. The
    monitoring is refreshed at once (a violation, or the last month of a run, proposes an exit)."""
    today = today or county_today()
    ensure_reporter(user, workshop.village_id)
    hold(workshop)
    if workshop.state == WorkshopState.EXITED:
        raise RuleViolation(_("This workshop has exited (delisted): its records no longer change."),
                            code="workshop_exited")
    valid_month = isinstance(month, int) and 1 <= month <= 12 and isinstance(year, int) and 2000 <= year <= 2100
    aided = len(queries.aided_employees(workshop, year, month)) if valid_month else 0
    refuse(checks.report_problems((year, month), today, workshop.certified_on, queries.exit_day(workshop),
                                  data, aided))
    refuse([checks.closed_year_problem(date(year, month, 1), queries.closed_years(workshop.id))])
    values = {"operating": bool(data.operating), "total_employees": data.total_employees,
              "wages_paid": data.wages_paid, "output_value": data.output_value, "violation": bool(data.violation),
              "violation_note": (data.violation_note or "").strip() if data.violation else ""}
    report = report_for(workshop.id, year, month)
    if report is None:
        report = MonthlyReport(workshop_id=workshop.id, village_id=workshop.village_id, year=year, month=month,
                               filed_by=user.id, **values)
        db.session.add(report)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise Conflict(_("Someone else filed this month's report just now. Reload and try again."),
                           code="report_exists") from None
        auditlog.record(user, "workshop_report.file", "workshop_report", report.id, None,
                        {"workshop_id": workshop.id, "aided": aided, **auditlog.snapshot(report, REPORT_FIELDS)})
    else:
        before = auditlog.snapshot(report, REPORT_FIELDS)
        for name, value in values.items():
            setattr(report, name, value)
        report.updated_by, report.updated_at = user.id, utcnow()
        db.session.flush()
        auditlog.record(user, "workshop_report.refile", "workshop_report", report.id, before,
                        {"aided": aided, **auditlog.snapshot(report, REPORT_FIELDS)})
    refresh(workshop, today)
    db.session.commit()
    return report


@dataclass(frozen=True)
class MonthRow:
    """One month of a workshop: its aided employees on record and its report (None: not filed)."""

    month: Month
    aided: int
    report: MonthlyReport | None


def month_rows(workshop: Workshop, today: date | None = None) -> list[MonthRow]:
    """Every month of the workshop from certification to the current month (or its exit), oldest first:
    the aided employees beside the report, for the report list and the chart of aided employment."""
    today = today or county_today()
    last = rules.month_of(today)
    if workshop.exited_on is not None:
        last = min(last, rules.month_of(queries.active(workshop).end))
    months = rules.months_from(rules.month_of(workshop.certified_on), last)
    aided, reported = queries.aided_counts(workshop, months), queries.reports(workshop.id)
    return [MonthRow(m, aided[m], reported.get(m)) for m in months]


def missing_reports(user, year: int, month: int) -> list[Workshop]:
    """Workshops in the user's scope whose report of the month is due and not filed: still a workshop at some
    day of the month and monitored from that month or earlier."""
    first, last = date(year, month, 1), rules.month_end((year, month))
    filed = select(MonthlyReport.workshop_id).where(MonthlyReport.year == year, MonthlyReport.month == month)
    stmt = scoped(select(Workshop), Workshop, user).where(
        Workshop.certified_on <= last, Workshop.entered_on <= last, Workshop.id.not_in(filed),
        or_(Workshop.exited_on.is_(None), Workshop.exited_on > first)).order_by(Workshop.village_id, Workshop.name)
    return list(db.session.execute(stmt).scalars())
