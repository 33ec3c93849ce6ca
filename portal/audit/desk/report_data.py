"""The figures of the audit report (审计报告) for a period, shared by its PDF and its Excel: findings whose
period touches the months, summed by detector and by township, the largest cases, money at stake /
confirmed / recovered, and the field-check samples of the period with their results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select

from portal.audit import detectors as registry
from portal.audit.models import Finding
from portal.audit.rules import Decision, FindingState, Month
from portal.audit.sampling import service as sampling
from portal.audit.sampling.models import AuditSample
from portal.extensions import db
from portal.places.models import County, Township, Village

ZERO = Decimal("0.00")
LARGEST = 10


@dataclass
class Sums:
    findings: int = 0
    open: int = 0
    responded: int = 0
    closed: int = 0
    at_stake: Decimal = ZERO
    confirmed: Decimal = ZERO
    recovered: Decimal = ZERO

    def add(self, f: Finding) -> None:
        self.findings += 1
        self.open += f.state == FindingState.OPEN
        self.responded += f.state == FindingState.RESPONDED
        self.closed += f.state == FindingState.CLOSED
        self.at_stake += f.amount_at_stake or ZERO
        if f.decision == Decision.CONFIRMED:
            self.confirmed += f.amount_at_stake or ZERO
            self.recovered += f.amount_recovered or ZERO

    @property
    def rate(self) -> str:
        """Recovered ÷ confirmed as 12.5 %, or — when nothing is confirmed."""
        if not self.confirmed:
            return "—"
        return f"{(self.recovered * 100 / self.confirmed).quantize(Decimal('0.1'))}%"


@dataclass
class Report:
    county: County
    first: Month
    last: Month
    findings: list[Finding]
    places: dict[int, tuple[str, str]]  # village id → (village, township)
    township_names: dict[int, str]
    detector_names: dict[str, str]
    total: Sums = field(default_factory=Sums)
    by_detector: dict[str, Sums] = field(default_factory=dict)
    by_township: dict[int | None, Sums] = field(default_factory=dict)
    samples: list[tuple[AuditSample, sampling.Progress]] = field(default_factory=list)

    @property
    def largest(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (-(f.amount_at_stake or ZERO), f.id))[:LARGEST]

    @property
    def period_text(self) -> str:
        if self.first == self.last:
            return f"{self.first.year}年{self.first.month}月"
        return f"{self.first.year}年{self.first.month}月至{self.last.year}年{self.last.month}月"

    def place(self, f: Finding) -> str:
        village, township = self.places.get(f.village_id, ("", self.township_names.get(f.township_id, "")))
        return f"{township}{village}"

    def detector(self, code: str) -> str:
        return self.detector_names.get(code, code)


def build(county_id: int, first: Month, last: Month) -> Report:
    """Everything the report prints (names in the current language: the caller forces Chinese)."""
    county = db.session.get(County, county_id)
    findings = list(db.session.execute(select(Finding).where(
        Finding.county_id == county_id,
        and_(Finding.period_start <= last.last, Finding.period_end >= first.first)).order_by(Finding.id)).scalars())
    places = {v: (vn, tn) for v, vn, tn in db.session.execute(
        select(Village.id, Village.name, Township.name).join(Township, Township.id == Village.township_id)
        .where(Township.county_id == county_id))}
    townships = dict(db.session.execute(select(Township.id, Township.name).where(Township.county_id == county_id)
                                        .order_by(Township.code)).all())
    names = {code: str(d.name) for code, d in registry.all_detectors().items()}
    report = Report(county, first, last, findings, places, townships, names)
    for code in names:
        if any(f.detector == code for f in findings):
            report.by_detector[code] = Sums()
    for tid in townships:
        report.by_township[tid] = Sums()
    for f in findings:
        report.total.add(f)
        report.by_detector.setdefault(f.detector, Sums()).add(f)
        report.by_township.setdefault(f.township_id, Sums()).add(f)
    samples = db.session.execute(select(AuditSample).where(
        AuditSample.county_id == county_id, AuditSample.first_month <= last.first,
        AuditSample.last_month >= first.first).order_by(AuditSample.id)).scalars()
    report.samples = [(s, sampling.progress(s)) for s in samples]
    return report


def period_args(start: str | None, end: str | None, today: date) -> tuple[Month, Month]:
    """The report's months from `from`/`to` texts (YYYY-MM): this year up to this month by default."""
    def parse(text, default):
        try:
            return Month.parse(text) if text else default
        except ValueError:
            return default

    last = parse(end, Month.of(today))
    first = parse(start, Month(last.year, 1))
    if first > last:
        first, last = last, first
    return first, last
