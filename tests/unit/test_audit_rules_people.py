"""The audit's pure rules about people on posts: a payroll line recomputed (吃空饷), a register field's value
at a month's end from its recorded changes (岗在人不在), overlapping windows and crowded households
(一人多岗 / 一户多岗), rotation patterns (轮流坐庄).

Pure: no app, no database. Boundaries first.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.audit.detectors.people_rules import (
    GhostReason,
    LinePay,
    add_months,
    back_and_forth,
    check_days,
    crowded_days,
    ghost_verdict,
    overlapping_pairs,
    rotation_groups,
    rotation_threshold,
    value_at,
    windows_overlap,
)
from portal.payroll.rules import pay_for_month

S = Decimal("600.00")
D = Decimal


def line(amount, duty="21", required=21, window=21, month=21, subsidy=S) -> LinePay:
    return LinePay(D(amount), subsidy, D(duty), required, window, month)


# ---- 吃空饷: the line recomputed ------------------------------------------------------------------------


@pytest.mark.parametrize("amount, duty, window, reasons, at_stake", [
    ("600.00", "21", 21, (), "0.00"),  # a full month earns exactly S
    ("600.01", "21", 21, (GhostReason.OVER_RULE,), "0.01"),  # one fen above S
    ("285.71", "10", 21, (), "0.00"),  # half the duty: 600 × 10 / 21 = 285.714… → 285.71
    ("285.72", "10", 21, (GhostReason.OVER_RULE,), "0.01"),  # the fen above the rounded pay
    ("300.00", "10.5", 21, (), "0.00"),  # half days count half
    ("0.00", "0", 21, (), "0.00"),  # no duty, no pay
    ("0.01", "0", 21, (GhostReason.OVER_RULE,), "0.01"),  # no duty, any pay
    ("600.00", "21", 10, (GhostReason.OVER_RULE,), "314.29"),  # the line's own window caps it at 285.71
])
def test_a_line_is_checked_against_the_pay_rule_for_its_own_marks(amount, duty, window, reasons, at_stake):
    verdict = ghost_verdict(line(amount, duty, window=window), window, window + 9)
    assert verdict.reasons == reasons
    assert verdict.at_stake == D(at_stake)


def test_a_mid_month_joiner_paid_the_rules_share_is_not_ghost_pay():
    # joined on the 16th: 10 of 21 working days in the window, 10 duty days
    pay = pay_for_month(S, D(10), 21, 10, 21)
    verdict = ghost_verdict(line(pay, "10", window=10), 10, 16)
    assert verdict.reasons == () and verdict.at_stake == 0


def test_weekend_duty_inside_the_window_is_allowed_but_not_more_days_than_the_window_has():
    # a window of 5 working days and 7 calendar days: 7 duty days are possible (weekend marks)...
    seven = pay_for_month(S, D(7), 21, 5, 21)
    assert ghost_verdict(line(seven, "7", window=5), 5, 7).reasons == ()
    # ...9 are not: the line says its window had 9 working days, the appointment's real window has 5
    nine = pay_for_month(S, D(9), 21, 9, 21)
    verdict = ghost_verdict(line(nine, "9", window=9), 5, 7)
    assert verdict.reasons == (GhostReason.OUTSIDE_WINDOW,)
    assert verdict.window_pay == pay_for_month(S, D(7), 21, 5, 21)
    assert verdict.at_stake == nine - verdict.window_pay


def test_a_month_outside_the_window_pays_nothing():
    verdict = ghost_verdict(line("600.00"), None, None)
    assert verdict.reasons == (GhostReason.OUTSIDE_WINDOW,)
    assert verdict.at_stake == D("600.00")
    assert ghost_verdict(line("0.00", "0"), None, None).reasons == ()


def test_after_an_exit_or_a_death_everything_paid_is_at_stake():
    exited = ghost_verdict(line("285.71", "10"), None, None, exited=True)
    assert exited.reasons == (GhostReason.EXITED,) and exited.at_stake == D("285.71")
    dead = ghost_verdict(line("600.00"), 21, 31, deceased=True)
    assert dead.reasons == (GhostReason.DECEASED,) and dead.at_stake == D("600.00")
    assert ghost_verdict(line("0.00", "0"), None, None, exited=True, deceased=True).reasons == ()


@given(st.integers(0, 23), st.integers(1, 23), st.integers(1, 23), st.sampled_from(["600.00", "800.00", "1234.56"]))
def test_the_rules_own_pay_is_never_flagged(duty, window, month, subsidy):
    window = min(window, month)
    pay = pay_for_month(D(subsidy), D(duty), month, window, month)
    verdict = ghost_verdict(line(pay, duty, required=month, window=window, month=month, subsidy=D(subsidy)),
                            window, 31)
    assert verdict.reasons == () and verdict.at_stake == 0
    above = ghost_verdict(line(pay + D("0.01"), duty, required=month, window=window, month=month,
                               subsidy=D(subsidy)), window, 31)
    assert above.reasons and above.at_stake == D("0.01")


# ---- a register field at a month's end ------------------------------------------------------------------

OUT, POST = "migrant_out_of_province", "welfare_post"


@pytest.mark.parametrize("changes, day, expected", [
    ([], date(2026, 3, 31), POST),  # no recorded change, record created before: the current value
    ([(date(2026, 3, 31), {"x": POST}, {"x": OUT})], date(2026, 3, 31), OUT),  # a change on the last day counts
    ([(date(2026, 4, 1), {"x": POST}, {"x": OUT})], date(2026, 3, 31), POST),  # the day after: the value it found
    ([(date(2026, 2, 1), None, {"x": OUT}), (date(2026, 6, 1), {"x": OUT}, {"x": POST})], date(2026, 5, 31), OUT),
    ([(date(2026, 2, 1), None, {"x": OUT}), (date(2026, 6, 1), {"x": OUT}, {"x": POST})], date(2026, 6, 30), POST),
    ([(date(2026, 2, 1), None, {"x": OUT})], date(2026, 1, 31), None),  # created later: not known
    ([(date(2026, 2, 1), {"y": 1}, {"y": 2})], date(2026, 3, 31), POST),  # changes of other fields do not count
])
def test_a_field_at_the_end_of_a_day_comes_from_its_recorded_changes(changes, day, expected):
    assert value_at("x", changes, day, POST, date(2026, 1, 1)) == expected


def test_with_no_recorded_change_a_record_created_later_is_not_known():
    assert value_at("x", [], date(2026, 3, 31), OUT, date(2026, 3, 31)) == OUT
    assert value_at("x", [], date(2026, 3, 31), OUT, date(2026, 4, 1)) is None
    assert value_at("x", [], date(2026, 3, 31), OUT, None) is None


# ---- windows: 一人多岗 / 一户多岗 --------------------------------------------------------------------------

JAN1, JUN30, JUL1, DEC31 = date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 1), date(2026, 12, 31)


def test_windows_that_meet_end_to_end_do_not_overlap_and_one_shared_day_does():
    assert windows_overlap((JAN1, JUN30), (JUL1, DEC31)) is None
    assert windows_overlap((JAN1, JUL1), (JUL1, DEC31)) == (JUL1, JUL1)
    assert windows_overlap((JAN1, DEC31), (JUL1, JUL1)) == (JUL1, JUL1)


def test_overlapping_pairs_name_each_pair_once():
    assert overlapping_pairs([(JAN1, JUN30), (JUL1, DEC31)]) == []
    assert overlapping_pairs([(JAN1, DEC31), (JUL1, DEC31), (JUN30, JUL1)]) == [
        (0, 1, (JUL1, DEC31)), (0, 2, (JUN30, JUL1)), (1, 2, (JUL1, JUL1))]


def test_check_days_are_the_first_day_the_starts_and_each_months_first_day():
    days = check_days([(date(2026, 2, 10), DEC31), (date(2025, 5, 1), DEC31)], date(2026, 1, 15), date(2026, 3, 31))
    assert days == [date(2026, 1, 15), date(2026, 2, 1), date(2026, 2, 10), date(2026, 3, 1)]


def test_a_household_is_crowded_only_above_the_limit_of_the_day():
    windows = [(JAN1, JUN30), (JUL1, DEC31), (date(2026, 3, 1), DEC31)]
    days = check_days(windows, JAN1, DEC31)
    assert crowded_days(windows[:2], days, lambda d: 1) == []  # one after the other
    crowded = crowded_days(windows, days, lambda d: 1)
    assert crowded[0] == (date(2026, 3, 1), [0, 2])
    assert crowded_days(windows, days, lambda d: 2) == []  # a limit of two
    assert [d for d, _ in crowded_days(windows, days, lambda d: 2 if d < JUL1 else 1)] == [
        date(2026, m, 1) for m in range(7, 13)]


# ---- 轮流坐庄 ------------------------------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 31), -12) == date(2025, 12, 31)
    assert add_months(date(2026, 3, 15), -14) == date(2025, 1, 15)


def starts(*days_people):
    return [(date.fromisoformat(d), p) for d, p in days_people]


@pytest.mark.parametrize("rows, flagged", [
    ((("2026-01-01", "a"), ("2026-12-31", "b")), False),  # 2 people in 12 months
    ((("2026-01-01", "a"), ("2026-06-01", "b"), ("2026-12-31", "c")), True),  # 3 people in 12 months
    ((("2026-01-01", "a"), ("2026-06-01", "b"), ("2027-01-01", "c")), False),  # exactly 12 months apart: 13 months
    ((("2026-01-01", "a"), ("2026-06-01", "b"), ("2026-09-01", "a")), False),  # 3 terms, 2 people
    ((("2025-02-01", "a"), ("2026-01-02", "b"), ("2026-02-01", "c")), False),  # a sliding window: never 3 at once
    ((("2025-02-01", "a"), ("2026-01-02", "b"), ("2026-01-31", "c")), True),
])
def test_three_people_within_twelve_months(rows, flagged):
    assert bool(rotation_groups(starts(*rows), 3, 12)) is flagged


def test_a_group_lists_the_starts_up_to_the_one_that_completes_it():
    rows = starts(("2025-01-01", "a"), ("2026-01-01", "b"), ("2026-03-01", "c"), ("2026-05-01", "d"))
    assert rotation_groups(rows, 3, 12) == [[1, 2, 3]]
    assert rotation_groups(rows, 3, 24) == [[0, 1, 2], [0, 1, 2, 3]]


def test_a_post_for_several_holders_needs_more_people():
    assert rotation_threshold(3, 1) == 3
    assert rotation_threshold(3, 3) == 5
    assert rotation_threshold(3, 0) == 3
    together = starts(("2026-01-01", "a"), ("2026-01-01", "b"), ("2026-01-01", "c"))
    assert not rotation_groups(together, rotation_threshold(3, 3), 12)


def tenure(home, first, last):
    return (home, date.fromisoformat(first), date.fromisoformat(last))


def test_back_and_forth_between_households():
    a_b_a = [tenure("A", "2026-01-01", "2026-03-31"), tenure("B", "2026-04-01", "2026-06-30"),
             tenure("A", "2026-07-01", "2026-12-31")]
    assert back_and_forth(a_b_a) == [(0, 1, 2)]
    assert back_and_forth(a_b_a[:2]) == []  # A → B is a hand-over, not a rotation
    a_a_b = [tenure("A", "2026-01-01", "2026-03-31"), tenure("A", "2026-04-01", "2026-06-30"),
             tenure("B", "2026-07-01", "2026-12-31")]
    assert back_and_forth(a_a_b) == []


def test_holders_side_by_side_are_not_a_hand_over():
    # a post for two: A and B together, then A's place goes to A's household again
    side_by_side = [tenure("A", "2026-01-01", "2026-06-30"), tenure("B", "2026-01-01", "2026-12-31"),
                    tenure("A", "2026-07-01", "2026-12-31")]
    assert back_and_forth(side_by_side) == []
    # B must have started after A's first tenure ended, and A's return after B's ended
    overlapping_return = [tenure("A", "2026-01-01", "2026-03-31"), tenure("B", "2026-04-01", "2026-08-31"),
                          tenure("A", "2026-08-31", "2026-12-31")]
    assert back_and_forth(overlapping_return) == []
