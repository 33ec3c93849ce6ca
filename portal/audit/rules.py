"""The county audit's policy as pure rules: the audit settings and their defaults, the period a run may
cover, the finding workflow, severities. The detectors' own predicates are in audit.detectors.rules.
No flask, no database."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.core.money import is_money
from portal.core.states import actions, move

MAX_RUN_MONTHS = 36


class Severity(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class SubjectType(enum.StrEnum):
    PERSON = "person"
    HOUSEHOLD = "household"
    POST = "post"
    APPOINTMENT = "appointment"
    PAYROLL = "payroll"
    PAYROLL_LINE = "payroll_line"
    VILLAGE = "village"
    WORKSHOP = "workshop"
    ACCOUNT = "account"
    COUNTY = "county"


class FindingState(enum.StrEnum):
    OPEN = "open"
    RESPONDED = "responded"
    CLOSED = "closed"


class FindingAction(enum.StrEnum):
    RESPOND = "respond"  # the township explains and says what it did
    CLOSE = "close"  # the county auditor confirms or dismisses


class Decision(enum.StrEnum):
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


FINDING_MOVES = {
    (FindingState.OPEN, FindingAction.RESPOND): FindingState.RESPONDED,
    (FindingState.RESPONDED, FindingAction.RESPOND): FindingState.RESPONDED,  # a better answer replaces it
    (FindingState.OPEN, FindingAction.CLOSE): FindingState.CLOSED,  # the auditor may close without waiting
    (FindingState.RESPONDED, FindingAction.CLOSE): FindingState.CLOSED,
}


def next_finding_state(state: str, action: str) -> FindingState:
    """The finding's state after `action`, or IllegalMove (a closed finding never moves again)."""
    return move("finding", FINDING_MOVES, state, action)


def finding_actions(state: str) -> frozenset[str]:
    return actions(FINDING_MOVES, state)


# ---- the period of a run -------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2026-03` → Month(2026, 3); ValueError on anything else."""
        parts = str(text).strip().split("-")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise ValueError(text)
        year, month = int(parts[0]), int(parts[1])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError(text)
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        nxt = self.next()
        return date.fromordinal(nxt.first.toordinal() - 1)

    def next(self) -> Month:
        return Month(self.year + (self.month == 12), self.month % 12 + 1)

    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from first to last, both included."""
    out, m = [], first
    while m <= last:
        out.append(m)
        m = m.next()
    return out


def period_problem(first: Month, last: Month, today: date) -> str | None:
    """Why a run may not cover first..last (None: it may). A run covers whole months that have begun,
    at most 36 of them, the end not before the start."""
    if last < first:
        return "period_reversed"
    if last > Month.of(today):
        return "period_future"
    if last.index() - first.index() + 1 > MAX_RUN_MONTHS:
        return "period_too_long"
    return None


def period_key(first: date, last: date) -> str:
    """The period part of a finding's key: `2026-03` for one month, `2026-01..2026-06` for several,
    `2026-03-04..2026-03-20` for a stretch that is not whole months."""
    if first.day == 1 and Month.of(first).last == last:
        return str(Month.of(first))
    if first.day == 1 and Month.of(last).last == last:
        return f"{Month.of(first)}..{Month.of(last)}"
    return f"{first.isoformat()}..{last.isoformat()}"


# ---- the audit settings ------------------------------------------------------------------------------


# The values each threshold accepts: (least, most), most None when unbounded.
AUDIT_RANGES = {"late_mark_days": (1, None), "near_full_percent": (1, 100), "rotation_people": (2, None),
                "rotation_months": (1, None), "batch_months": (1, None), "ineligible_grace_days": (0, None),
                "response_days": (1, None), "sample_percent": (1, 100)}


@dataclass(frozen=True)
class AuditPolicy:
    """The county's audit thresholds (domain.md "Policy parameters"), with their defaults."""

    late_mark_days: int = 7  # 补录: a mark saved more than this many days after its day is late
    near_full_percent: int = 90  # 岗在人不在: duty days at least this share of required days is (near-)full
    rotation_people: int = 3  # 轮流坐庄: this many people on one post within rotation_months
    rotation_months: int = 12
    batch_months: int = 3  # 福利化: identical full attendance of every holder for this many months in a row
    ineligible_grace_days: int = 30  # pay this long after the household became ineligible, with no exit
    response_days: int = 15  # a township answers a finding within this many days
    sample_percent: int = 5  # 抽查: share of payroll lines drawn per township

    def __post_init__(self):
        for name, (least, most) in AUDIT_RANGES.items():
            value = getattr(self, name)
            if value < least or (most is not None and value > most):
                raise ValueError(f"{name} must lie from {least} to {most or 'any'}")


DEFAULT_AUDIT_POLICY = AuditPolicy()


def recovered_problem(recovered: Decimal, at_stake: Decimal) -> str | None:
    """Why an amount recovered is not allowed (None: it is): whole fen, not negative, never above the
    amount at stake."""
    if not is_money(recovered) or recovered < 0:
        return "recovered_not_money"
    if recovered > at_stake:
        return "recovered_above_stake"
    return None


def near_full(duty_days: Decimal, required: int, percent: int) -> bool:
    """Duty days make at least `percent` % of the required days (a month of (near-)full attendance)."""
    if required <= 0:
        return False
    return Decimal(duty_days) * 100 >= Decimal(required) * percent
