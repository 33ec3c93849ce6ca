"""Rule 1 — set posts by need (按需设岗): a post plan against its standard, quota and term; vacancies.

Decisions where domain.md is silent:
- A post term runs from `start` to `end`, both days included, and may not pass the day before the same
  date `max_term_months` (12) later: 1 Jan 2026 → 31 Dec 2026 at most; 29 Feb 2028 → 28 Feb 2029. The
  limit is kept in months, not days, so that a leap year neither shortens nor lengthens "one year".
- A missing subsidy standard or village quota refuses the plan: the county admin must set them first.
- `headcount_in_use` is the headcount of the village's other posts that are submitted or approved
  (not draft, returned or closed); the plan under check is never part of it.
- Money must be a Decimal in whole fen; the subsidy may equal the standard, never exceed it by a fen.
- The need reason must be a real sentence: at least 10 characters after trimming.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portal.core.money import is_money
from portal.posts.rules import DEFAULT_POLICY, FundingSource, Policy, PostCategory, PostState, Schedule
from portal.registry.rules import Problem

NEED_REASON_MIN = 10  # characters, trimmed
TITLE_MAX = 60
MAX_REQUIRED_DAYS = 31


@dataclass
class PostPlan:
    """A post as the village proposes it (the fields of Rule 1)."""

    category: str
    title: str
    duties: str
    workload_amount: Decimal
    workload_unit: str
    headcount: int
    schedule: str
    required_days: int | None
    subsidy: Decimal  # 元/月
    funding_source: str
    start: date
    end: date
    need_reason: str = ""


def _params(**values) -> tuple[tuple[str, str], ...]:
    return tuple((key, str(value)) for key, value in values.items())


def _yuan(value: Decimal) -> str:
    return f"{value:.2f}"


def term_last_day(start: date, policy: Policy = DEFAULT_POLICY) -> date:
    """The latest end of a term starting on `start`: the day before the same date max_term_months later."""
    months = start.month - 1 + policy.max_term_months
    year, month = start.year + months // 12, months % 12 + 1
    try:
        same_date = date(year, month, start.day)
    except ValueError:  # 29-31 missing in that month: the term runs to the month's end
        same_date = date(year + month // 12, month % 12 + 1, 1)
    return same_date - timedelta(days=1)


def _term_problems(start: date, end: date, policy: Policy) -> list[Problem]:
    if end < start:
        return [Problem("end", "end_before_start")]
    last = term_last_day(start, policy)
    if end > last:
        return [Problem("end", "term_too_long", _params(max_end=last.isoformat(), months=policy.max_term_months))]
    return []


def _subsidy_problems(plan: PostPlan, standard: Decimal | None) -> list[Problem]:
    subsidy = plan.subsidy
    if not is_money(subsidy):
        return [Problem("subsidy", "money_format")]
    if subsidy <= 0:
        return [Problem("subsidy", "subsidy_not_positive")]
    if standard is None:
        return [Problem("subsidy", "standard_not_set", _params(category=plan.category))]
    if subsidy > standard:
        return [Problem("subsidy", "over_standard", _params(standard=_yuan(standard), subsidy=_yuan(subsidy)))]
    return []


def _schedule_problems(plan: PostPlan) -> list[Problem]:
    if plan.schedule not in set(Schedule):
        return [Problem("schedule", "unknown_choice")]
    days = plan.required_days
    if plan.schedule == Schedule.FULL_TIME:
        return [Problem("required_days", "required_days_full_time")] if days is not None else []
    if days is None or not 1 <= days <= MAX_REQUIRED_DAYS:
        return [Problem("required_days", "required_days_range", _params(min=1, max=MAX_REQUIRED_DAYS))]
    return []


def check_post_plan(plan: PostPlan, standard: Decimal | None, quota: int | None, headcount_in_use: int,
                    policy: Policy = DEFAULT_POLICY) -> list[Problem]:
    """按需设岗: a post states its need, stays within the category's subsidy standard and the village quota,
    and runs at most one year; `headcount_in_use` is the village's headcount on its other live posts."""
    problems: list[Problem] = []
    for name, enum_cls in (("category", PostCategory), ("funding_source", FundingSource)):
        if getattr(plan, name) not in set(enum_cls):
            problems.append(Problem(name, "unknown_choice"))
    title = (plan.title or "").strip()
    if not title:
        problems.append(Problem("title", "required"))
    elif len(title) > TITLE_MAX:
        problems.append(Problem("title", "too_long", _params(max=TITLE_MAX)))
    if not (plan.duties or "").strip():
        problems.append(Problem("duties", "required"))
    if not isinstance(plan.workload_amount, Decimal) or not plan.workload_amount.is_finite() \
            or plan.workload_amount <= 0:
        problems.append(Problem("workload_amount", "workload_not_positive"))
    if not (plan.workload_unit or "").strip():
        problems.append(Problem("workload_unit", "required"))
    if plan.headcount < 1:
        problems.append(Problem("headcount", "headcount_min", _params(min=1)))
    elif quota is None:
        problems.append(Problem("headcount", "quota_not_set"))
    elif headcount_in_use + plan.headcount > quota:
        problems.append(Problem("headcount", "over_quota",
                                _params(quota=quota, in_use=headcount_in_use, asked=plan.headcount)))
    problems += _schedule_problems(plan)
    problems += _subsidy_problems(plan, standard)
    problems += _term_problems(plan.start, plan.end, policy)
    if len((plan.need_reason or "").strip()) < NEED_REASON_MIN:
        problems.append(Problem("need_reason", "need_reason_too_short", _params(min=NEED_REASON_MIN)))
    return problems


