"""The auditor's home page in figures: findings by detector × township, money at stake / confirmed /
recovered by the month a finding was raised, the villages ranked by risk, findings waiting for a township
answer past the county's deadline, and the field-check samples' progress. Read-only, county-wide.

Rules chosen (written down in docs): a year's findings are those whose period touches the year; the money
chart groups findings by the month they were raised (so a year-long finding is not all put in January);
"confirmed" is the amount at stake of findings closed as confirmed; the recovery rate is recovered ÷
confirmed; a village's risk is its amount at stake per post holder of the year, then findings per holder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_, select

from portal.audit import detectors as registry
from portal.audit.models import Finding
from portal.audit.rules import Decision, FindingState
from portal.audit.sampling import service as sampling
from portal.audit.settings import policy_for
from portal.core.clock import DEFAULT_ZONE
from portal.extensions import db
from portal.places.models import Township, Village
from portal.posts.models import Appointment

ZERO = Decimal("0.00")


def county_day(moment: datetime) -> date:
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE)
    return moment.astimezone(ZoneInfo(zone)).date()


def townships_of(county_id: int) -> list[tuple[int, str]]:
    return [(t.id, t.name) for t in db.session.execute(
        select(Township).where(Township.county_id == county_id).order_by(Township.code)).scalars()]


def _in_year(year: int):
    return and_(Finding.period_start <= date(year, 12, 31), Finding.period_end >= date(year, 1, 1))


@dataclass
class Heat:
    townships: list[tuple[int, str]]
    rows: list[tuple[str, str, list[int], int]]  # code, name, counts per township, total
    totals: list[int]
    peak: int

    def level(self, count: int) -> int:
        """0–5: the cell's shade."""
        if not count or not self.peak:
            return 0
        return max(1, min(5, round(5 * count / self.peak)))


def heat(county_id: int, year: int) -> Heat:
    """Findings of the year by detector (rows, detectors with none left out) and township (columns)."""
    townships = townships_of(county_id)
    counts: dict[tuple[str, int | None], int] = {}
    for code, township_id, n in db.session.execute(
            select(Finding.detector, Finding.township_id, func.count(Finding.id))
            .where(Finding.county_id == county_id, _in_year(year))
            .group_by(Finding.detector, Finding.township_id)):
        counts[(code, township_id)] = n
    known = registry.all_detectors()
    codes = [c for c in known if any(k[0] == c for k in counts)]
    codes += sorted({k[0] for k in counts} - set(known))
    rows = []
    for code in codes:
        cells = [counts.get((code, t), 0) for t, _name in townships]
        name = str(known[code].name) if code in known else code
        rows.append((code, name, cells, sum(counts.get(k, 0) for k in counts if k[0] == code)))
    totals = [sum(r[2][i] for r in rows) for i in range(len(townships))]
    peak = max((c for r in rows for c in r[2]), default=0)
    return Heat(townships, rows, totals, peak)


