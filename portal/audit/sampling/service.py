"""Field-check sampling (抽查) use cases: draw a stratified sample of a period's payroll lines, record the
door-to-door check of a line (a failed check opens a `field_check` finding), and read a sample's progress
and estimate.

The population is every duty line of the county's approved or paid payrolls of the period (a month or a
quarter): what was, or is about to be, paid. Townships are the strata. The seed is stored, so the same
seed over the same population draws the same lines (sampling_rules.draw).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit.rules import Month
from portal.audit.sampling import findings as field_findings
from portal.audit.sampling.models import AuditSample, AuditSampleLine
from portal.audit.sampling.rules import (
    CONFIDENCE_LEVELS,
    MAX_MARGIN,
    SEED_LIMIT,
    Estimate,
    Method,
    Size,
    allocate,
    check_complete,
    check_failed,
    draw,
    new_seed,
    parse_period,
    size_by_confidence,
    size_by_percent,
    wilson,
)
from portal.audit.settings import policy_for
from portal.core import auditlog
from portal.core.access import Role
from portal.core.clock import county_today
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.core.types import utcnow
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.places.models import Township, Village

PAID_STATES = ("approved", "paid")
MAX_NOTE = 2000


def _ensure_auditor(user) -> None:
    if getattr(user, "role", None) != Role.COUNTY_AUDITOR:
        raise NotAllowed(_("Only the county auditor draws samples and records field checks."), code="not_auditor")


def period_of(text: str, today: date) -> tuple[Month, Month, str]:
    """The months of a period text (`2026-10`, `2026-Q4`); RuleViolation when unreadable or not yet begun."""
    try:
        year, first, last, canonical = parse_period(text)
    except ValueError:
        raise RuleViolation(_("Give the period as a month (2026-10) or a quarter (2026-Q4)."), code="bad_period",
                            field="period") from None
    if Month(year, first) > Month.of(today):
        raise RuleViolation(_("The period has not begun."), code="period_future", field="period")
    return Month(year, first), Month(year, last), canonical


def population(county_id: int, first: Month, last: Month) -> dict[int, list[int]]:
    """The duty lines of approved or paid payrolls of first..last, by township id."""
    index = Payroll.year * 12 + Payroll.month - 1
    rows = db.session.execute(
        select(PayrollLine.id, Village.township_id)
        .join(Payroll, Payroll.id == PayrollLine.payroll_id)
        .join(Village, Village.id == Payroll.village_id)
        .join(Township, Township.id == Village.township_id)
        .where(Township.county_id == county_id, PayrollLine.kind == "duty", Payroll.state.in_(PAID_STATES),
               index >= first.index(), index <= last.index()))
    strata: dict[int, list[int]] = {}
    for line_id, township_id in rows:
        strata.setdefault(township_id, []).append(line_id)
    return strata


@dataclass(frozen=True)
class Plan:
    """What a draw would take: the size with its formula, and the lines per township."""

    size: Size
    allocation: dict[int, int]
    strata: dict[int, list[int]]


def plan(county_id: int, first: Month, last: Month, method: str, *, percent: int | None = None,
         confidence: int | None = None, margin: int | None = None, today: date | None = None) -> Plan:
    """Size and allocate a sample of the period (percent: the county setting when not given)."""
    strata = population(county_id, first, last)
    total = sum(len(v) for v in strata.values())
    if method == Method.PERCENT:
        percent = percent or policy_for(county_id, today or county_today()).sample_percent
        if not 1 <= percent <= 100:
            raise RuleViolation(_("A percentage lies between 1 and 100."), field="percent")
        size = size_by_percent(total, percent, strata=len(strata))
    elif method == Method.CONFIDENCE:
        if confidence not in CONFIDENCE_LEVELS:
            raise RuleViolation(_("Choose a confidence level of 80, 90, 95 or 99 %."), field="confidence")
        if margin is None or not 1 <= margin <= MAX_MARGIN:
            raise RuleViolation(_("The margin of error lies between 1 and 20 %."), field="margin")
        size = size_by_confidence(total, confidence, margin)
    else:
        raise RuleViolation(_("Choose how the sample is sized."), field="method")
    return Plan(size, allocate({k: len(v) for k, v in strata.items()}, size.n), strata)


def draw_sample(user, period: str, method: str, *, percent: int | None = None, confidence: int | None = None,
                margin: int | None = None, seed: int | None = None, today: date | None = None) -> AuditSample:
    """The county auditor draws a stratified random sample of the period's paid lines (seed stored and shown)."""
    _ensure_auditor(user)
    today = today or county_today()
    first, last, canonical = period_of(period, today)
    found = plan(user.county_id, first, last, method, percent=percent, confidence=confidence, margin=margin,
                 today=today)
    if found.size.population == 0:
        raise RuleViolation(_("The period has no approved or paid payroll lines to sample."), code="no_lines",
                            field="period")
    if seed is None:
        seed = new_seed()
    elif not 1 <= seed <= SEED_LIMIT:
        raise RuleViolation(_("A seed is a whole number from 1 to 2147483647."), field="seed")
    chosen = draw(found.strata, found.allocation, seed)
    sample = AuditSample(county_id=user.county_id, period=canonical, first_month=first.first, last_month=last.first,
                         method=str(method), percent=int(found.size.percent) if method == Method.PERCENT else None,
                         confidence=confidence if method == Method.CONFIDENCE else None,
                         margin=margin if method == Method.CONFIDENCE else None, population=found.size.population,
                         size=len(chosen), seed=seed, formula=found.size.formula, drawn_by=user.id)
    db.session.add(sample)
    db.session.flush()
    villages = dict(db.session.execute(select(PayrollLine.id, PayrollLine.village_id)
                                       .where(PayrollLine.id.in_(chosen))).all())
    township_of = {line_id: t for t, ids in found.strata.items() for line_id in ids}
    db.session.add_all(AuditSampleLine(sample_id=sample.id, payroll_line_id=line_id, township_id=township_of[line_id],
                                       village_id=villages[line_id], note="") for line_id in chosen)
    auditlog.record(user, "sample.draw", "audit_sample", sample.id, None,
                    {"period": canonical, "method": str(method), "percent": sample.percent,
                     "confidence": sample.confidence, "margin": sample.margin, "population": sample.population,
                     "size": sample.size, "seed": seed})
    db.session.commit()
    return sample


