"""Words of the workshops feature (the policy texts' own: 正常运行, 监测待处置, 摘牌公示, 新建一批...) and the
sentences of its refusals and evidence, through the translation layer."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from portal.core.i18n import month_label, readable
from portal.registry.labels import label
from portal.registry.rules import Problem
from portal.workshops.rules import (
    AssessmentState,
    Classification,
    ExitCondition,
    ExitState,
    Run,
    WorkshopPolicy,
    WorkshopState,
)

STATE = {
    WorkshopState.NORMAL: _l("Operating normally"), WorkshopState.WATCH: _l("Under watch"),
    WorkshopState.EXITING: _l("Exit in progress"), WorkshopState.EXITED: _l("Exited (delisted)"),
}
STATE_COLOUR = {WorkshopState.NORMAL: "success", WorkshopState.WATCH: "warning", WorkshopState.EXITING: "danger",
                WorkshopState.EXITED: "secondary"}
CONDITION = {
    ExitCondition.VIOLATION: _l("Violation of laws or regulations"), ExitCondition.HALTED: _l("Halted production"),
    ExitCondition.LOW_AIDED: _l("Too few aided employees"), ExitCondition.OTHER: _l("Other reason"),
}
EXIT_STATE = {
    ExitState.PROPOSED: _l("Exit proposed"), ExitState.IN_NOTICE: _l("Delisting notice posted"),
    ExitState.APPROVED: _l("Exit approved"), ExitState.EXITED: _l("Delisted"),
    ExitState.REJECTED: _l("Exit rejected"),
}
ASSESSMENT_STATE = {
    AssessmentState.COMPUTED: _l("Reward computed"), AssessmentState.APPROVED: _l("Reward approved"),
    AssessmentState.PAID: _l("Reward paid"),
}
CLASSIFICATION = {
    Classification.NEW: _l("Newly built"), Classification.UPGRADED: _l("Upgraded"),
    Classification.SUPPORTED: _l("To be supported"), Classification.ADJUSTED: _l("To be adjusted"),
    Classification.STEADY: _l("Running steadily"),
}
SETTING = {
    "workshop_tiers": _l("Reward tiers (stable aided employees and the reward for the year)"),
    "workshop_halt_months": _l("Exit after this many consecutive months halted"),
    "workshop_low_aided_threshold": _l("Fewer aided employees than this count as too few"),
    "workshop_low_aided_months": _l("Exit after this many consecutive months with too few aided employees"),
    "workshop_notice_working_days": _l("Working days of the delisting notice"),
    "workshop_stable_months": _l("Months employed in a year to count as a stable aided employee"),
    "workshop_aided_categories": _l("Household categories whose members count as aided employees"),
}
FIELDS = {
    "name": _l("Workshop name"), "enterprise": _l("Operating enterprise"),
    "credit_code": _l("Unified social credit code"),
    "village_id": _l("Village"), "address": _l("Workshop address"), "industry": _l("Industry"),
    "certified_on": _l("Certified on"), "other_employees": _l("Other employees"),
    "person_id": _l("Employee"), "hire_date": _l("Hire date"), "leave_date": _l("Leave date"),
    "monthly_wage": _l("Monthly wage"), "month": _l("Month"), "total_employees": _l("Total employees"),
    "wages_paid": _l("Wages paid"), "output_value": _l("Output value"), "violation_note": _l("Violation found"),
    "condition": _l("Exit condition"), "reason": _l("Reason"), "evidence": _l("Evidence"),
    "effective_on": _l("Effective date"), "note": _l("Note"), "paid_on": _l("Paid on"),
    "bank_reference": _l("Bank reference"), "year": _l("Year"), "notice": _l("Delisting notice"),
    "value": _l("Value"), "key": _l("Setting"), "effective_from": _l("Effective from"),
}
PROBLEMS = {
    "required": _l("is required"),
    "too_long": _l("is longer than %(max)s characters"),
    "unknown_choice": _l("not one of the allowed values"),
    "credit_code_empty": _l("enter the 18-character unified social credit code"),
    "credit_code_length": _l("a unified social credit code has exactly 18 characters"),
    "credit_code_format": _l("the first 8 characters must be digits, the rest digits or capital letters other than "
                             "I, O, Z, S and V"),
    "credit_code_checksum": _l("the last character does not match: check the code for a typing slip"),
    "certified_in_future": _l("may not be in the future"),
    "count": _l("must be a whole number, 0 or more"),
    "hire_in_future": _l("may not be in the future"),
    "after_exit": _l("the workshop is no longer one from %(day)s"),
    "leave_before_hire": _l("may not be before the hire date"),
    "wage": _l("must be an amount above 0 with at most two decimals"),
    "no_month": _l("choose a month"),
    "future_month": _l("a report is filed for the current month or an ended one"),
    "before_certified": _l("the workshop was certified on %(day)s: no report before that month"),
    "total_below_aided": _l("an operating workshop employs at least its %(aided)s aided employees on record"),
    "money": _l("must be an amount of 0 or more with at most two decimals"),
    "violation_note_required": _l("describe the violation found"),
    "year_closed": _l("the assessment of %(year)s is approved: its figures no longer change"),
    "notice_running": _l("the delisting notice runs until %(ends)s: approve after it ends"),
    "effective_past": _l("may not be before today"),
}
CREDIT_CODE_REASON = ("empty", "length", "format", "checksum")
EVIDENCE = {
    ExitCondition.VIOLATION: _l("A violation was reported for %(started)s."),
    ExitCondition.HALTED: _l("Halted for %(months)s consecutive months since %(started)s (the county's limit is "
                             "%(needed)s)."),
    ExitCondition.LOW_AIDED: _l("Fewer than %(threshold)s aided employees for %(months)s consecutive months since "
                                "%(started)s (the county's limit is %(needed)s)."),
}


def problem_text(problem: Problem) -> str:
    """The sentence for one refused field."""
    return str(PROBLEMS.get(problem.code, problem.code)) % readable(dict(problem.params))


def state_label(state: str) -> str:
    return label(STATE, state)


def exit_state_label(state: str) -> str:
    return label(EXIT_STATE, state)


def assessment_state_label(state: str) -> str:
    return label(ASSESSMENT_STATE, state)


def condition_label(condition: str) -> str:
    return label(CONDITION, condition)


def classification_label(classification: str) -> str:
    return label(CLASSIFICATION, classification)


def run_text(run: Run, policy: WorkshopPolicy) -> str:
    """The evidence of a monitored condition's run: what held, since when, for how long."""
    return str(EVIDENCE[run.condition]) % {
        "started": month_label(date(run.started[0], run.started[1], 1)), "months": run.months,
        "needed": run.needed, "threshold": policy.low_aided_threshold}
