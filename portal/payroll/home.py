"""Home-page items of payrolls: months to generate and returned payrolls (clerk), payrolls to approve and to
pay (township), overdue payrolls (township, county admin and auditor)."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.access import Role, scoped
from portal.core.home import Waiting, provides
from portal.core.i18n import money, month_label
from portal.extensions import db
from portal.payroll import queries, service
from portal.payroll.arrears import overdue
from portal.payroll.models import Payroll
from portal.payroll.rules import PayrollState

MISSING_MONTHS = 3  # the clerk is reminded of the last three ended months


def _count(user, state: PayrollState) -> int:
    return db.session.scalar(scoped(select(func.count(Payroll.id)), Payroll, user).where(
        Payroll.state == state.value)) or 0


SHOWN_ARREARS = 5  # the home page names the longest-overdue payrolls; the arrears page lists them all


def _overdue_item(user) -> Waiting:
    found = overdue(user, service.county_today())
    longest = found[0].delay.overdue_days if found else 0
    details = tuple(
        _("%(village)s %(month)s, %(total)s: %(days)s days overdue, waiting for payment at the township for "
          "%(waiting)s days since approval (village %(village_days)s days, township %(township_days)s days)",
          village=a.payroll.village.name, month=month_label(date(a.payroll.year, a.payroll.month, 1)),
          total=money(a.payroll.total), days=a.delay.overdue_days, waiting=a.delay.payment_days,
          village_days=a.delay.village_days, township_days=a.delay.township_days)
        for a in found[:SHOWN_ARREARS])
    return Waiting(_("Payrolls overdue for payment (longest %(days)s days overdue)", days=longest), len(found),
                   url_for("payroll_pages.arrears"), "danger", details)


@provides(Role.VILLAGE_CLERK)
def clerk_payrolls(user) -> list[Waiting]:
    today = service.county_today()
    months = [queries.add_months(today.year, today.month, -n) for n in range(1, MISSING_MONTHS + 1)]
    have = set(db.session.execute(scoped(select(Payroll.year, Payroll.month), Payroll, user)).tuples())
    missing = sum(1 for ym in months if ym not in have
                  and queries.holder_counts([user.village_id], *ym).get(user.village_id, 0) > 0)
    return [Waiting(_("Ended months without a payroll"), missing, url_for("payroll_pages.index")),
            Waiting(_("Payrolls returned by the township to correct"), _count(user, PayrollState.RETURNED),
                    url_for("payroll_pages.index"), "danger")]


@provides(Role.TOWNSHIP_REVIEWER)
def township_payrolls(user) -> list[Waiting]:
    return [Waiting(_("Payrolls waiting for your approval"), _count(user, PayrollState.SUBMITTED),
                    url_for("payroll_pages.index", _anchor="waiting")),
            Waiting(_("Approved payrolls waiting for payment"), _count(user, PayrollState.APPROVED),
                    url_for("payroll_pages.index", _anchor="waiting"), "info"),
            _overdue_item(user)]


@provides(Role.COUNTY_ADMIN, Role.COUNTY_AUDITOR)
def county_payrolls(user) -> list[Waiting]:
    return [_overdue_item(user)]
