"""The county's monthly batch: every village's payroll of an ended month in a handful of queries.

One query for the appointments (with person and post columns) of all villages, one counting the month's
marks, the calendar once per county (payroll.compute); payrolls and lines bulk-inserted; one audit row
per payroll; one commit. Villages that already have a payroll for the month are skipped, also when one
is made concurrently (INSERT … ON CONFLICT DO NOTHING on the unique village and month); villages with
nobody on duty that month get none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from portal.core import auditlog
from portal.core.access import Role, scoped
from portal.core.clock import county_today
from portal.core.errors import NotAllowed
from portal.core.types import utcnow
from portal.extensions import db
from portal.payroll import compute
from portal.payroll.guards import ensure_month_ended
from portal.payroll.models import Payroll
from portal.payroll.rules import PayrollState
from portal.places.models import Village


@dataclass(frozen=True)
class Batch:
    payrolls: int  # payrolls made
    lines: int  # their lines
    existing: int  # villages that already had a payroll for the month
    without_holders: int  # villages with nobody on duty that month


def generate_month(actor, year: int, month: int, village_ids: list[int] | None = None,
                   today: date | None = None) -> Batch:
    """The county admin (or the system) generates every village's payroll of an ended month at once; villages
    that already have one are skipped. A handful of queries and bulk inserts, one audit row per payroll."""
    ensure_month_ended(year, month, today or county_today())
    if not isinstance(actor, str):
        if getattr(actor, "role", None) != Role.COUNTY_ADMIN:
            raise NotAllowed(_("Only the county admin generates all villages' payrolls at once."))
        in_scope = set(db.session.execute(scoped(select(Village.id), Village, actor)).scalars())
        if village_ids is not None and not set(village_ids) <= in_scope:
            raise NotAllowed(_("This village is outside your area."))
        village_ids = sorted(in_scope) if village_ids is None else list(village_ids)
    elif village_ids is None:
        village_ids = list(db.session.execute(select(Village.id).order_by(Village.id)).scalars())
    existing = set(db.session.execute(select(Payroll.village_id).where(
        Payroll.year == year, Payroll.month == month, Payroll.village_id.in_(village_ids))).scalars())
    computed = compute.compute_many([v for v in village_ids if v not in existing], year, month)
    todo = [c for c in computed.values() if c.lines]
    actor_id, now = getattr(actor, "id", None), utcnow()
    made: dict[int, int] = {}
    if todo:
        insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        table = Payroll.__table__
        stmt = (insert(table).on_conflict_do_nothing(index_elements=["village_id", "year", "month"])
                .returning(table.c.id, table.c.village_id))
        rows = [{"village_id": c.village_id, "year": year, "month": month, "state": PayrollState.DRAFT.value,
                 "line_count": len(c.lines), "total": c.total, "required_days": c.month_days, "created_by": actor_id,
                 "created_at": now, "computed_at": now, "return_reason": "", "bank_reference": ""} for c in todo]
        made = {village_id: payroll_id for payroll_id, village_id in db.session.execute(stmt, rows)}
    batches = [(made[c.village_id], c.lines) for c in todo if c.village_id in made]
    compute.insert_lines(batches, actor_id)
    auditlog.record_many(actor, [auditlog.Change(
        "payroll.generate", "payroll", str(made[c.village_id]), None,
        {"village_id": c.village_id, "year": year, "month": month, "state": PayrollState.DRAFT.value,
         "line_count": len(c.lines), "total": c.total, "required_days": c.month_days, "batch": True})
        for c in todo if c.village_id in made])
    db.session.commit()
    return Batch(payrolls=len(made), lines=sum(len(lines) for _id, lines in batches),
                 existing=len(existing) + len(todo) - len(made), without_holders=len(computed) - len(todo))
