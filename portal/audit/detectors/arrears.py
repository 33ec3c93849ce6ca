"""拖欠 wage arrears: payrolls approved and left unpaid beyond the payment deadline.

The deadline is Rule 3's, as portal.payroll.arrears has it: the county's `payment_deadline_days` (posts
policy, default 30) in force on the approval date; on the deadline day a payroll is still on time, the day
after it is one day overdue (payroll.rules.is_overdue, payment_delay). Two cases:
- approved and still unpaid today past the deadline (severity high): the wages are being withheld now;
- paid, but later than the deadline (severity medium): the arrears happened and were settled late — a run
  over a past year still shows them.
Facts: days overdue and where the time went (payroll.rules.Delay: month end → submitted, the village;
submitted → approved, the township; approved → paid or today, the payment), the stage it waits in while unpaid.

Subject: the payroll; period: the payroll's month (the run's months). Amount at stake: the payroll's total.
Set-based: one query over the county's approved and paid payrolls of the period.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, day_text, money_text, month_text, village_names
from portal.audit.detectors.money_rules import payment_overdue_days
from portal.audit.detectors.people_common import in_period
from portal.audit.rules import Month, Severity, SubjectType
from portal.extensions import db
from portal.payroll.arrears import county_date, deadline_days
from portal.payroll.models import Payroll
from portal.payroll.rules import payment_delay


def find(scope: Scope):
    rows = db.session.execute(
        select(Payroll.id, Payroll.village_id, Payroll.year, Payroll.month, Payroll.state, Payroll.total,
               Payroll.submitted_at, Payroll.approved_on, Payroll.paid_on)
        .where(Payroll.village_id.in_(county_villages(scope.county_id)), Payroll.state.in_(("approved", "paid")),
               Payroll.approved_on.is_not(None), in_period(scope))
        .order_by(Payroll.year, Payroll.month, Payroll.village_id)).all()
    if not rows:
        return
    names = village_names(scope.county_id)
    deadlines: dict = {}
    for r in rows:
        if r.approved_on not in deadlines:
            deadlines[r.approved_on] = deadline_days(scope.county_id, r.approved_on)
        days = deadlines[r.approved_on]
        paid_on = r.paid_on if r.state == "paid" else None
        if r.state == "paid" and paid_on is None:
            continue
        overdue = payment_overdue_days(r.approved_on, paid_on, scope.today, days)
        if overdue <= 0:
            continue
        submitted_on = min(county_date(r.submitted_at) or r.approved_on, r.approved_on)  # never after approval
        delay = payment_delay(r.year, r.month, submitted_on, r.approved_on, paid_on or scope.today, days)
        month = Month(r.year, r.month)
        facts = {"payroll_id": r.id, "village_id": r.village_id, "village": names.get(r.village_id, ""),
                 "month": str(month), "total": f"{Decimal(r.total):.2f}", "approved_on": r.approved_on.isoformat(),
                 "deadline_days": days, "overdue_days": overdue, "paid_on": paid_on.isoformat() if paid_on else None,
                 "village_days": delay.village_days, "township_days": delay.township_days,
                 "payment_days": delay.payment_days, "stage": "paid_late" if paid_on else "payment"}
        yield Hit(SubjectType.PAYROLL, r.id, month.first, month.last, r.village_id, facts=facts,
                  amount=Decimal(r.total), severity=Severity.MEDIUM if paid_on else Severity.HIGH)


def describe(facts: dict) -> str:
    common = dict(village=facts.get("village", ""), month=month_text(facts.get("month", "2000-01")),
                  total=money_text(facts.get("total", "0")), approved=day_text(facts.get("approved_on", "2000-01-01")),
                  deadline=facts.get("deadline_days", 0), overdue=facts.get("overdue_days", 0))
    if facts.get("paid_on"):
        text = _("The payroll of %(village)s for %(month)s (%(total)s), approved on %(approved)s, was paid on "
                 "%(paid)s: %(overdue)d days after the %(deadline)d-day payment deadline.",
                 paid=day_text(facts["paid_on"]), **common)
    else:
        text = _("The payroll of %(village)s for %(month)s (%(total)s), approved on %(approved)s, is still unpaid "
                 "%(overdue)d days after the %(deadline)d-day payment deadline; it waits for payment.", **common)
    return text + " " + _("Days taken: %(village_days)d by the village to submit after the month ended, "
                          "%(township_days)d by the township to approve, %(payment_days)d from approval to payment "
                          "(or today).",
                          village_days=facts.get("village_days", 0), township_days=facts.get("township_days", 0),
                          payment_days=facts.get("payment_days", 0))


DETECTOR = register(Detector("arrears", _l("Wage arrears"), Severity.HIGH, find, describe,
                             settings=("payment_deadline_days",), subject=SubjectType.PAYROLL))
