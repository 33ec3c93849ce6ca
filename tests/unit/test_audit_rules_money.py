"""The pure rules of the detectors about money and records (portal.audit.rules): boundaries first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.audit.detectors.money_rules import (
    BATCH_MIN_HOLDERS,
    batch_month,
    beyond_grace,
    budget_crossing,
    category_eligible,
    employed_at_month_end,
    excess_pay,
    exit_proposed,
    full_attendance,
    ineligible_since,
    is_late,
    late_share,
    month_runs,
    mostly_late,
    overrun,
    payment_overdue_days,
    quota_excess,
    run_length,
    timely_count,
)
from portal.audit.rules import Month

SEP = Month(2026, 9)
ELIGIBLE = ("lifted", "monitored", "low_income")


def _mask(*days: int) -> int:
    return sum(1 << (d - 1) for d in days)


# ---- 补录 late marks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("delay, late", [(7, False), (8, True), (0, False), (6, False), (30, True)])
def test_a_mark_is_late_only_after_more_than_the_set_days(delay, late):
    assert is_late(delay, 7) is late


def test_timely_marks_are_the_histograms_head_up_to_the_first_late_entry():
    assert timely_count("0:20,7:1,8:2,15:1", 7) == 21
    assert timely_count("8:5", 8) == 5
    assert timely_count("8:5", 7) == 0
    assert timely_count("", 7) == 0
    assert timely_count("3:1,12:4,30:2", 12) == 5


@pytest.mark.parametrize("late, total, most", [(5, 10, False), (6, 10, True), (1, 1, True), (0, 0, False)])
def test_most_marks_late_means_more_than_half(late, total, most):
    assert mostly_late(late, total) is most


def test_late_share_of_the_pay():
    assert late_share(Decimal("1200.00"), 22, 44) == Decimal("600")
    assert late_share(Decimal("1200.00"), 0, 44) == 0
    assert late_share(Decimal("1200.00"), 3, 0) == 0


# ---- 福利化 batch-filled ---------------------------------------------------------------------------------------


def test_month_runs_are_consecutive_months():
    months = [Month(2026, 12), Month(2026, 2), Month(2027, 1), Month(2026, 3), Month(2026, 3), Month(2026, 5)]
    assert month_runs(months) == [(Month(2026, 2), Month(2026, 3)), (Month(2026, 5), Month(2026, 5)),
                                  (Month(2026, 12), Month(2027, 1))]
    assert month_runs([]) == []
    assert run_length(Month(2026, 12), Month(2027, 2)) == 3


def test_full_time_full_attendance_is_every_working_day_and_nothing_else():
    working = _mask(1, 2, 3, 6)
    assert full_attendance("full_time", _mask(1, 2, 3, 6), 4, 0, working, 4)
    assert full_attendance("full_time", _mask(1, 2, 3, 6, 7), 5, 0, working, 4)  # a weekend day more
    assert not full_attendance("full_time", _mask(1, 2, 3), 3, 0, working, 4)  # one working day missed
    assert not full_attendance("full_time", _mask(1, 2, 3, 7), 4, 0, working, 4)  # as many, other days
    assert not full_attendance("full_time", _mask(1, 2, 3, 6), 4, 1, working, 4)  # a leave day too
    assert not full_attendance("full_time", 0, 0, 0, 0, 0)  # a month with no working day


@pytest.mark.parametrize("present, full", [(9, False), (10, True), (12, True)])
def test_part_time_full_attendance_is_the_required_days(present, full):
    assert full_attendance("part_time", _mask(*range(1, present + 1)), present, 0, _mask(1), 10) is full


@pytest.mark.parametrize("holders, patterns, full, unmarked, batch", [
    (BATCH_MIN_HOLDERS, 1, True, 0, True), (1, 1, True, 0, False), (5, 2, True, 0, False),
    (5, 1, False, 0, False), (5, 1, True, 1, False)])
def test_a_batch_month_needs_two_holders_all_marked_alike_and_full(holders, patterns, full, unmarked, batch):
    assert BATCH_MIN_HOLDERS == 2
    assert batch_month(holders, patterns, full, unmarked) is batch


# ---- 超编超标 over quota, over standard --------------------------------------------------------------------


@pytest.mark.parametrize("quota, places, on_duty, excess", [
    (3, 3, 3, 0), (3, 4, 3, 1), (3, 3, 5, 2), (None, 9, 9, 0), (0, 1, 0, 1)])
def test_quota_excess_counts_the_larger_of_places_and_holders(quota, places, on_duty, excess):
    assert quota_excess(quota, places, on_duty) == excess


def test_excess_pay_is_proportional_to_the_pay():
    assert excess_pay(Decimal("900.00"), Decimal("900.00"), Decimal("800.00")) == Decimal("100")
    assert excess_pay(Decimal("450.00"), Decimal("900.00"), Decimal("800.00")) == Decimal("50")
    assert excess_pay(Decimal("800.00"), Decimal("800.00"), Decimal("800.00")) == 0  # at the standard
    assert excess_pay(Decimal("900.00"), Decimal("900.00"), None) == 0  # no standard set
    assert excess_pay(Decimal("0.00"), Decimal("900.00"), Decimal("800.00")) == 0


# ---- 拖欠 arrears ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("today, paid_on, days", [
    (date(2026, 10, 5), None, 0), (date(2026, 10, 6), None, 1), (date(2026, 11, 22), date(2026, 10, 5), 0),
    (date(2026, 11, 22), date(2026, 10, 10), 5)])
def test_days_overdue_run_from_the_day_after_the_deadline_to_payment_or_today(today, paid_on, days):
    assert payment_overdue_days(date(2026, 9, 5), paid_on, today, 30) == days


# ---- 重复享受 double benefit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("hire, leave, certified, exited, counted", [
    (date(2026, 9, 30), None, date(2025, 1, 1), None, True),  # hired on the month's last day
    (date(2026, 10, 1), None, date(2025, 1, 1), None, False),
    (date(2026, 6, 1), date(2026, 9, 30), date(2025, 1, 1), None, True),  # leaves on the last day
    (date(2026, 6, 1), date(2026, 9, 29), date(2025, 1, 1), None, False),
    (date(2026, 6, 1), None, date(2026, 9, 30), None, True),  # certified on the last day
    (date(2026, 6, 1), None, date(2025, 1, 1), date(2026, 9, 30), False),  # exited on it
    (date(2026, 6, 1), None, date(2025, 1, 1), date(2026, 10, 1), True)])
def test_an_aided_employee_of_a_month_is_on_the_books_at_its_end(hire, leave, certified, exited, counted):
    assert employed_at_month_end(SEP, hire, leave, certified, exited) is counted


# ---- pay after eligibility ended -----------------------------------------------------------------------------


def test_eligibility_is_the_category():
    assert category_eligible("monitored", ELIGIBLE)
    assert not category_eligible("general", ELIGIBLE)
    assert not category_eligible(None, ELIGIBLE)
    assert category_eligible("general", ("general", "lifted"))


@pytest.mark.parametrize("since, beyond", [(date(2026, 8, 1), True), (date(2026, 8, 2), False),
                                           (date(2026, 9, 1), False)])
def test_the_grace_period_is_counted_to_the_months_first_day(since, beyond):
    assert beyond_grace(since, SEP, 30) is beyond  # 1 Aug → 1 Sep is 31 days


def _change(on: date, before: str, after: str):
    return (on, {"category": before}, {"category": after})


def test_ineligible_since_the_change_that_ended_eligibility():
    created = date(2025, 1, 1)
    changes = [_change(date(2026, 3, 1), "lifted", "general"), _change(date(2026, 5, 1), "general", "general"),
               _change(date(2026, 7, 1), "general", "lifted"), _change(date(2026, 8, 10), "lifted", "general")]
    assert ineligible_since(changes, "general", created, date(2026, 2, 28), ELIGIBLE) is None
    assert ineligible_since(changes, "general", created, date(2026, 3, 1), ELIGIBLE) == date(2026, 3, 1)
    assert ineligible_since(changes, "general", created, date(2026, 6, 1), ELIGIBLE) == date(2026, 3, 1)
    assert ineligible_since(changes, "general", created, date(2026, 7, 1), ELIGIBLE) is None
    assert ineligible_since(changes, "general", created, date(2026, 9, 1), ELIGIBLE) == date(2026, 8, 10)


def test_a_household_registered_ineligible_is_so_since_it_was_created():
    assert ineligible_since([], "general", date(2025, 6, 1), date(2026, 9, 1), ELIGIBLE) == date(2025, 6, 1)
    assert ineligible_since([], "general", date(2026, 9, 2), date(2026, 9, 1), ELIGIBLE) is None  # not yet there
    assert ineligible_since([], "lifted", date(2025, 6, 1), date(2026, 9, 1), ELIGIBLE) is None
    assert ineligible_since([_change(date(2026, 4, 1), "general", "lifted")], "lifted", date(2025, 6, 1),
                            date(2026, 3, 1), ELIGIBLE) == date(2025, 6, 1)


@pytest.mark.parametrize("state, proposed_on, proposed", [
    ("proposed", date(2026, 9, 30), True), ("proposed", date(2026, 10, 1), False), ("approved", date(2026, 9, 1), True),
    ("exited", date(2026, 9, 1), True), ("rejected", date(2026, 9, 1), False), ("withdrawn", date(2026, 9, 1), False)])
def test_an_exit_counts_once_proposed_by_the_months_end_and_not_dropped(state, proposed_on, proposed):
    assert exit_proposed(state, proposed_on, SEP) is proposed


# ---- 挤占挪用 funds overspent ----------------------------------------------------------------------------------


def test_overrun_is_above_the_budget_only():
    assert overrun(Decimal("1000.00"), Decimal("1000.00")) == 0
    assert overrun(Decimal("1000.00"), Decimal("1000.01")) == Decimal("0.01")
    assert overrun(Decimal("0.00"), Decimal("5.00")) == Decimal("5.00")


def test_the_month_spending_crossed_the_budget():
    monthly = [(Month(2026, 3), Decimal("400")), (Month(2026, 1), Decimal("500")), (Month(2026, 2), Decimal("500"))]
    assert budget_crossing(Decimal("1000"), monthly) == Month(2026, 3)  # 1 000 after February: not above
    assert budget_crossing(Decimal("999.99"), monthly) == Month(2026, 2)
    assert budget_crossing(Decimal("1400"), monthly) is None
