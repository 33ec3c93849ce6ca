"""One planted case per detector about money and records (福利化, 补录, 超编超标, 拖欠, 重复享受, 不符合条件仍领补,
挤占挪用), each `plant_<code>(world)` laid over the clean county of tests/audit_county.py (holders in villages
a1a and a1b, marks saved on their day, paid January to October 2026) so that a run over 2026-01..2026-10 finds
it exactly once, and no other detector finds anything. Also the small builders the detector tests share.
Call inside an app context.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from unittest import mock

from sqlalchemy import select

from tests.payroll_factories import make_holders, mark_month, user

TODAY = date(2026, 11, 22)


# ---- builders --------------------------------------------------------------------------------------------


@contextmanager
def clock_at(day: date):
    """The audit log's clock set to 18:00 county time on `day` (a change recorded in the past)."""
    with mock.patch("portal.core.auditlog.utcnow", return_value=datetime.combine(day, time(10), UTC)):
        yield


def holders_of(world, village_key: str) -> list[int]:
    """The village's appointments, oldest first."""
    from portal.extensions import db
    from portal.posts.models import Appointment

    return list(db.session.execute(select(Appointment.id).where(Appointment.village_id == world.ids[village_key])
                                   .order_by(Appointment.id)).scalars())


def person_of(appointment_id: int):
    from portal.extensions import db
    from portal.posts.models import Appointment
    from portal.registry.models import Person

    return db.session.get(Person, db.session.get(Appointment, appointment_id).person_id)


def set_category(appointment_id: int, category: str, on: date) -> None:
    """The holder's household changed to `category` by its village clerk, recorded on `on`."""
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.registry import service
    from portal.registry.rules import HouseholdData

    household = person_of(appointment_id).household
    clerk = db.session.execute(select(User).where(User.village_id == household.village_id,
                                                  User.role == "village_clerk")).scalars().first()
    data = HouseholdData(household.number, category, household.monitored_subtype, household.risk_eliminated,
                         household.address)
    with clock_at(on):
        service.update_household(clerk, household, data)


def employ_in_workshop(person_id: int, hire: date, leave: date | None = None) -> int:
    """The person employed by the county's first workshop from `hire` (to `leave`); returns the record's id."""
    from portal.extensions import db
    from portal.workshops.models import Workshop, WorkshopEmployee

    workshop = db.session.execute(select(Workshop).order_by(Workshop.id)).scalars().first()
    row = WorkshopEmployee(workshop_id=workshop.id, village_id=workshop.village_id, person_id=person_id,
                           hire_date=hire, leave_date=leave, monthly_wage=Decimal("2200.00"),
                           created_by=user("admin").id)
    db.session.add(row)
    db.session.commit()
    return row.id


def payroll_of(world, village_key: str, year: int, month: int):
    from portal.extensions import db
    from portal.payroll.models import Payroll

    return db.session.execute(select(Payroll).where(Payroll.village_id == world.ids[village_key],
                                                    Payroll.year == year, Payroll.month == month)).scalar_one()


# ---- one case per detector ------------------------------------------------------------------------------


def plant_batch_filled(world) -> None:
    """Two new holders of 柳岸村 marked present on every working day, on the day, July to September."""
    ids = make_holders(world, "a2a", 2)
    for month in (7, 8, 9):
        mark_month(ids, 2026, month, saved_after=0)


def plant_late_marks(world) -> None:
    """A new holder of 柳岸村 whose September was entered twenty days after each day."""
    (holder,) = make_holders(world, "a2a", 1)
    mark_month([holder], 2026, 9, saved_after=20)


def plant_over_limit(world) -> None:
    """A new post of 柳岸村 at 900 a month, above the cleaning standard of 800."""
    make_holders(world, "a2a", 1, subsidy=Decimal("900.00"), title="超标保洁员")


def plant_arrears(world) -> None:
    """石门村's September payroll, approved on 5 October, left unpaid (the payment undone)."""
    from portal.extensions import db

    payroll = payroll_of(world, "a1b", 2026, 9)
    payroll.state, payroll.paid_on, payroll.bank_reference, payroll.paid_by = "approved", None, "", None
    payroll.paid_recorded_at = None
    db.session.commit()


def plant_double_benefit(world) -> None:
    """A full-time holder of 青竹村 also employed by the village's workshop from 1 August."""
    employ_in_workshop(person_of(holders_of(world, "a1a")[0]).id, date(2026, 8, 1))


def plant_ineligible_paid(world) -> None:
    """A holder of 石门村 whose household became a general household on 15 August, with no exit proposed:
    October is paid more than 30 days after (September is within the grace period)."""
    set_category(holders_of(world, "a1b")[0], "general", date(2026, 8, 15))


def plant_funds_overspent(world) -> None:
    """The linkage fund's 2026 budget lowered to 20 000, below what the payrolls charged to it."""
    from portal.audit.settings import set_budget

    set_budget(user("admin"), "linkage_fund", Decimal("20000.00"), date(2026, 11, 1), today=TODAY)