def _answer(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False, "": None}.get(text)


def record_check(user, line: AuditSampleLine, on_duty: bool | None, amount_matches: bool | None,
                 account_is_own: bool | None, note: str = "") -> AuditSampleLine:
    """The county auditor records a line's door-to-door check; any "no" opens a `field_check` finding with
    the note. Once a finding is open the check stands (the finding carries it on)."""
    _ensure_auditor(user)
    if line.sample.county_id != user.county_id:
        raise NotAllowed(_("This sample belongs to another county."))
    if line.finding_id is not None:
        raise Conflict(_("This check failed and opened a finding; answer through the finding."),
                       code="check_closed")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise RuleViolation(_("At most %(n)d characters.", n=MAX_NOTE), field="note")
    answers = (_answer(on_duty), _answer(amount_matches), _answer(account_is_own))
    if answers == (None, None, None):
        raise RuleViolation(_("Answer at least one of the three checks."), code="no_answer", field="on_duty_confirmed")
    if check_failed(*answers) and not note:
        raise RuleViolation(_("Say what was found: a failed check needs a note."), code="note_required", field="note")
    before = {"on_duty_confirmed": line.on_duty_confirmed, "amount_matches": line.amount_matches,
              "account_is_own": line.account_is_own, "note": line.note}
    line.on_duty_confirmed, line.amount_matches, line.account_is_own = answers
    line.note, line.checked_by, line.checked_at = note, user.id, utcnow()
    auditlog.record(user, "sample.check", "audit_sample", line.sample_id, before,
                    {"line": line.id, "on_duty_confirmed": answers[0], "amount_matches": answers[1],
                     "account_is_own": answers[2], "note": note})
    if check_failed(*answers):
        field_findings.open_field_finding(user, line, note)  # commits the check with its finding
    else:
        db.session.commit()
    return line


