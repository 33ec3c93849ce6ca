"""The county's workshop settings as a value: the reward tier table and the exit conditions, with their
defaults (domain.md "Policy parameters"). Pure; `workshops.settings` stores and dates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from portal.core.calendar import WorkCalendar
from portal.core.money import CENT
from portal.registry.ledger.format import read_categories
from portal.workshops.states import ExitCondition

MAX_MONEY = Decimal("1000000000")  # 10亿: anything above is a typing slip
MAX_EMPLOYEES = 100_000


@dataclass(frozen=True, order=True)
class Tier:
    """A reward tier: at least `minimum` stable aided employees earn `reward` 元 for the year."""

    minimum: int
    reward: Decimal


# Household categories whose members may count as aided employees (吸纳脱贫劳动力); a general household never.
AIDED_CHOICES = ("lifted", "monitored", "low_income")
DEFAULT_AIDED = frozenset({"lifted", "monitored"})

# The whole-number settings and the values each accepts (least, most).
RANGES = {"halt_months": (1, 120), "low_aided_threshold": (1, 120), "low_aided_months": (1, 120),
          "notice_working_days": (1, 120), "stable_months": (1, 12)}

DEFAULT_TIERS = (Tier(5, Decimal("10000")), Tier(10, Decimal("20000")), Tier(20, Decimal("30000")),
                 Tier(30, Decimal("50000")))


def is_money(value) -> bool:
    """A finite Decimal in whole fen."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    try:
        return value == value.quantize(CENT)
    except InvalidOperation:
        return False


def tiers_problem(tiers: Sequence[Tier]) -> str | None:
    """Why a tier table is unusable (None: it is usable): minimums from 1 rising, rewards above 0 in whole
    fen rising with them."""
    if not tiers:
        return "empty"
    for i, tier in enumerate(tiers):
        if isinstance(tier.minimum, bool) or not isinstance(tier.minimum, int) \
                or not 1 <= tier.minimum <= MAX_EMPLOYEES:
            return "minimum"
        if not is_money(tier.reward) or not 0 < tier.reward <= MAX_MONEY:
            return "reward"
        if i and (tier.minimum <= tiers[i - 1].minimum or tier.reward <= tiers[i - 1].reward):
            return "order"
    return None


@dataclass(frozen=True)
class WorkshopPolicy:
    """The county's workshop settings (domain.md "Policy parameters"), with their defaults."""

    tiers: tuple[Tier, ...] = DEFAULT_TIERS  # lowest first
    halt_months: int = 3  # halted this many consecutive months: exit
    low_aided_threshold: int = 5  # fewer aided employees than this ...
    low_aided_months: int = 6  # ... for this many consecutive months: exit
    notice_working_days: int = 5  # 摘牌公示, start day not counted
    stable_months: int = 6  # month-ends employed in the year to count as a stable aided employee
    aided_categories: frozenset[str] = DEFAULT_AIDED  # households whose members count as aided employees

    def __post_init__(self):
        object.__setattr__(self, "tiers", tuple(self.tiers))
        problem = tiers_problem(self.tiers)
        if problem:
            raise ValueError(f"tier table: {problem}")
        for name, (least, most) in RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
                raise ValueError(f"{name} must be a whole number from {least} to {most}")
        object.__setattr__(self, "aided_categories", frozenset(self.aided_categories))
        if not self.aided_categories or not self.aided_categories <= set(AIDED_CHOICES):
            raise ValueError(f"aided_categories must be some of {AIDED_CHOICES}")

    def is_aided(self, household_category: str) -> bool:
        """An employee is aided (脱贫劳动力) when their household's category is one the county counts."""
        return household_category in self.aided_categories

    def needed(self, condition: ExitCondition) -> int:
        """How many consecutive months meet the condition (a violation: one)."""
        return {ExitCondition.VIOLATION: 1, ExitCondition.HALTED: self.halt_months,
                ExitCondition.LOW_AIDED: self.low_aided_months}[ExitCondition(condition)]


DEFAULT_POLICY = WorkshopPolicy()


def parse_tiers(text: str) -> tuple[Tier, ...]:
    """A tier table from its stored text `5:10000,10:20000,20:30000,30:50000` (any order; Chinese commas,
    semicolons and colons accepted); ValueError when it is not a usable table."""
    raw = str(text or "").replace("，", ",").replace("；", ",").replace(";", ",").replace("：", ":")
    tiers = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        minimum, sep, reward = part.partition(":")
        try:
            if not sep:
                raise ValueError(part)
            tiers.append(Tier(int(minimum.strip()), Decimal(reward.strip())))
        except (ValueError, InvalidOperation):
            raise ValueError(f"not a tier: {part}") from None
    tiers.sort()
    problem = tiers_problem(tiers)
    if problem:
        raise ValueError(f"tier table: {problem}")
    return tuple(tiers)


def format_tiers(tiers: Sequence[Tier]) -> str:
    """The stored text of a tier table, lowest tier first (`5:10000,10:20000,...`)."""
    return ",".join(f"{t.minimum}:{t.reward.normalize():f}" for t in sorted(tiers))


def notice_end(start: date, policy: WorkshopPolicy, calendar: WorkCalendar) -> date:
    """The last day of a 摘牌公示 posted on `start`: the N-th working day after it (start not counted)."""
    return calendar.add_working_days(start, policy.notice_working_days)


def parse_categories(text: str) -> frozenset[str]:
    """A set of household categories from its stored text `lifted,monitored`, or as typed in Chinese (脱贫户，监测户);
    UnknownWords (a ValueError) names a word that is not one of AIDED_CHOICES."""
    return read_categories(text, AIDED_CHOICES)


def format_categories(categories) -> str:
    """The stored text of a set of household categories, in the order of AIDED_CHOICES."""
    return ",".join(c for c in AIDED_CHOICES if c in set(categories))
