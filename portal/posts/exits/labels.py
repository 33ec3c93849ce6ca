"""User-facing sentences for Rule 4 (有序退岗): the refusals of exit_rules and the system's evidence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.i18n import readable
from portal.posts.exits.rules import Trigger
from portal.registry import labels as register_labels
from portal.registry.labels import label
from portal.registry.rules import Problem

PROBLEMS = {
    "required": _l("is required"),
    "unknown_choice": _l("not one of the allowed values"),
    "employed_elsewhere_full_time_only": _l(
        "only a full-time holder leaves for stable employment elsewhere; part-time holders may keep flexible work"),
    "effective_before_proposal": _l("may not be before the proposal date %(proposed_on)s"),
    "month_locked": _l("the payroll of %(month)s is already submitted or paid: choose a day after that month"),
    "not_appealable": _l("a death or the holder's own resignation cannot be appealed"),
    "not_notified": _l("the holder has not been notified of this exit yet"),
    "appeal_late": _l("the appeal window closed on %(deadline)s"),
    "already_appealed": _l("this exit has already been appealed once"),
}

EVIDENCE = {
    "deceased": _l("The labour register marks the holder as deceased."),
    "household_ineligible": _l("The household is now registered as %(category)s, which is not eligible."),
    "no_labour_capacity": _l("The labour register now records no labour capacity."),
    "employed_full_time_elsewhere": _l("The labour register records the holder as %(status)s."),
    "absent_streak": _l("Absent without leave on %(days)s consecutive working days, %(first)s to %(last)s."),
    "absent_month": _l("Absent without leave on %(days)s days in %(month)s."),
    "term_ending": _l("The term ends on %(end)s (%(days_left)s days left)."),
    "term_ended": _l("The term ended on %(end)s."),
}


def problem_text(problem: Problem) -> str:
    """The sentence for one refused field of an exit or an appeal."""
    return str(PROBLEMS.get(problem.code, problem.code)) % readable(dict(problem.params))


def evidence_text(trigger: Trigger) -> str:
    """The system's evidence for an automatic proposal, in the reader's words, register labels included."""
    params = readable(dict(trigger.params))
    if "category" in params:
        params["category"] = label(register_labels.CATEGORY, params["category"])
    if "status" in params:
        params["status"] = label(register_labels.EMPLOYMENT, params["status"])
    return str(EVIDENCE.get(trigger.evidence, trigger.evidence)) % params
