"""User-facing words of post plans and county settings: refusal messages (with their numbers), field names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.i18n import readable
from portal.posts.labels import CATEGORY
from portal.registry.rules import Problem

PROBLEMS = {
    "required": _l("is required"),
    "too_long": _l("is longer than %(max)s characters"),
    "unknown_choice": _l("not one of the allowed values"),
    "workload_not_positive": _l("the workload must be a number above 0"),
    "headcount_min": _l("the headcount is at least %(min)s"),
    "quota_not_set": _l("the county has not set a post quota for this village yet"),
    "over_quota": _l("over the village quota: quota %(quota)s, already used by other posts %(in_use)s, "
                     "this post asks for %(asked)s"),
    "required_days_full_time": _l("a full-time post works the month's working days; leave required days empty"),
    "required_days_range": _l("a part-time post needs %(min)s to %(max)s required days a month"),
    "money_format": _l("an amount in yuan with at most two decimals"),
    "subsidy_not_positive": _l("the subsidy must be above 0"),
    "standard_not_set": _l("the county has not set a subsidy standard for %(category)s yet"),
    "over_standard": _l("over the category's subsidy standard: standard %(standard)s a month, "
                        "this post %(subsidy)s a month"),
    "end_before_start": _l("the term ends before it starts"),
    "term_too_long": _l("a term lasts at most %(months)s months: end on %(max_end)s at the latest"),
    "need_reason_too_short": _l("state the need in at least %(min)s characters"),
    "post_has_holders": _l("the post still has %(holders)s holders or pending nominations; settle them first"),
    "post_not_approved": _l("the post is not approved"),
    "no_vacancy": _l("the post has no vacancy (headcount %(headcount)s)"),
}

FIELDS = {
    "category": _l("Post category"), "title": _l("Post title"), "duties": _l("Duties"),
    "workload_amount": _l("Workload"), "workload_unit": _l("Workload unit"), "headcount": _l("Headcount"),
    "schedule": _l("Schedule"), "required_days": _l("Required days a month"),
    "subsidy": _l("Monthly subsidy (yuan)"), "funding_source": _l("Funding source"),
    "start": _l("Term start"), "end": _l("Term end"), "need_reason": _l("Need reason"), "post": _l("Post"),
}

# The form's field names for the rules' (start, end): the rules speak of the plan, the form of the post.
FORM_FIELD = {"start": "start_date", "end": "end_date"}


def problem_text(problem: Problem) -> str:
    """The user-facing sentence for a plan rule's problem code, with its numbers."""
    params = readable(dict(problem.params), money_keys=("standard", "subsidy"))
    if "category" in params:
        params["category"] = str(CATEGORY.get(params["category"], params["category"]))
    return str(PROBLEMS.get(problem.code, problem.code)) % params


def problems_by_field(problems) -> dict[str, str]:
    """The first problem of each field, as {form field name: message}."""
    found: dict[str, str] = {}
    for p in problems:
        found.setdefault(FORM_FIELD.get(p.field, p.field), problem_text(p))
    return found


def summary(found: dict[str, str]) -> str:
    """All problems in one sentence, each with its field's name (for flashes and the API)."""
    names = {FORM_FIELD.get(k, k): v for k, v in FIELDS.items()}
    return "；".join(f"{names.get(field, field)}: {message}" for field, message in found.items())