@dataclass
class MoneyMonth:
    month: int
    at_stake: Decimal = ZERO
    confirmed: Decimal = ZERO
    recovered: Decimal = ZERO
    findings: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Recovered ÷ confirmed, in percent to one decimal (None when nothing is confirmed)."""
        if not self.confirmed:
            return None
        return (self.recovered * 100 / self.confirmed).quantize(Decimal("0.1"))


@dataclass
class Money:
    months: list[MoneyMonth]
    total: MoneyMonth = field(default_factory=lambda: MoneyMonth(0))


def money_by_month(county_id: int, year: int) -> Money:
    """At stake, confirmed and recovered of the findings raised in each month of the year."""
    months = [MoneyMonth(m) for m in range(1, 13)]
    total = MoneyMonth(0)
    rows = db.session.execute(select(Finding.created_at, Finding.amount_at_stake, Finding.decision,
                                     Finding.amount_recovered).where(Finding.county_id == county_id))
    for created, at_stake, decision, recovered in rows:
        day = county_day(created)
        if day.year != year:
            continue
        for bucket in (months[day.month - 1], total):
            bucket.findings += 1
            bucket.at_stake += at_stake or ZERO
            if decision == Decision.CONFIRMED:
                bucket.confirmed += at_stake or ZERO
                bucket.recovered += recovered or ZERO
    return Money(months, total)


@dataclass(frozen=True)
class VillageRisk:
    village_id: int
    village: str
    township: str
    findings: int
    at_stake: Decimal
    holders: int

    @property
    def per_holder(self) -> Decimal:
        return (self.at_stake / self.holders).quantize(Decimal("0.01")) if self.holders else self.at_stake

    @property
    def findings_per_holder(self) -> Decimal:
        return (Decimal(self.findings) / self.holders).quantize(Decimal("0.01")) if self.holders \
            else Decimal(self.findings)


def villages_at_risk(county_id: int, year: int, limit: int = 15) -> list[VillageRisk]:
    """The villages with findings in the year, riskiest first (amount per holder, then findings per holder)."""
    found = db.session.execute(
        select(Finding.village_id, func.count(Finding.id), func.coalesce(func.sum(Finding.amount_at_stake), 0))
        .where(Finding.county_id == county_id, Finding.village_id.is_not(None), _in_year(year))
        .group_by(Finding.village_id)).all()
    if not found:
        return []
    ids = [r[0] for r in found]
    holders = dict(db.session.execute(
        select(Appointment.village_id, func.count(func.distinct(Appointment.person_id)))
        .where(Appointment.village_id.in_(ids), Appointment.state.in_(("active", "exiting", "exited")),
               Appointment.start_date <= date(year, 12, 31),
               or_(Appointment.exited_on.is_(None), Appointment.exited_on > date(year, 1, 1)))
        .group_by(Appointment.village_id)).all())
    names = {v: (vn, tn) for v, vn, tn in db.session.execute(
        select(Village.id, Village.name, Township.name).join(Township, Township.id == Village.township_id)
        .where(Village.id.in_(ids)))}
    rows = [VillageRisk(v, names[v][0], names[v][1], n, Decimal(amount).quantize(Decimal("0.01")),
                        holders.get(v, 0)) for v, n, amount in found]
    rows.sort(key=lambda r: (-r.per_holder, -r.findings_per_holder, r.village))
    return rows[:limit]


@dataclass
class Overdue:
    township_id: int
    township: str
    count: int = 0
    at_stake: Decimal = ZERO
    oldest_days: int = 0


def overdue(county_id: int, today: date) -> tuple[int, list[Overdue]]:
    """Open findings older than the county's response deadline, by township: (deadline days, rows)."""
    days = policy_for(county_id, today).response_days
    rows: dict[int, Overdue] = {}
    names = dict(townships_of(county_id))
    for township_id, created, amount in db.session.execute(
            select(Finding.township_id, Finding.created_at, Finding.amount_at_stake)
            .where(Finding.county_id == county_id, Finding.state == FindingState.OPEN,
                   Finding.township_id.is_not(None))):
        waited = (today - county_day(created)).days
        if waited <= days:
            continue
        row = rows.setdefault(township_id, Overdue(township_id, names.get(township_id, "")))
        row.count += 1
        row.at_stake += amount or ZERO
        row.oldest_days = max(row.oldest_days, waited)
    return days, sorted(rows.values(), key=lambda r: (-r.count, r.township))


@dataclass(frozen=True)
class SampleRow:
    sample: object
    progress: sampling.Progress


def sample_rows(county_id: int, limit: int = 5) -> list[SampleRow]:
    return [SampleRow(s, sampling.progress(s)) for s in sampling.samples_of(county_id, limit)]


def chart_data(h: Heat, money: Money, late: list[Overdue], labels: dict) -> dict:
    """The figures the page's charts draw (the tables beside them show the same)."""
    return {
        "heat": {"townships": [n for _i, n in h.townships], "detectors": [r[1] for r in h.rows],
                 "cells": [[x, y, c] for y, r in enumerate(h.rows) for x, c in enumerate(r[2])],
                 "peak": h.peak},
        "money": {"months": [labels["month"](m.month) for m in money.months],
                  "at_stake": [float(m.at_stake) for m in money.months],
                  "confirmed": [float(m.confirmed) for m in money.months],
                  "recovered": [float(m.recovered) for m in money.months],
                  "rate": [float(m.rate) if m.rate is not None else None for m in money.months],
                  "names": labels["series"]},
        "overdue": {"townships": [r.township for r in late], "counts": [r.count for r in late],
                    "name": labels["overdue"]},
    }
