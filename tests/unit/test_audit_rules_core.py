"""The audit's own rules: the period a run may cover, finding keys, the finding workflow, amounts recovered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.audit.rules import (
    MAX_RUN_MONTHS,
    Month,
    finding_actions,
    months_between,
    near_full,
    next_finding_state,
    period_key,
    period_problem,
    recovered_problem,
)
from portal.core.money import is_money
from portal.core.states import IllegalMove

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("first, last, problem", [
    ("2026-01", "2026-11", None),  # the current month has begun: allowed
    ("2026-01", "2026-12", "period_future"),
    ("2026-05", "2026-04", "period_reversed"),
    ("2026-05", "2026-05", None),
    ("2023-12", "2026-11", None),  # 36 months
    ("2023-11", "2026-11", "period_too_long"),  # 37 months
])
def test_a_run_covers_begun_months_at_most_36(first, last, problem):
    assert period_problem(Month.parse(first), Month.parse(last), TODAY) == problem


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-01", "2026/01", "", "abcd-ef", "1999-12"])
def test_a_month_is_written_year_dash_month(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_months_between_crosses_the_year():
    assert [str(m) for m in months_between(Month(2025, 11), Month(2026, 2))] == [
        "2025-11", "2025-12", "2026-01", "2026-02"]
    assert Month(2026, 2).last == date(2026, 2, 28)
    assert Month(2024, 2).last == date(2024, 2, 29)


@pytest.mark.parametrize("first, last, key", [
    (date(2026, 3, 1), date(2026, 3, 31), "2026-03"),
    (date(2026, 1, 1), date(2026, 12, 31), "2026-01..2026-12"),
    (date(2026, 3, 4), date(2026, 3, 20), "2026-03-04..2026-03-20"),
])
def test_period_keys(first, last, key):
    assert period_key(first, last) == key


def test_the_finding_workflow():
    assert next_finding_state("open", "respond") == "responded"
    assert next_finding_state("responded", "respond") == "responded"
    assert next_finding_state("open", "close") == "closed"
    assert next_finding_state("responded", "close") == "closed"
    assert finding_actions("closed") == frozenset()
    for action in ("respond", "close"):
        with pytest.raises(IllegalMove):
            next_finding_state("closed", action)


@pytest.mark.parametrize("recovered, problem", [
    (Decimal("0.00"), None),
    (Decimal("600.00"), None),
    (Decimal("600.01"), "recovered_above_stake"),
    (Decimal("-0.01"), "recovered_not_money"),
    (Decimal("1.001"), "recovered_not_money"),
    (Decimal("1e40"), "recovered_not_money"),
    (Decimal("NaN"), "recovered_not_money"),
])
def test_the_amount_recovered_never_exceeds_the_amount_at_stake(recovered, problem):
    assert recovered_problem(recovered, Decimal("600.00")) == problem


def test_is_money_is_whole_fen():
    assert is_money(Decimal("1.50")) and not is_money(1.5) and not is_money(Decimal("Infinity"))


@pytest.mark.parametrize("duty, required, percent, full", [
    (Decimal("19.8"), 22, 90, True),  # exactly 90 %
    (Decimal("19.5"), 22, 90, False),
    (Decimal("22"), 22, 100, True),
    (Decimal("5"), 0, 90, False),
])
def test_near_full_attendance(duty, required, percent, full):
    assert near_full(duty, required, percent) is full


def test_the_longest_run_is_three_years():
    assert MAX_RUN_MONTHS == 36