@dataclass(frozen=True)
class Progress:
    drawn: int
    checked: int
    failed: int
    estimate: Estimate | None
    population: int

    @property
    def percent_checked(self) -> int:
        return round(100 * self.checked / self.drawn) if self.drawn else 0

    @property
    def faulty_low(self) -> int:
        """The estimate's lower bound as a number of lines in the whole population."""
        return round(self.estimate.low * self.population) if self.estimate else 0

    @property
    def faulty_high(self) -> int:
        return round(self.estimate.high * self.population) if self.estimate else 0


def progress(sample: AuditSample) -> Progress:
    """Lines checked of lines drawn, failures, and the faulty share with its Wilson interval once any is checked."""
    rows = db.session.execute(select(AuditSampleLine.on_duty_confirmed, AuditSampleLine.amount_matches,
                                     AuditSampleLine.account_is_own)
                              .where(AuditSampleLine.sample_id == sample.id)).all()
    checked = [r for r in rows if check_complete(*r)]
    failed = sum(1 for r in checked if check_failed(*r))
    estimate = wilson(failed, len(checked), sample.confidence or 95) if checked else None
    return Progress(len(rows), len(checked), failed, estimate, sample.population)


def samples_of(county_id: int, limit: int | None = None) -> list[AuditSample]:
    stmt = select(AuditSample).where(AuditSample.county_id == county_id).order_by(AuditSample.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.execute(stmt).scalars())


def get_sample_or_404(sample_id: int, user) -> AuditSample:
    from flask import abort

    sample = db.session.get(AuditSample, sample_id)
    if sample is None or getattr(user, "role", None) not in (Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN) \
            or sample.county_id != user.county_id:
        abort(404)
    return sample


def get_line_or_404(line_id: int, user) -> AuditSampleLine:
    from flask import abort

    line = db.session.get(AuditSampleLine, line_id)
    if line is None:
        abort(404)
    get_sample_or_404(line.sample_id, user)
    return line


@dataclass(frozen=True)
class LineView:
    """A drawn line as the checklist shows it (bank account masked by the caller's template)."""

    line: AuditSampleLine
    payroll_line: PayrollLine
    payroll: Payroll
    village: str
    township: str


def _line_rows(*where) -> list[LineView]:
    rows = db.session.execute(
        select(AuditSampleLine, PayrollLine, Payroll, Village.name, Township.name)
        .join(PayrollLine, PayrollLine.id == AuditSampleLine.payroll_line_id)
        .join(Payroll, Payroll.id == PayrollLine.payroll_id)
        .join(Village, Village.id == AuditSampleLine.village_id)
        .join(Township, Township.id == AuditSampleLine.township_id)
        .where(*where)
        .order_by(Township.code, Village.code, PayrollLine.person_name, AuditSampleLine.id)).all()
    return [LineView(*row) for row in rows]


def line_views(sample: AuditSample) -> list[LineView]:
    """Every drawn line of a sample, by township, village and name."""
    return _line_rows(AuditSampleLine.sample_id == sample.id)


def line_view(line: AuditSampleLine) -> LineView:
    return _line_rows(AuditSampleLine.id == line.id)[0]


def by_township(sample: AuditSample) -> list[tuple[str, int, int, int]]:
    """(township, drawn, checked, failed) of a sample, in township order."""
    rows = db.session.execute(
        select(Township.name, AuditSampleLine.on_duty_confirmed, AuditSampleLine.amount_matches,
               AuditSampleLine.account_is_own)
        .join(Township, Township.id == AuditSampleLine.township_id)
        .where(AuditSampleLine.sample_id == sample.id).order_by(Township.code)).all()
    out: dict[str, list[int]] = {}
    for name, *answers in rows:
        entry = out.setdefault(name, [0, 0, 0])
        entry[0] += 1
        entry[1] += check_complete(*answers)
        entry[2] += check_complete(*answers) and check_failed(*answers)
    return [(name, *v) for name, v in out.items()]


def line_count(sample_id: int) -> int:
    return db.session.scalar(select(func.count(AuditSampleLine.id)).where(AuditSampleLine.sample_id == sample_id))
