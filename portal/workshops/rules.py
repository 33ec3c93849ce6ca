"""Rule 5 (梯次奖补, 动态管理和退出) as pure functions: credit codes, monitoring, stable employees, tiers,
classification. No flask, no database. Its building blocks are re-exported here, so callers need only this
module: the state machines (`workshops.states`), the county's settings as a value (`workshops.policy`),
months and employment spans (`workshops.employment`). The checks of typed input are in `workshops.checks`.

A `Month` is (year, month). A `Span` is a stretch of days from `start` to `end`, both included (`end`
None: still running). An employment's `end` is the leave date, the employee's last day at work.

Decisions where domain.md is silent (the county's reading, written down once here):
- **One workshop at a time**: a person who leaves a workshop on day X may be hired by another from X+1
  on, not on X itself (`first_overlap`). Two records of one person in one workshop may not overlap either.
- **Aided employees of a month** (月末在岗) are the people employed on the month's last day, counted only
  while the workshop is certified and not exited (`active_span`). The same count serves the monthly
  report, the low-aided exit condition and the stable months of the year.
- **Stable aided employees** of a year: people employed on at least `stable_months` (6) month-ends of the
  year in the workshop (several records of one person in one workshop are joined). Someone hired on 15
  January who leaves on 14 July worked six months and has six month-ends (January to June); hired on 1
  January and leaving on 29 June has five (leaving on 30 June, six). Part months round like this both
  ways: whoever is on the books at a month's end counts for that month.
- **Monitoring** runs over consecutive calendar months from the month of certification (or the month the
  workshop was entered into the portal, if later: see `workshops.queries`). A violation
  reported in a month meets its condition at once. Halted months count only when a report says so: a
  month without a report breaks a halted run once a later month is reported; months not reported yet
  leave the run as it stands, in watch but no longer (the township sees the missing reports).
  The aided count comes from the employment records, so the low-aided run needs no report. The watch
  begins in the first month of a run (the first halted month, the first month under K) and the
  condition is met (an exit proposal is due) in the month the run reaches its length. The workshop is
  in watch while any run goes on in the last month evaluated.
- **Tiers** are levels: 0 below the lowest tier, 1 for the lowest, and so on. "The tier rose" compares
  this year's level with last year's, each under the tier table in force at its own year's end.
- **Classification** of a year, first match wins: 调整一批 (an exit condition was met in the year, or an
  exit was proposed in it and not rejected, or the workshop exited in it) → 新建一批 (certified within
  the year, i.e. under 12 months before its end) → 扶持一批 (in watch at the year's end, or a level below
  last year's) → 升级一批 (a level above last year's) → 稳定运行 (none of the four; also the first
  assessment of a workshop certified before the year, which has no level to compare with).
- **No reward after the exit date**: the annual reward is paid after the year has ended, so a workshop
  that exited within the year earns nothing for that year (its stable employees and level are still
  recorded); a workshop that exited before the year began is not assessed at all.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from portal.core.money import CENT

# Re-exported: callers need only this module.
from portal.workshops.employment import (  # noqa: F401
    Employment,
    Month,
    Span,
    active_span,
    aided_people,
    first_overlap,
    month_end,
    month_of,
    months_employed,
    months_from,
    next_month,
    previous_month,
)
from portal.workshops.policy import (  # noqa: F401
    AIDED_CHOICES,
    DEFAULT_POLICY,
    DEFAULT_TIERS,
    MAX_EMPLOYEES,
    MAX_MONEY,
    Tier,
    WorkshopPolicy,
    format_tiers,
    is_money,
    notice_end,
    parse_tiers,
    tiers_problem,
)
from portal.workshops.states import (  # noqa: F401
    ASSESSMENT_MOVES,
    CLOSED_ASSESSMENT_STATES,
    EXIT_MOVES,
    LIVE_STATES,
    OPEN_EXIT_STATES,
    WORKSHOP_MOVES,
    AssessmentAction,
    AssessmentState,
    ExitAction,
    ExitCondition,
    ExitState,
    IllegalMove,
    WorkshopAction,
    WorkshopState,
    assessment_actions,
    exit_actions,
    next_assessment_state,
    next_exit_state,
    next_workshop_state,
    workshop_actions,
)

ZERO = Decimal("0.00")


class Classification(enum.StrEnum):
    NEW = "new"  # 新建一批
    UPGRADED = "upgraded"  # 升级一批
    SUPPORTED = "supported"  # 扶持一批
    ADJUSTED = "adjusted"  # 调整一批
    STEADY = "steady"  # 稳定运行: none of the four


# ---- credit codes ---------------------------------------------------------------------------------

class InvalidCreditCode(ValueError):
    """A unified social credit code that stdnum.cn.uscc refuses; `reason` is empty|length|format|checksum."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_credit_code(value: str) -> str:
    """The unified social credit code (统一社会信用代码, GB 32100) in compact upper-case form, checked by
    stdnum.cn.uscc: 18 characters, the first eight digits, the rest digits or capitals other than I, O,
    Z, S, V, the last the check character. Raises InvalidCreditCode(reason)."""
    text = str(value or "").strip()
    if not text:
        raise InvalidCreditCode("empty")
    try:
        return uscc.validate(text)
    except InvalidLength:
        raise InvalidCreditCode("length") from None
    except InvalidChecksum:
        raise InvalidCreditCode("checksum") from None
    except (InvalidFormat, ValidationError):
        raise InvalidCreditCode("format") from None


