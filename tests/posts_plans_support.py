"""Shared set-up for the post plan tests: standards, quotas, a plan, users by name."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.accounts.models import User
from portal.core import settings as county_settings
from portal.extensions import db
from portal.posts import settings
from portal.posts.plans import service as plans
from portal.posts.plans.rules import term_last_day


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def start() -> date:
    """A post start inside the open months: the first day of the current month."""
    return county_settings.first_open_day()


def setup_county(standard: str = "800.00", quota: int = 6) -> None:
    """County A: a standard for cleaning, a quota for villages a1a and a1b, from this month on."""
    admin = user("admin")
    settings.set_standard(admin, "cleaning", Decimal(standard), start())
    for village in (user("clerk").village_id, user("clerk_b").village_id):
        settings.set_quota(admin, village, quota, start())


def plan_data(**changes) -> plans.PlanData:
    values = dict(category="cleaning", title="保洁员", duties="村道和公共场所保洁", workload_amount=Decimal("5"),
                  workload_unit="公里", headcount=2, schedule="full_time", required_days=None,
                  subsidy=Decimal("800.00"), funding_source="linkage_fund", start_date=start(),
                  end_date=term_last_day(start()), need_reason="村内道路长，需要专人每天打扫保洁")
    return plans.PlanData(**(values | changes))


def new_plan(clerk: str = "clerk", **changes):
    return plans.create_plan(user(clerk), plan_data(**changes))


def approved_plan(**changes):
    post = new_plan(**changes)
    plans.submit(user("clerk"), post)
    plans.approve(user("reviewer"), post)
    return post


def day_before_open() -> date:
    return start() - timedelta(days=1)
