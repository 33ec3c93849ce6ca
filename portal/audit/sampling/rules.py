"""Social-audit sampling (抽查) as pure rules: how many payroll lines to draw, how to spread them over the
townships, which lines a seed draws, and what the checked lines say about all of them.

- Size by percentage: the county's share of the lines, rounded up, at least one line in every township
  (so every township has at least one village visited).
- Size by confidence and margin of error (as UNICEF HOPE sizes payment verifications):
  n0 = z²·p(1−p)/e² with p = 0.5 (the most cautious share), then the finite-population correction
  n = n0 / (1 + (n0 − 1)/N), rounded up. 95 % and 5 % over 10 000 lines → 370.
- Stratified by township with proportional allocation (largest remainders), at least one line per
  township that has lines, never more than a township has.
- Reproducible: the draw is random.Random(seed) over the strata and lines in a fixed order, so the
  stored seed draws the same sample again.
- Estimate: the share of faulty lines among the checked ones, with its Wilson score interval.
No flask, no database.
"""

from __future__ import annotations

import enum
import math
import random
import secrets
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

CONFIDENCE_LEVELS = (80, 90, 95, 99)
MAX_MARGIN = 20  # percent
P = 0.5  # the assumed faulty share that makes the sample largest
SEED_LIMIT = 2**31 - 1  # a seed fits an INTEGER column


class Method(enum.StrEnum):
    PERCENT = "percent"
    CONFIDENCE = "confidence"