# ---- stable employees -----------------------------------------------------------------------------
def stable_people(employments: Iterable[Employment], year: int, policy: WorkshopPolicy = DEFAULT_POLICY,
                  active: Span | None = None) -> frozenset[int]:
    """The stable aided employees of a year: people employed on at least `stable_months` month-ends of it."""
    by_person: dict[int, list[Span]] = {}
    for e in employments:
        by_person.setdefault(e.person_id, []).append(e.span)
    return frozenset(p for p, spans in by_person.items()
                     if months_employed(spans, year, active) >= policy.stable_months)


# ---- monitoring -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthFacts:
    """What is known of one month: the aided employees on record, and the report if one was filed."""

    month: Month
    aided: int
    reported: bool = False
    operating: bool = True
    violation: bool = False

    def fits(self, condition: ExitCondition, policy: WorkshopPolicy) -> bool:
        """Whether this month counts toward the condition's run."""
        if condition == ExitCondition.VIOLATION:
            return self.reported and self.violation
        if condition == ExitCondition.HALTED:
            return self.reported and not self.operating
        return self.aided < policy.low_aided_threshold


@dataclass(frozen=True)
class Run:
    """Consecutive months in which one exit condition held: started, lasted `months`, needs `needed`."""

    condition: ExitCondition
    started: Month
    last: Month
    months: int
    needed: int

    @property
    def met(self) -> bool:
        """The run reached its length: an exit proposal is due."""
        return self.months >= self.needed

    @property
    def met_in(self) -> Month | None:
        """The month in which the run reached its length."""
        if not self.met:
            return None
        month = self.started
        for _ in range(self.needed - 1):
            month = next_month(month)
        return month


MONITORED = (ExitCondition.VIOLATION, ExitCondition.HALTED, ExitCondition.LOW_AIDED)


@dataclass(frozen=True)
class Monitoring:
    """The monitoring of a workshop as of its last evaluated month."""

    state: WorkshopState  # NORMAL or WATCH
    ongoing: tuple[Run, ...]  # runs still going in the last month, earliest start first
    met: tuple[Run, ...]  # every run that reached its length, past or ongoing, earliest met first
    last: Month | None  # the last month evaluated

    @property
    def first(self) -> Run | None:
        """The ongoing run that started first: the condition that put the workshop in watch, and since when."""
        return self.ongoing[0] if self.ongoing else None


def _runs(condition: ExitCondition, months: Sequence[MonthFacts], policy: WorkshopPolicy) -> list[Run]:
    """The condition's runs over the months, each a stretch of consecutive months that fit it."""
    runs, start, length, needed = [], None, 0, policy.needed(condition)
    for i, facts in enumerate(months):
        fits = facts.fits(condition, policy)
        if fits:
            start, length = (start or facts.month), length + 1
        if start and (not fits or i == len(months) - 1):
            runs.append(Run(condition, start, facts.month if fits else months[i - 1].month, length, needed))
            start, length = None, 0
    return runs


