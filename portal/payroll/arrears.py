"""Wage arrears (拖欠): approved payrolls still unpaid past the county's payment deadline, and where they waited.

Decisions where domain.md is silent:
- The deadline is the county's `payment_deadline_days` in force on the approval date (a later change
  of the setting does not move a deadline already running). On the deadline day itself a payroll is
  not yet overdue; the day after it is, by one day.
- Submission and approval dates are the county's calendar dates; a payroll returned and resubmitted
  counts its village stage up to the last submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.core.access import scoped
from portal.core.clock import DEFAULT_ZONE
from portal.extensions import db
from portal.payroll.models import Payroll
from portal.payroll.rules import Delay, PayrollState, is_overdue, payment_delay
from portal.places.models import Township, Village


@dataclass(frozen=True)
class Arrear:
    """An overdue payroll, its deadline and its delay split by stage."""

    payroll: Payroll
    deadline: date  # the last day to pay on time
    delay: Delay


def county_date(ts: datetime | None) -> date | None:
    """A stored UTC timestamp as the county's calendar date."""
    if ts is None:
        return None
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ts.astimezone(ZoneInfo(zone)).date()


def deadline_days(county_id: int, day: date) -> int:
    """The county's payment deadline (days after approval) in force on `day`."""
    from portal.posts.settings import policy_for

    return policy_for(county_id, day).payment_deadline_days


def overdue(user, today: date) -> list[Arrear]:
    """The approved, unpaid payrolls of the user's scope that are past their payment deadline, longest
    overdue first."""
    stmt = (scoped(select(Payroll, Township.county_id), Payroll, user)
            .join(Village, Village.id == Payroll.village_id).join(Township, Township.id == Village.township_id)
            .where(Payroll.state == PayrollState.APPROVED.value, Payroll.approved_on.is_not(None))
            .options(joinedload(Payroll.village)))
    cache: dict[tuple[int, date], int] = {}
    found = []
    for payroll, county_id in db.session.execute(stmt):
        key = (county_id, payroll.approved_on)
        if key not in cache:
            cache[key] = deadline_days(county_id, payroll.approved_on)
        days = cache[key]
        if not is_overdue(payroll.approved_on, today, days):
            continue
        submitted_on = county_date(payroll.submitted_at) or payroll.approved_on
        found.append(Arrear(payroll, payroll.approved_on + timedelta(days=days),
                            payment_delay(payroll.year, payroll.month, submitted_on, payroll.approved_on, today, days)))
    found.sort(key=lambda a: (-a.delay.overdue_days, a.payroll.village.name, a.payroll.id))
    return found