def z_score(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level in percent (95 → 1.96)."""
    if not 0 < confidence < 100:
        raise ValueError("confidence lies between 0 and 100")
    return NormalDist().inv_cdf(0.5 + confidence / 200)


@dataclass(frozen=True)
class Size:
    """A sample size with the working behind it, for the page and the report."""

    population: int
    n: int
    method: Method
    n0: float = 0.0  # before the finite-population correction (confidence method)
    z: float = 0.0
    percent: float = 0.0
    margin_text: str = ""  # e as written in the formula (0.05)

    @property
    def formula(self) -> str:
        """The computation in one line, with the figures filled in."""
        if self.method == Method.PERCENT:
            return f"n = ⌈{self.population} × {self.percent:g}%⌉ = {self.n}"
        return (f"n₀ = z²·p(1−p)/e² = {self.z:.3f}² × 0.5 × 0.5 / {self.margin_text}² = {self.n0:.2f}; "
                f"n = n₀ / (1 + (n₀ − 1)/N) = {self.n0:.2f} / (1 + {self.n0 - 1:.2f}/{self.population}) "
                f"= {self.n}")


def size_by_confidence(population: int, confidence: float, margin: float) -> Size:
    """Lines to draw from `population` for `confidence` % and a margin of error of `margin` %."""
    if population < 0:
        raise ValueError("population")
    if not 0 < margin <= MAX_MARGIN:
        raise ValueError("margin lies between 0 and 20 %")
    z = z_score(confidence)
    e = margin / 100
    n0 = z * z * P * (1 - P) / (e * e)
    if population == 0:
        n = 0
    else:
        n = math.ceil(n0 / (1 + (n0 - 1) / population) - 1e-9)
        n = max(1, min(n, population))
    return Size(population, n, Method.CONFIDENCE, n0=n0, z=z, margin_text=f"{e:g}")


def size_by_percent(population: int, percent: float, strata: int = 1) -> Size:
    """The county's share of the lines, rounded up, and at least one line per township (`strata`)."""
    if not 0 < percent <= 100:
        raise ValueError("percent lies between 0 and 100")
    if population <= 0:
        return Size(0, 0, Method.PERCENT, percent=percent)
    n = math.ceil(population * percent / 100 - 1e-9)
    n = min(population, max(n, strata, 1))
    return Size(population, n, Method.PERCENT, percent=percent)


def allocate(strata: Mapping[Hashable, int], n: int) -> dict[Hashable, int]:
    """Spread `n` lines over strata of the given sizes in proportion (largest remainders), at least one per
    non-empty stratum and never more than it holds. The result adds up to n (or to everything, when n is larger)."""
    sizes = {k: v for k, v in strata.items() if v > 0}
    total = sum(sizes.values())
    if total == 0 or n <= 0:
        return {k: 0 for k in strata}
    n = min(n, total)
    n = max(n, len(sizes))  # one per stratum is the floor
    share = {k: n * v / total for k, v in sizes.items()}
    given = {k: min(v, max(1, math.floor(share[k]))) for k, v in sizes.items()}
    left = n - sum(given.values())
    # Largest remainder first; ties by the bigger stratum, then by key (repeatable).
    order = sorted(sizes, key=lambda k: (-(share[k] - math.floor(share[k])), -sizes[k], str(k)))
    while left > 0:
        moved = False
        for k in order:
            if left > 0 and given[k] < sizes[k]:
                given[k] += 1
                left -= 1
                moved = True
        if not moved:
            break
    while left < 0:  # the floor of one per stratum overshot: take back from the largest allocations
        k = max((k for k in given if given[k] > 1), key=lambda k: (given[k] - share[k], str(k)))
        given[k] -= 1
        left += 1
    return {k: given.get(k, 0) for k in strata}


def draw(strata: Mapping[Hashable, Sequence[int]], allocation: Mapping[Hashable, int], seed: int) -> list[int]:
    """The ids drawn: from each stratum (in key order) `allocation[k]` of its ids (sorted), by one
    random.Random(seed). The same strata, allocation and seed draw the same ids."""
    rng = random.Random(seed)
    chosen: list[int] = []
    for key in sorted(strata, key=str):
        ids = sorted(strata[key])
        take = min(allocation.get(key, 0), len(ids))
        chosen += sorted(rng.sample(ids, take))
    return chosen


def new_seed() -> int:
    """A fresh seed for a draw (shown and stored, so the draw can be repeated)."""
    return secrets.randbelow(SEED_LIMIT) + 1


@dataclass(frozen=True)
class Estimate:
    faulty: int
    checked: int
    share: float
    low: float
    high: float
    confidence: float


def wilson(faulty: int, checked: int, confidence: float = 95) -> Estimate:
    """The faulty share among `checked` lines with its Wilson score interval at `confidence` %."""
    if checked <= 0 or not 0 <= faulty <= checked:
        raise ValueError("need 0 ≤ faulty ≤ checked and checked > 0")
    z = z_score(confidence)
    p = faulty / checked
    denominator = 1 + z * z / checked
    centre = (p + z * z / (2 * checked)) / denominator
    half = z * math.sqrt(p * (1 - p) / checked + z * z / (4 * checked * checked)) / denominator
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    if faulty == 0:
        low = 0.0
    if faulty == checked:
        high = 1.0
    return Estimate(faulty, checked, p, low, high, confidence)


def check_failed(on_duty: bool | None, amount_matches: bool | None, account_is_own: bool | None) -> bool:
    """A line fails its check when any of the three answers is No (unanswered is not a failure)."""
    return False in (on_duty, amount_matches, account_is_own)


def check_complete(on_duty: bool | None, amount_matches: bool | None, account_is_own: bool | None) -> bool:
    """A line is checked once all three answers are given, or once any is No (a failure needs no more)."""
    answers = (on_duty, amount_matches, account_is_own)
    return None not in answers or False in answers


QUARTERS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}


def parse_period(text: str) -> tuple[int, int, int, str]:
    """`2026-10` (a month) or `2026-Q4` (a quarter) → (year, first month, last month, canonical text)."""
    text = str(text).strip().upper()
    year_part, _sep, rest = text.partition("-")
    if not year_part.isdigit() or not 2000 <= int(year_part) <= 2100:
        raise ValueError(text)
    year = int(year_part)
    if rest.startswith("Q") and rest[1:].isdigit() and int(rest[1:]) in QUARTERS:
        first, last = QUARTERS[int(rest[1:])]
        return year, first, last, f"{year}-Q{int(rest[1:])}"
    if rest.isdigit() and 1 <= int(rest) <= 12:
        return year, int(rest), int(rest), f"{year}-{int(rest):02d}"
    raise ValueError(text)
