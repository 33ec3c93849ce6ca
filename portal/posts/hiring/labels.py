"""User-facing words of Rule 2 (以岗聘任): refusals, priority reasons, conflict marks (English msgids)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.i18n import readable
from portal.registry.rules import Problem

PROBLEMS = {
    # eligibility (hiring_rules.eligibility_problems)
    "category_not_eligible": _l("the household category is not eligible for a public-welfare post"),
    "no_labour_capacity": _l("the person has no labour capacity"),
    "deceased": _l("the person is registered as deceased"),
    "holds_another_post": _l("the person already holds a public-welfare post"),
    "household_limit_reached": _l("the household already holds as many posts as allowed (one post per household)"),
    # written reasons
    "justification_required": _l("this nomination is marked for a conflict of interest: write a justification "
                                 "of at least %(min)s characters"),
    "choice_reason_required": _l("you did not choose the top-ranked candidate: write a reason of at least "
                                 "%(min)s characters"),
    # approval
    "notice_running": _l("the public notice runs until %(ends)s; approve from the day after"),
    "open_objections": _l("%(count)s objection(s) are still open: decide them first"),
    # the post and the term (plan_rules)
    "post_not_approved": _l("the post is not approved"),
    "no_vacancy": _l("the post has no vacancy (headcount %(headcount)s)"),
    "end_before_start": _l("the end date is before the start date"),
    "before_post_term": _l("the appointment starts before the post's term (%(post_start)s)"),
    "after_post_term": _l("the appointment ends after the post's term (%(post_end)s)"),
}

REASONS = {
    "monitored_household": _l("monitored household"),
    "lifted_household": _l("lifted-out-of-poverty household"),
    "low_income_household": _l("low-income household"),
    "general_household": _l("general household"),
    "disabled_person": _l("disabled"),
    "disabled_family": _l("disabled family member"),
    "no_disability": _l("no disability in the family"),
    "weak_capacity": _l("weak labour"),
    "half_capacity": _l("half labour"),
    "full_capacity": _l("full labour"),
    "none_capacity": _l("no labour capacity"),
    "not_employed": _l("not employed"),
    "employed": _l("employed"),
}

CONFLICTS = {
    "nominee_is_cadre": _l("the nominee is a village cadre"),
    "cadre_household": _l("lives in a village cadre's household"),
    "cadre_relative": _l("declared relative of a village cadre"),
    "nominator_household": _l("in the nominating user's household"),
    "nominator_relative": _l("declared relative of the nominating user"),
    "approver_household": _l("in the approving user's household"),
    "approver_relative": _l("declared relative of the approving user"),
}


def problem_text(problem: Problem | str) -> str:
    """The sentence for a rule's problem (a Problem or a bare code)."""
    if isinstance(problem, str):
        return str(PROBLEMS.get(problem, problem))
    return str(PROBLEMS.get(problem.code, problem.code)) % readable(dict(problem.params))


def reason_text(code: str) -> str:
    return str(REASONS.get(code, code))


def conflict_text(code: str) -> str:
    return str(CONFLICTS.get(code, code))


def split_codes(text: str) -> list[str]:
    """Comma-separated codes or ids as stored on the appointment."""
    return [c for c in (text or "").split(",") if c]
