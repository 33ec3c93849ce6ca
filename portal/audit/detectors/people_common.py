"""What the detectors about people on posts share (吃空饷, 岗在人不在, 一人多岗/一户多岗, 优亲厚友, 轮流坐庄):
which payroll lines count as paid, the run's months as a condition, a register field's history from the
audit log, and pay summed by appointment and month.

Paid lines: the duty lines of payrolls that were submitted, approved or paid (payroll.rules.LOCKING). A draft
or returned payroll has paid nothing yet and may still be recomputed, so its lines are not evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import get_locale
from sqlalchemy import String, and_, cast, func, or_, select

from portal.audit.detectors import Scope
from portal.audit.detectors.common import county_villages
from portal.core.auditlog import AuditEntry
from portal.core.clock import DEFAULT_ZONE
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.rules import LOCKING
from portal.registry.ledger.audit import members_of
from portal.registry.models import Person

PAID_STATES = tuple(sorted(LOCKING))  # approved, paid, submitted
CHUNK = 500  # ids per IN list


def chunks(values: Iterable, size: int = CHUNK) -> list[list]:
    """`values` sorted and cut into lists of at most `size` (for IN lists)."""
    ordered = sorted(set(values))
    return [ordered[k:k + size] for k in range(0, len(ordered), size)]


def in_period(scope: Scope):
    """The payroll's month lies in the run's months."""
    index = Payroll.year * 12 + Payroll.month - 1
    return and_(Payroll.year.between(scope.first.year, scope.last.year),
                index.between(scope.first.index(), scope.last.index()))


def paid_lines(scope: Scope, *columns):
    """SELECT of `columns` over the duty lines of the county's paid payrolls (submitted, approved, paid) of the
    run's months."""
    return (select(*columns).select_from(PayrollLine).join(Payroll, Payroll.id == PayrollLine.payroll_id)
            .where(Payroll.village_id.in_(county_villages(scope.county_id)), Payroll.state.in_(PAID_STATES),
                   in_period(scope), PayrollLine.kind == "duty"))


def pay_by_month(appointment_ids: Iterable[int], years: Iterable[int]) -> dict[tuple[int, int, int], Decimal]:
    """(appointment, year, month) → pay of its duty lines in paid payrolls of those years (one query a chunk)."""
    ids, years = sorted(set(appointment_ids)), sorted(set(years))
    result: dict[tuple[int, int, int], Decimal] = {}
    for k in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            select(PayrollLine.appointment_id, Payroll.year, Payroll.month, func.sum(PayrollLine.amount))
            .join(Payroll, Payroll.id == PayrollLine.payroll_id)
            .where(PayrollLine.appointment_id.in_(ids[k:k + CHUNK]), PayrollLine.kind == "duty",
                   Payroll.state.in_(PAID_STATES), Payroll.year.in_(years))
            .group_by(PayrollLine.appointment_id, Payroll.year, Payroll.month))
        for appointment_id, year, month, total in rows:
            result[(appointment_id, year, month)] = Decimal(total or 0)
    return result


def sentences(parts: Iterable[str]) -> str:
    """Sentences of an evidence text run together: no space after a Chinese full stop, one in English."""
    return ("" if str(get_locale() or "zh").startswith("zh") else " ").join(p for p in parts if p)


def listing(items: Iterable[str], major: bool = False) -> str:
    """Items of an evidence sentence listed: 、 (；between clauses, `major`) in Chinese, commas (semicolons)
    in English."""
    chinese = str(get_locale() or "zh").startswith("zh")
    return ("；" if major else "、").join(items) if chinese else ("; " if major else ", ").join(items)


def county_date(moment: datetime | None) -> date | None:
    """A stored UTC timestamp as the county's date."""
    if moment is None:
        return None
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).date()


def _loads(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def person_history(person_ids: Iterable[int], field: str) -> dict[int, list[tuple[date, dict | None, dict | None]]]:
    """Each person's recorded changes that name `field` (the register keeps the current value only; the
    audit log has every change, from the form, the API and the ledger import): person id → [(county date,
    before, after)] in the order they were made. The ledger import records a person on their household's row
    (registry/ledger/audit.py), so the people's households are read too. A few queries a chunk of ids."""
    ids = sorted({int(i) for i in person_ids})
    needle = f'%"{field}":%'
    named = or_(AuditEntry.after.like(needle), AuditEntry.before.like(needle))
    found: dict[int, list[tuple[int, date, dict | None, dict | None]]] = {}
    for k in range(0, len(ids), CHUNK):
        part = ids[k:k + CHUNK]
        rows = db.session.execute(
            select(AuditEntry.seq, AuditEntry.entity_id, AuditEntry.ts, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity_type == "person", AuditEntry.entity_id.in_([str(i) for i in part]), named))
        for seq, entity_id, ts, before, after in rows:
            found.setdefault(int(entity_id), []).append((seq, county_date(ts), _loads(before), _loads(after)))
        wanted = set(part)
        homes = select(cast(Person.household_id, String)).where(Person.id.in_(part))
        rows = db.session.execute(
            select(AuditEntry.seq, AuditEntry.ts, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity_type == "household", AuditEntry.entity_id.in_(homes), named))
        for seq, ts, before, after in rows:
            for pid, old, new in members_of(_loads(before), _loads(after)):
                if pid in wanted and (field in (new or {}) or field in (old or {})):
                    found.setdefault(pid, []).append((seq, county_date(ts), old, new))
    return {pid: [(on, old, new) for _seq, on, old, new in sorted(changes, key=lambda c: c[0])]
            for pid, changes in found.items()}
