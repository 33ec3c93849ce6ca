"""Approval re-checks the limits (Rule 1): the standard and quota of the approval day, against the village's
other approved posts only — boundaries first."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.posts.plans.rules import approval_limit_problems
from tests.unit.test_posts_rules import plan


@pytest.mark.parametrize("headcount, approved, quota, codes", [
    (2, 8, 10, []),  # exactly the quota
    (2, 9, 10, ["over_quota"]),  # one over
    (1, 0, 0, ["over_quota"]),  # a quota of 0 takes nobody
    (2, 0, None, ["quota_not_set"]),
])
def test_the_quota_of_the_approval_day_counts_approved_posts(headcount, approved, quota, codes):
    found = approval_limit_problems(plan(headcount=headcount), Decimal("1000.00"), quota, approved)
    assert [p.code for p in found] == codes


@pytest.mark.parametrize("subsidy, standard, codes", [
    ("800.00", "800.00", []),
    ("800.01", "800.00", ["over_standard"]),
    ("800.00", None, ["standard_not_set"]),
])
def test_the_standard_of_the_approval_day_bounds_the_subsidy(subsidy, standard, codes):
    found = approval_limit_problems(plan(subsidy=Decimal(subsidy)), Decimal(standard) if standard else None, 10, 0)
    assert [p.code for p in found] == codes


def test_shape_problems_are_not_the_approvals_business():
    assert approval_limit_problems(plan(title="", need_reason="短"), Decimal("1000.00"), 10, 0) == []