def monitor(months: Sequence[MonthFacts], policy: WorkshopPolicy = DEFAULT_POLICY) -> Monitoring:
    """The monitoring state from consecutive months (certification month first): watch while a condition's
    run goes on; the runs that reached their length are due an exit proposal. The report-based conditions
    are judged up to the last month reported: months not reported yet at the end leave their runs as they
    stand (going on, not longer); a month without a report before a reported one breaks a run."""
    for before, after in pairwise(months):
        if after.month != next_month(before.month):
            raise ValueError(f"months not consecutive: {before.month} then {after.month}")
    reported = [i for i, f in enumerate(months) if f.reported]
    by_report = months[:reported[-1] + 1] if reported else []
    runs, ongoing = [], []
    for condition in MONITORED:
        series = months if condition == ExitCondition.LOW_AIDED else by_report
        found = _runs(condition, series, policy)
        runs += found
        ongoing += [r for r in found if series and r.last == series[-1].month]
    order = {c: i for i, c in enumerate(MONITORED)}
    ongoing.sort(key=lambda r: (r.started, order[r.condition]))
    met = tuple(sorted((r for r in runs if r.met), key=lambda r: (r.met_in, order[r.condition])))
    last_month = months[-1].month if months else None
    return Monitoring(WorkshopState.WATCH if ongoing else WorkshopState.NORMAL, tuple(ongoing), met, last_month)


# ---- annual assessment ----------------------------------------------------------------------------

def tier_of(stable: int, tiers: Sequence[Tier] = DEFAULT_TIERS) -> int:
    """The tier level reached by `stable` stable aided employees: 0 below the lowest tier, 1 for the lowest..."""
    return sum(1 for t in tiers if stable >= t.minimum)


def reward_of(level: int, tiers: Sequence[Tier] = DEFAULT_TIERS) -> Decimal:
    """The year's reward of a tier level, in 元 (0 for level 0)."""
    return ZERO if level <= 0 else tiers[level - 1].reward.quantize(CENT)


def assessable(year: int, certified_on: date, exited_on: date | None) -> bool:
    """A workshop is assessed for a year it was a workshop on at least one day of."""
    return certified_on <= date(year, 12, 31) and (exited_on is None or exited_on > date(year, 1, 1))


@dataclass(frozen=True)
class YearFacts:
    """What the assessment of one workshop's year rests on."""

    year: int
    certified_on: date
    stable: int
    previous_level: int | None = None  # last year's level (None: not assessed last year)
    in_watch: bool = False  # a condition still ran in the year's last evaluated month
    condition_met: bool = False  # a condition was met in the year, or an exit proposed in it (not rejected)
    exited_on: date | None = None


@dataclass(frozen=True)
class YearResult:
    level: int
    reward: Decimal
    classification: Classification
    withheld: bool  # the workshop exited within the year: no reward


def in_watch_at_year_end(ongoing: bool, year: int, exited_on: date | None) -> bool:
    """年末监测待处置: a condition still runs at the year's end — never for a workshop that exited by then
    (its run ended with the exit; it is classified 调整一批 instead)."""
    return ongoing and not (exited_on is not None and exited_on <= date(year, 12, 31))


def exited_in(facts: YearFacts) -> bool:
    return facts.exited_on is not None and facts.exited_on <= date(facts.year, 12, 31)


def classify(facts: YearFacts, level: int) -> Classification:
    """调整一批 > 新建一批 > 扶持一批 > 升级一批 > 稳定运行, first match wins (see the module's docstring)."""
    previous = facts.previous_level
    if facts.condition_met or exited_in(facts):
        return Classification.ADJUSTED
    if facts.certified_on.year == facts.year:
        return Classification.NEW
    if facts.in_watch or (previous is not None and level < previous):
        return Classification.SUPPORTED
    if previous is not None and level > previous:
        return Classification.UPGRADED
    return Classification.STEADY


def assess(facts: YearFacts, policy: WorkshopPolicy = DEFAULT_POLICY) -> YearResult:
    """The year's tier level, reward and classification; a workshop that exited within the year earns nothing."""
    level = tier_of(facts.stable, policy.tiers)
    withheld = exited_in(facts)
    reward = ZERO if withheld else reward_of(level, policy.tiers)
    return YearResult(level, reward, classify(facts, level), withheld)
