"""The demo county's payrolls, made through the payroll service as the villages and townships would.

Every ended month of the year before last month is paid (approved on the 8th of the next month, paid on the
15th). Last month shows every state: in the first township submitted (waiting for the reviewer) except
one village still drafting; in the second approved and waiting for payment; in the third one returned
with a reason, one draft and two not yet generated. One village of the second township also has an older
month approved and never paid, so the arrears (拖欠) show on the township's and county's home pages.
Idempotent: months that already have a payroll are left as they are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from portal.accounts.models import User
from portal.extensions import db
from portal.payroll import batch, service
from portal.payroll.models import Payroll
from portal.places.models import Township, Village


def _previous(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def _after_month(year: int, month: int, days: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt + timedelta(days=days - 1)


def _people(village: Village) -> tuple[User, User]:
    clerk = db.session.execute(select(User).where(User.village_id == village.id)).scalars().first()
    reviewer = db.session.execute(select(User).where(User.township_id == village.township_id)
                                  .order_by(User.id)).scalars().first()
    return clerk, reviewer


def _move(payroll: Payroll, village: Village, target: str, year: int, month: int, today: date) -> None:
    """Carry a draft payroll to `target` through the service, with the dates a real month would have."""
    clerk, reviewer = _people(village)
    if target == "draft":
        return
    service.submit(clerk, payroll)
    # Submitted a few days after the month ended, not on the day the demo is built: the arrears' stage days
    # (village → township → payment) then add up to the days since the month's end.
    submitted_on = min(_after_month(year, month, 5), today)
    db.session.execute(update(Payroll).where(Payroll.id == payroll.id).values(
        submitted_at=datetime.combine(submitted_on, time(1), UTC)))
    db.session.commit()
    if target == "submitted":
        return
    if target == "returned":
        service.return_(reviewer, payroll, "10日、11日两天考勤与巡查记录不符，请核实后重新提交")
        return
    approved_on = min(_after_month(year, month, 8), today)
    service.approve(reviewer, payroll, approved_on)
    if target == "approved":
        return
    paid_on = min(_after_month(year, month, 15), today)
    service.record_payment(reviewer, payroll, paid_on, f"YX{year}{month:02d}{village.code[-3:]}", today=today)


def _target(t_index: int, v_index: int, months_back: int) -> str | None:
    """The state the demo wants for a village's payroll `months_back` months ago (None: not generated)."""
    if months_back >= 2:
        overdue = t_index == 2 and v_index == 1 and months_back in (2, 3)
        return "approved" if overdue else "paid"
    return [["submitted", "submitted", "submitted", "draft"],
            ["approved", "approved", "submitted", "submitted"],
            ["returned", "draft", None, None]][t_index - 1][v_index - 1]


def build_payrolls(county_id: int, today: date) -> int:
    """Payrolls from January of this year up to last month; returns how many were made."""
    months, (year, month) = [], _previous(today.year, today.month)
    while year == today.year:
        months.append((year, month))
        year, month = _previous(year, month)
    townships = db.session.execute(select(Township).where(Township.county_id == county_id)
                                   .order_by(Township.code)).scalars().all()
    made = 0
    for months_back, (year, month) in enumerate(months, start=1):
        for t_index, township in enumerate(townships, start=1):
            for v_index, village in enumerate(township.villages, start=1):
                target = _target(t_index, v_index, months_back)
                exists = db.session.execute(select(Payroll.id).where(
                    Payroll.village_id == village.id, Payroll.year == year, Payroll.month == month)).first()
                if target is None or exists is not None:
                    continue
                batch.generate_month("demo", year, month, [village.id], today=today)
                payroll = db.session.execute(select(Payroll).where(
                    Payroll.village_id == village.id, Payroll.year == year, Payroll.month == month)).scalar_one()
                _move(payroll, village, target, year, month, today)
                made += 1
    return made