LIMIT_CODES = frozenset({"quota_not_set", "over_quota", "standard_not_set", "over_standard"})


def approval_limit_problems(plan: PostPlan, standard: Decimal | None, quota: int | None,
                            approved_headcount: int) -> list[Problem]:
    """Approval re-checks the limits: the subsidy within the category standard and the headcount within the
    village quota, both in force on the approval day, counting the village's other approved posts only (the
    plans still waiting compete: the first approved takes the places)."""
    return [p for p in check_post_plan(plan, standard, quota, approved_headcount) if p.code in LIMIT_CODES]


def vacancies(headcount: int, active_or_pending_holders: int) -> int:
    """Open places on a post: its headcount less the appointments in HOLDING_STATES, never negative."""
    return max(0, headcount - active_or_pending_holders)


def fill_problems(post_state: str, headcount: int, active_or_pending_holders: int) -> list[Problem]:
    """Only an approved post with a vacancy can take a nomination."""
    if post_state != PostState.APPROVED:
        return [Problem("post", "post_not_approved", _params(state=post_state))]
    if vacancies(headcount, active_or_pending_holders) == 0:
        return [Problem("post", "no_vacancy", _params(headcount=headcount))]
    return []


def close_problems(active_or_pending_holders: int) -> list[Problem]:
    """A post closes only when no appointment holds it (pending nominations must be settled first)."""
    if active_or_pending_holders > 0:
        return [Problem("post", "post_has_holders", _params(holders=active_or_pending_holders))]
    return []


def appointment_term_problems(start: date, end: date, post_start: date, post_end: date) -> list[Problem]:
    """An appointment runs inside its post's term, and ends no earlier than it starts."""
    if end < start:
        return [Problem("end", "end_before_start")]
    problems = []
    if start < post_start:
        problems.append(Problem("start", "before_post_term", _params(post_start=post_start.isoformat())))
    if end > post_end:
        problems.append(Problem("end", "after_post_term", _params(post_end=post_end.isoformat())))
    return problems


@dataclass(frozen=True)
class QuotaUse:
    """A village's (or a township's) post quota as a reviewer weighs a plan: the quota in force, the headcount
    of the other approved posts, of the other plans still waiting, and the headcount asked."""

    quota: int | None
    approved: int
    waiting: int = 0
    asked: int = 0

    @property
    def left(self) -> int | None:
        """Places not taken by approved posts (before this plan); negative when over."""
        return None if self.quota is None else self.quota - self.approved

    @property
    def left_after(self) -> int | None:
        """Places left once this plan is approved too; negative means approval is refused (over quota)."""
        return None if self.quota is None else self.quota - self.approved - self.asked

    @property
    def fits(self) -> bool:
        return self.left_after is not None and self.left_after >= 0

    @property
    def contested(self) -> bool:
        """The plans waiting with this one ask for more than is left: the first approved takes the places."""
        return self.left_after is not None and self.left_after < self.waiting


def within_standard(subsidy: Decimal, standard: Decimal | None) -> bool:
    """The subsidy may equal the category standard, never exceed it by a fen; no standard set refuses."""
    return standard is not None and subsidy <= standard
