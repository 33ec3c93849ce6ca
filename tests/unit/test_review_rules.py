"""Decision support for reviewers (issue 14): the flags of a payroll line beside last month's, and a post plan's
quota and standard, at their boundaries. Pure rules, no app."""

from decimal import Decimal

import pytest

from portal.payroll.rules import LineFlag, line_flags
from portal.posts.plans.rules import QuotaUse, within_standard

S = Decimal("800.00")
NEW, ABOVE, FULL, ZERO = (LineFlag.NEW_HOLDER, LineFlag.ABOVE_LAST_MONTH, LineFlag.FULL_PAY_WITH_LEAVE,
                          LineFlag.ZERO_DAYS)


def flags(amount="600.00", duty="15", leave=0, absent=0, last="600.00", compared=True):
    return line_flags(Decimal(amount), S, Decimal(duty), leave, absent,
                      None if last is None else Decimal(last), compared)


def test_a_line_like_last_month_raises_nothing():
    assert flags() == []


@pytest.mark.parametrize("last, compared, expected", [
    (None, True, [NEW]),  # not on last month's payroll
    ("0.00", True, [ABOVE]),  # on it with nothing: not new, but paid more now
    (None, False, []),  # no payroll last month: nothing to compare with
])
def test_a_new_holder_is_one_without_a_line_last_month(last, compared, expected):
    assert flags(last=last, compared=compared) == expected


@pytest.mark.parametrize("amount, last, expected", [
    ("600.00", "600.00", []),  # the same is not above
    ("600.01", "600.00", [ABOVE]),  # a fen more is
    ("599.99", "600.00", []),  # less is never flagged
])
def test_pay_above_last_month_is_strictly_more(amount, last, expected):
    assert flags(amount=amount, last=last) == expected


def test_nothing_is_above_without_a_payroll_to_compare_with():
    assert flags(amount="800.00", last=None, compared=False) == []


@pytest.mark.parametrize("amount, leave, absent, expected", [
    ("800.00", 0, 0, []),  # full pay, full duty
    ("800.00", 1, 0, [FULL]),  # full pay with a day of leave
    ("800.00", 0, 1, [FULL]),  # full pay with a day absent
    ("799.99", 1, 1, []),  # a fen short of the subsidy is not full pay
])
def test_full_pay_with_leave_or_absence(amount, leave, absent, expected):
    assert flags(amount=amount, leave=leave, absent=absent, last=amount) == expected


@pytest.mark.parametrize("duty, expected", [("0", [ZERO]), ("0.0", [ZERO]), ("0.5", [])])
def test_zero_duty_days(duty, expected):
    amount = "0.00" if Decimal(duty) == 0 else "19.05"
    assert flags(amount=amount, duty=duty, last=amount) == expected


def test_a_new_holder_with_nothing_done_carries_both_flags_in_order():
    assert flags(amount="0.00", duty="0", leave=2, last=None) == [NEW, ZERO]


@pytest.mark.parametrize("quota, approved, asked, left, left_after, fits", [
    (6, 4, 2, 2, 0, True),  # the last places: fits exactly
    (6, 4, 3, 2, -1, False),  # one over
    (6, 7, 1, -1, -2, False),  # already over before
    (None, 0, 1, None, None, False),  # no quota set: approval is refused
])
def test_quota_left_once_the_plan_is_approved(quota, approved, asked, left, left_after, fits):
    use = QuotaUse(quota, approved, 0, asked)
    assert (use.left, use.left_after, use.fits) == (left, left_after, fits)


@pytest.mark.parametrize("waiting, contested", [(0, False), (2, False), (3, True)])
def test_plans_waiting_contest_the_places_left(waiting, contested):
    assert QuotaUse(10, 6, waiting, 2).contested is contested  # 2 places left after this plan


@pytest.mark.parametrize("subsidy, standard, ok", [
    ("800.00", "800.00", True), ("800.01", "800.00", False), ("1.00", None, False)])
def test_the_subsidy_may_equal_the_standard_never_exceed_it(subsidy, standard, ok):
    assert within_standard(Decimal(subsidy), None if standard is None else Decimal(standard)) is ok
