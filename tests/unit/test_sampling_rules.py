"""Field-check sampling rules: sample sizes (confidence and margin, percentage), the allocation over
townships, the reproducible draw, and the Wilson interval of the faulty share."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.audit.sampling.rules import (
    Method,
    allocate,
    check_complete,
    check_failed,
    draw,
    parse_period,
    size_by_confidence,
    size_by_percent,
    wilson,
    z_score,
)


@pytest.mark.parametrize("population, confidence, margin, expected", [
    (10_000, 95, 5, 370),  # the textbook case: n0 = 384.15, corrected for N = 10 000
    (1_000_000, 95, 5, 384),  # a huge population: barely corrected
    (500, 95, 5, 218),
    (100, 95, 5, 80),
    (10, 95, 5, 10),  # a small population: nearly everything
    (1, 95, 5, 1),
    (0, 95, 5, 0),
    (10_000, 99, 5, 623),
    (10_000, 90, 5, 264),
    (10_000, 95, 10, 96),
])
def test_size_from_confidence_and_margin(population, confidence, margin, expected):
    size = size_by_confidence(population, confidence, margin)
    assert size.n == expected
    assert size.method == Method.CONFIDENCE


def test_the_formula_is_shown_with_its_figures():
    size = size_by_confidence(10_000, 95, 5)
    assert math.isclose(size.n0, 384.146, abs_tol=0.01)
    assert "1.960" in size.formula and "384.15" in size.formula and size.formula.endswith("= 370")


def test_z_scores():
    assert math.isclose(z_score(95), 1.95996, abs_tol=1e-4)
    assert math.isclose(z_score(99), 2.5758, abs_tol=1e-4)
    with pytest.raises(ValueError):
        z_score(100)


@pytest.mark.parametrize("population, percent, strata, expected", [
    (1000, 5, 3, 50),
    (1001, 5, 3, 51),  # rounded up
    (20, 5, 3, 3),  # at least one line in each township
    (2, 5, 3, 2),  # never more than there are
    (0, 5, 3, 0),
    (100, 100, 1, 100),
])
def test_size_from_a_percentage_with_one_per_township(population, percent, strata, expected):
    assert size_by_percent(population, percent, strata).n == expected


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError):
        size_by_percent(10, 0)
    with pytest.raises(ValueError):
        size_by_confidence(10, 95, 0)
    with pytest.raises(ValueError):
        size_by_confidence(10, 95, 25)


def test_proportional_allocation_with_one_per_stratum():
    assert allocate({"a": 600, "b": 300, "c": 100}, 10) == {"a": 6, "b": 3, "c": 1}
    assert allocate({"a": 990, "b": 5, "c": 5}, 10) == {"a": 8, "b": 1, "c": 1}  # the small townships still get one
    assert allocate({"a": 5, "b": 0}, 3) == {"a": 3, "b": 0}
    assert allocate({"a": 2, "b": 1}, 10) == {"a": 2, "b": 1}  # never more than a stratum holds


@given(st.dictionaries(st.integers(1, 30), st.integers(0, 500), min_size=1, max_size=8), st.integers(1, 2000))
def test_allocation_adds_up_and_stays_inside_each_stratum(strata, n):
    given_ = allocate(strata, n)
    nonempty = [k for k, v in strata.items() if v]
    total = sum(strata.values())
    assert all(0 <= given_[k] <= strata[k] for k in strata)
    assert all(given_[k] >= 1 for k in nonempty)
    if total:
        assert sum(given_.values()) == min(total, max(n, len(nonempty)))


def test_the_same_seed_draws_the_same_sample():
    strata = {1: list(range(100, 200)), 2: list(range(500, 530))}
    allocation = {1: 7, 2: 3}
    first = draw(strata, allocation, seed=12345)
    assert first == draw({2: list(reversed(strata[2])), 1: strata[1]}, allocation, seed=12345)  # order-proof
    assert len(first) == 10 and len(set(first)) == 10
    assert sum(1 for x in first if x >= 500) == 3
    assert first != draw(strata, allocation, seed=12346)


@pytest.mark.parametrize("faulty, checked, low, high", [
    (0, 10, 0.0, 0.2775),  # none faulty: the interval still reaches 27.8 %
    (10, 10, 0.7225, 1.0),
    (5, 10, 0.2366, 0.7634),
    (1, 100, 0.0018, 0.0545),
])
def test_wilson_interval(faulty, checked, low, high):
    est = wilson(faulty, checked, 95)
    assert est.share == faulty / checked
    assert math.isclose(est.low, low, abs_tol=1e-3) and math.isclose(est.high, high, abs_tol=1e-3)
    assert 0 <= est.low <= est.share <= est.high <= 1


def test_wilson_needs_checked_lines():
    with pytest.raises(ValueError):
        wilson(0, 0)
    with pytest.raises(ValueError):
        wilson(3, 2)


@pytest.mark.parametrize("answers, failed, complete", [
    ((None, None, None), False, False),
    ((True, None, None), False, False),
    ((True, True, True), False, True),
    ((False, None, None), True, True),
    ((True, True, False), True, True),
])
def test_a_check_fails_on_any_no(answers, failed, complete):
    assert check_failed(*answers) is failed
    assert check_complete(*answers) is complete


@pytest.mark.parametrize("text, expected", [
    ("2026-10", (2026, 10, 10, "2026-10")), ("2026-3", (2026, 3, 3, "2026-03")),
    ("2026-q4", (2026, 10, 12, "2026-Q4")), ("2026-Q1", (2026, 1, 3, "2026-Q1")),
])
def test_periods(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["2026", "2026-13", "2026-Q5", "x-01", "1999-01"])
def test_bad_periods(text):
    with pytest.raises(ValueError):
        parse_period(text)
