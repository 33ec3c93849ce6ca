"""Home-page items of payrolls: the month to pay, months to generate and returned payrolls (clerk), payrolls to
approve and to pay, oldest first (township), villages without last month's payroll and overdue payrolls
(county)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.access import Role, scoped
from portal.core.clock import county_date
from portal.core.home import Waiting, days_waiting, provides
from portal.core.i18n import money, month_label
from portal.extensions import db
from portal.payroll import queries, service
from portal.payroll.arrears import overdue
from portal.payroll.models import Payroll
from portal.payroll.rules import PayrollState

SHOWN = 3  # the home page links the longest-waiting payrolls; the list has them all


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


# ---- the clerk ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthToPay:
    """The clerk's payroll of the last ended month: its state (None: not generated) and where to act."""

    year: int
    month: int
    payroll: Payroll | None
    holders: int  # appointments on duty in the month: none means no payroll is needed

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def url(self) -> str:
        if self.payroll is not None:
            return url_for("payroll_pages.detail", payroll_id=self.payroll.id)
        return url_for("payroll_pages.index", _anchor=f"month-{self.year}-{self.month:02d}")


def month_to_pay(user, today: date) -> MonthToPay:
    """The village's payroll of the month that ended last (generated from the first day of this month)."""
    year, month = queries.add_months(today.year, today.month, -1)
    payroll = db.session.execute(scoped(select(Payroll), Payroll, user).where(
        Payroll.year == year, Payroll.month == month)).scalar_one_or_none()
    holders = queries.holder_counts([user.village_id], year, month).get(user.village_id, 0) if payroll is None else 0
    return MonthToPay(year, month, payroll, holders)


@provides(Role.VILLAGE_CLERK)
def clerk_payrolls(user) -> list[Waiting]:
    missing = len(queries.missing_months(user, service.county_today()))
    return [Waiting(_("Ended months without a payroll"), missing, url_for("payroll_pages.index", state="missing")),
            Waiting(_("Payrolls returned by the township to correct"), _count(user, PayrollState.RETURNED),
                    url_for("payroll_pages.index", state=PayrollState.RETURNED.value), "danger")]


# ---- the township -------------------------------------------------------------------------------------


def _queue_item(user, state: PayrollState, order, since_day, label: str, level: str, today: date) -> Waiting:
    """Payrolls of the township in `state`, the oldest (by `order`) linked with the days waited since `since_day`."""
    count = db.session.scalar(scoped(select(func.count(Payroll.id)), Payroll, user).where(
        Payroll.state == state.value)) or 0
    oldest = db.session.execute(scoped(select(Payroll), Payroll, user).where(Payroll.state == state.value)
                                .order_by(order, Payroll.id).limit(SHOWN)).scalars().all() if count else []
    links = tuple((_("%(village)s %(month)s, %(total)s: waiting %(days)d days", village=p.village.name,
                     month=month_label(date(p.year, p.month, 1)), total=money(p.total),
                     days=days_waiting(since_day(p), today)),
                   url_for("payroll_pages.detail", payroll_id=p.id)) for p in oldest)
    return Waiting(label, count, url_for("payroll_pages.index", waiting=state.value, _anchor="waiting"), level,
                   oldest_days=days_waiting(since_day(oldest[0]), today) if oldest else None, links=links)


@provides(Role.TOWNSHIP_REVIEWER)
def township_payrolls(user) -> list[Waiting]:
    today = service.county_today()
    return [_queue_item(user, PayrollState.SUBMITTED, Payroll.submitted_at, lambda p: county_date(p.submitted_at),
                        _("Payrolls waiting for your approval"), "warning", today),
            _queue_item(user, PayrollState.APPROVED, Payroll.approved_on, lambda p: p.approved_on,
                        _("Approved payrolls waiting for payment"), "info", today),
            _overdue_item(user)]


# ---- the county -----------------------------------------------------------------------------------------


@provides(Role.COUNTY_ADMIN)
def villages_without_payroll(user) -> list[Waiting]:
    """Villages with holders on duty last month and no payroll for it (the month has ended)."""
    today = service.county_today()
    year, month = queries.add_months(today.year, today.month, -1)
    due = queries.villages_due(user, year, month)
    return [Waiting(_("Villages with holders on duty but no payroll for %(month)s", month=month_label(
        date(year, month, 1))), len(due), url_for("payroll_pages.index", month=f"{year}-{month:02d}", state="due"))]


@provides(Role.COUNTY_ADMIN, Role.COUNTY_AUDITOR)
def county_payrolls(user) -> list[Waiting]:
    return [_overdue_item(user)]

