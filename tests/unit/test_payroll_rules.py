"""Rule 3, the pay half (在岗领补): pay = min(S×D/R, S×W/M) half-up to the fen; the payroll workflow; arrears.

Pure: no app, no database. Boundaries first.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.attendance.rules import Window, tally
from portal.core.calendar import WorkCalendar
from portal.payroll.rules import (
    PAYROLL_MOVES,
    AdjustmentProblem,
    PayrollAction,
    PayrollState,
    is_overdue,
    month_end,
    month_has_ended,
    next_payroll_state,
    pay_for_month,
    payment_delay,
    payroll_actions,
    required_days,
)
from portal.posts.rules import IllegalMove
from portal.reports.rmb import capital_yuan

S = Decimal("600.00")
CAL = WorkCalendar()


def D(value) -> Decimal:  # reads like the rule's letter
    return Decimal(str(value))


# ---- the pay rule, case by case ------------------------------------------------------------------

CASES = [
    # name, S, D, R, W, M, pay
    ("full_month_earns_exactly_the_subsidy", S, 22, 22, 22, 22, "600.00"),
    ("one_day_short_of_a_full_month", S, 21, 22, 22, 22, "572.73"),
    ("half_duty_earns_half", S, 11, 22, 22, 22, "300.00"),
    ("half_days_count_half", S, "21.5", 22, 22, 22, "586.36"),
    ("all_leave_earns_nothing", S, 0, 22, 22, 22, "0.00"),
    ("one_day_of_duty", S, 1, 22, 22, 22, "27.27"),
    ("joining_mid_month_full_duty_since_joining", S, 11, 22, 11, 22, "300.00"),
    ("joining_on_the_last_working_day", S, 1, 22, 1, 22, "27.27"),
    ("leaving_mid_month_after_five_days", S, 5, 22, 5, 22, "136.36"),
    ("part_time_full_duty_earns_the_subsidy", S, 10, 10, 22, 22, "600.00"),
    ("part_time_more_days_than_required_still_the_subsidy", S, 12, 10, 22, 22, "600.00"),
    ("part_time_half_of_required", S, 5, 10, 22, 22, "300.00"),
    ("part_time_joining_mid_month_is_capped_by_the_window", S, 10, 10, 11, 22, "300.00"),
    ("no_working_day_in_the_month_pays_nothing", S, 0, 0, 0, 0, "0.00"),
    ("no_window_pays_nothing_even_with_duty_recorded", S, 5, 22, 0, 22, "0.00"),
    ("a_zero_subsidy_pays_nothing", D("0.00"), 22, 22, 22, 22, "0.00"),
]


@pytest.mark.parametrize(("name", "subsidy", "duty", "required", "window", "month", "pay"), CASES,
                         ids=[c[0] for c in CASES])
def test_pay_rule_table(name, subsidy, duty, required, window, month, pay):
    result = pay_for_month(subsidy, D(duty), required, window, month)
    assert result == Decimal(pay)
    assert isinstance(result, Decimal) and result.as_tuple().exponent == -2


def test_rounding_is_half_up_at_exactly_half_a_fen():
    # 500.01 × 11 / 22 = 250.005 exactly: half-up gives 250.01 (banker's rounding would give 250.00,
    # and float arithmetic 250.00 too, since 500.01 is not exact in binary)
    exact = Decimal("500.01") * 11 / 22
    assert exact == Decimal("250.005")
    assert exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) == Decimal("250.00")
    assert round(500.01 * 11 / 22, 2) == 250.0
    assert pay_for_month(Decimal("500.01"), D(11), 22, 22, 22) == Decimal("250.01")


def test_rounding_just_below_half_a_fen_goes_down():
    # 100.01 × 1 / 4 = 25.0025 → 25.00; 100.03 × 1 / 4 = 25.0075 → 25.01
    assert pay_for_month(Decimal("100.01"), D(1), 4, 4, 4) == Decimal("25.00")
    assert pay_for_month(Decimal("100.03"), D(1), 4, 4, 4) == Decimal("25.01")


def test_the_window_share_caps_pay_before_rounding():
    # S×D/R = 600 × 10/10 = 600 but S×W/M = 600 × 7/21 = 200: the smaller share wins
    assert pay_for_month(S, D(10), 10, 7, 21) == Decimal("200.00")


# ---- the National Day month, from the China calendar ----------------------------------------------


def test_october_2026_has_18_working_days_with_the_adjusted_saturday():
    # Hand count from the State Council's 2026 schedule (国庆节、中秋节 10月1日至7日放假调休, 10月10日
    # 周六上班): October 2026 has 22 weekdays; 1, 2, 5, 6, 7 October are weekday holidays (−5); Saturday
    # 10 October is a working day (+1): 18.
    days = CAL.month_working_days(2026, 10)
    assert len(days) == 18
    assert date(2026, 10, 10) in days
    assert not {date(2026, 10, d) for d in (1, 2, 5, 6, 7)} & set(days)
    assert date(2026, 10, 11) not in days  # an ordinary Sunday stays off


def _october_marks(mark: str = "present", skip: tuple[date, ...] = (), window: Window | None = None):
    window = window or Window(date(2026, 1, 1), date(2026, 12, 31))
    days = [d for d in CAL.month_working_days(2026, 10) if d in window and d not in skip]
    return tally({d: mark for d in days}, window)


def test_full_duty_in_the_national_day_month_earns_the_subsidy():
    m = len(CAL.month_working_days(2026, 10))
    t = _october_marks()
    assert t.duty_days == 18
    assert pay_for_month(S, t.duty_days, required_days("full_time", m, None), m, m) == S


def test_working_the_adjusted_saturday_is_part_of_full_duty():
    m = len(CAL.month_working_days(2026, 10))
    t = _october_marks(skip=(date(2026, 10, 10),))  # stayed home on the 调休 Saturday
    assert pay_for_month(S, t.duty_days, m, m, m) == Decimal("566.67")  # 600 × 17/18


def test_a_day_with_no_mark_earns_nothing():
    m = len(CAL.month_working_days(2026, 10))
    t = _october_marks(skip=(date(2026, 10, 20),))
    assert (t.present, t.half, t.leave, t.absent) == (17, 0, 0, 0)
    assert pay_for_month(S, t.duty_days, m, m, m) == Decimal("566.67")


def test_joining_after_the_holiday_week_loses_nothing():
    # the first working day of October 2026 is the 8th: an appointment from then serves all 18
    window = Window(date(2026, 10, 8), date(2026, 12, 31))
    assert len(CAL.working_days(window.start, date(2026, 10, 31))) == 18
    assert pay_for_month(S, _october_marks(window=window).duty_days, 18, 18, 18) == S


def test_joining_mid_month_caps_pay_at_the_days_served():
    # appointed from 19 October: working days 19–23 and 26–30, 10 of the month's 18
    window = Window(date(2026, 10, 19), date(2026, 12, 31))
    w = len(CAL.working_days(window.start, date(2026, 10, 31)))
    assert w == 10
    t = _october_marks(window=window)
    assert t.duty_days == 10
    assert pay_for_month(S, t.duty_days, 18, w, 18) == Decimal("333.33")  # 600 × 10/18
    # a part-time post (10 days required) worked 10 days still gets only the window's share
    assert pay_for_month(S, D(10), 10, w, 18) == Decimal("333.33")


# ---- properties -----------------------------------------------------------------------------------

subsidies = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
half_days = st.integers(min_value=0, max_value=62).map(lambda n: Decimal(n) / 2)


@st.composite
def months(draw):
    m = draw(st.integers(min_value=1, max_value=23))
    return draw(st.integers(min_value=1, max_value=31)), draw(st.integers(min_value=0, max_value=m)), m


@given(subsidies, half_days, months())
def test_pay_never_exceeds_the_subsidy_and_has_two_decimals(subsidy, duty, rwm):
    r, w, m = rwm
    pay = pay_for_month(subsidy, duty, r, w, m)
    assert Decimal(0) <= pay <= subsidy
    assert isinstance(pay, Decimal) and pay.as_tuple().exponent == -2


@given(subsidies, half_days, half_days, months())
def test_pay_never_falls_when_duty_rises(subsidy, d1, d2, rwm):
    r, w, m = rwm
    low, high = sorted((d1, d2))
    assert pay_for_month(subsidy, low, r, w, m) <= pay_for_month(subsidy, high, r, w, m)


@given(subsidies, months())
def test_no_duty_no_pay(subsidy, rwm):
    r, w, m = rwm
    assert pay_for_month(subsidy, Decimal(0), r, w, m) == Decimal("0.00")


@given(subsidies, st.integers(min_value=1, max_value=23), st.integers(min_value=0, max_value=8))
def test_full_duty_over_the_whole_month_earns_exactly_the_subsidy(subsidy, m, extra):
    assert pay_for_month(subsidy, Decimal(m + extra), m, m, m) == subsidy


# ---- required days, month end ---------------------------------------------------------------------


@pytest.mark.parametrize(("schedule", "month_days", "part_time", "expected"), [
    ("full_time", 18, None, 18),
    ("full_time", 22, 10, 22),  # a full-time post ignores a stray part-time figure
    ("part_time", 18, 10, 10),
    ("part_time", 18, 25, 25),  # used as the post says; the window share still caps pay
    ("part_time", 18, None, 0),
])
def test_required_days(schedule, month_days, part_time, expected):
    assert required_days(schedule, month_days, part_time) == expected


@pytest.mark.parametrize(("year", "month", "today", "ended"), [
    (2026, 10, date(2026, 10, 31), False),  # the last day is still the month
    (2026, 10, date(2026, 11, 1), True),
    (2026, 12, date(2026, 12, 31), False),
    (2026, 12, date(2027, 1, 1), True),
    (2026, 11, date(2026, 11, 22), False),  # today, in the county
    (2028, 2, date(2028, 2, 29), False),  # leap year
    (2028, 2, date(2028, 3, 1), True),
])
def test_month_has_ended(year, month, today, ended):
    assert month_has_ended(year, month, today) is ended


@pytest.mark.parametrize(("year", "month", "last"), [
    (2026, 10, date(2026, 10, 31)), (2026, 11, date(2026, 11, 30)), (2026, 12, date(2026, 12, 31)),
    (2026, 2, date(2026, 2, 28)), (2028, 2, date(2028, 2, 29)),
])
def test_month_end(year, month, last):
    assert month_end(year, month) == last
    assert month_has_ended(year, month, last + timedelta(days=1))


# ---- the workflow ---------------------------------------------------------------------------------

ALLOWED = [
    ("draft", "submit", "submitted"),
    ("returned", "submit", "submitted"),
    ("submitted", "approve", "approved"),
    ("submitted", "return", "returned"),
    ("approved", "pay", "paid"),
]


@pytest.mark.parametrize(("state", "action", "after"), ALLOWED)
def test_allowed_moves(state, action, after):
    assert next_payroll_state(state, action) == after
    assert action in payroll_actions(state)


ILLEGAL = [(s.value, a.value) for s in PayrollState for a in PayrollAction
           if (s.value, a.value) not in {(x, y) for x, y, _z in ALLOWED}]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_other_move_is_illegal(state, action):
    with pytest.raises(IllegalMove):
        next_payroll_state(state, action)


def test_the_illegal_list_covers_approving_and_paying_twice():
    assert ("approved", "approve") in ILLEGAL and ("paid", "pay") in ILLEGAL and ("paid", "submit") in ILLEGAL
    assert len(ILLEGAL) + len(ALLOWED) == len(PayrollState) * len(PayrollAction)
    assert len(PAYROLL_MOVES) == len(ALLOWED)


@pytest.mark.parametrize(("state", "action"), [("draft", "delete"), ("lost", "submit"), ("", "")])
def test_unknown_states_and_actions_are_illegal(state, action):
    with pytest.raises(IllegalMove):
        next_payroll_state(state, action)


def test_a_paid_payroll_has_no_move_left():
    assert payroll_actions("paid") == frozenset()


# ---- adjustment lines -----------------------------------------------------------------------------

NOV = (2026, 11)


def problems(adjusts=(2026, 10), amount="50.00", reason="少记出勤 2 天", total_after="1000.00"):
    from portal.payroll.rules import adjustment_problems

    return adjustment_problems(NOV, adjusts, Decimal(amount), S, reason, Decimal(total_after))


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, []),
    ({"adjusts": (2026, 11)}, [AdjustmentProblem.MONTH_NOT_EARLIER]),  # its own month
    ({"adjusts": (2026, 12)}, [AdjustmentProblem.MONTH_NOT_EARLIER]),
    ({"adjusts": (2025, 11)}, []),  # exactly twelve months back
    ({"adjusts": (2025, 10)}, [AdjustmentProblem.MONTH_TOO_OLD]),
    ({"amount": "0"}, [AdjustmentProblem.ZERO]),
    ({"amount": "-0.01"}, []),
    ({"amount": "7200.00"}, []),  # a year of subsidy either way
    ({"amount": "-7200.00"}, []),
    ({"amount": "7200.01"}, [AdjustmentProblem.TOO_LARGE]),
    ({"amount": "-7200.01"}, [AdjustmentProblem.TOO_LARGE]),
    ({"reason": "  "}, [AdjustmentProblem.NO_REASON]),
    ({"total_after": "0.00"}, []),
    ({"total_after": "-0.01"}, [AdjustmentProblem.NEGATIVE_TOTAL]),
    ({"adjusts": (2026, 11), "amount": "0", "reason": "", "total_after": "-1"},
     [AdjustmentProblem.MONTH_NOT_EARLIER, AdjustmentProblem.ZERO, AdjustmentProblem.NO_REASON,
      AdjustmentProblem.NEGATIVE_TOTAL]),
])
def test_adjustment_problems(kwargs, expected):
    assert problems(**kwargs) == expected


# ---- arrears (拖欠) --------------------------------------------------------------------------------

APPROVED = date(2026, 11, 5)


@pytest.mark.parametrize(("today", "overdue", "days_over"), [
    (APPROVED, False, 0),
    (date(2026, 12, 5), False, 0),  # the 30th day after approval: the deadline day itself
    (date(2026, 12, 6), True, 1),  # the day after
    (date(2027, 1, 4), True, 30),
])
def test_overdue_after_the_deadline(today, overdue, days_over):
    assert is_overdue(APPROVED, today, 30) is overdue
    delay = payment_delay(2026, 10, date(2026, 11, 3), APPROVED, today, 30)
    assert delay.overdue_days == days_over


def test_the_delay_is_split_by_stage():
    delay = payment_delay(2026, 10, date(2026, 11, 3), APPROVED, date(2026, 12, 10), 30)
    assert (delay.village_days, delay.township_days, delay.payment_days, delay.overdue_days) == (3, 2, 35, 5)


def test_an_unapproved_payroll_is_never_overdue():
    assert is_overdue(None, date(2030, 1, 1), 30) is False


def test_a_shorter_county_deadline():
    assert is_overdue(APPROVED, date(2026, 11, 20), 15) is False
    assert is_overdue(APPROVED, date(2026, 11, 21), 15) is True


# ---- the total in capitals (大写金额) on the sheet -------------------------------------------------


@pytest.mark.parametrize(("amount", "words"), [
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角整"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("105", "壹佰零伍元整"),
    ("600", "陆佰元整"),
    ("1005", "壹仟零伍元整"),
    ("1234.50", "壹仟贰佰叁拾肆元伍角整"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),  # 角 zero, 分 not: 元零肆分
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("107000.53", "壹拾万零柒仟元伍角叁分"),
    ("20100", "贰万零壹佰元整"),
    ("10010000", "壹仟零壹万元整"),
    ("100000000", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("-50", "负伍拾元整"),
])
def test_capital_numerals(amount, words):
    assert capital_yuan(Decimal(amount)) == words
