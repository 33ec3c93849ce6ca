"""Chinese names of the posts vocabulary (the policy texts' own words), through the translation layer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.posts.rules import (
    AppointmentState,
    ExitReason,
    ExitState,
    FundingSource,
    ObjectionState,
    PostCategory,
    PostState,
    Schedule,
)

CATEGORY = {
    PostCategory.CLEANING: _l("Cleaning"), PostCategory.ROAD_CARE: _l("Road care"),
    PostCategory.FOREST_CARE: _l("Forest care"), PostCategory.RIVER_CARE: _l("River care"),
    PostCategory.ELDER_CARE: _l("Elder care"), PostCategory.CHARITY_SHOP: _l("Charity shop"),
    PostCategory.FIRE_SAFETY: _l("Fire safety"), PostCategory.UTILITIES_CARE: _l("Water and power care"),
    PostCategory.PATROL: _l("Security patrol"), PostCategory.OTHER: _l("Other"),
}
SCHEDULE = {Schedule.FULL_TIME: _l("Full-time"), Schedule.PART_TIME: _l("Part-time")}
FUNDING = {
    FundingSource.LINKAGE_FUND: _l("Linkage fund"), FundingSource.PV_INCOME: _l("Solar power income"),
    FundingSource.EMPLOYMENT_SUBSIDY: _l("Employment subsidy fund"),
    FundingSource.VILLAGE_COLLECTIVE: _l("Village collective economy"), FundingSource.OTHER: _l("Other"),
}
POST_STATE = {
    PostState.DRAFT: _l("draft"), PostState.SUBMITTED: _l("submitted"), PostState.APPROVED: _l("approved"),
    PostState.RETURNED: _l("returned"), PostState.CLOSED: _l("closed"),
}
APPOINTMENT_STATE = {
    AppointmentState.NOMINATED: _l("nominated"), AppointmentState.IN_NOTICE: _l("in public notice"),
    AppointmentState.APPROVED: _l("approved"), AppointmentState.REJECTED: _l("rejected"),
    AppointmentState.ACTIVE: _l("on duty"), AppointmentState.EXITING: _l("exiting"),
    AppointmentState.EXITED: _l("exited"),
}
EXIT_STATE = {
    ExitState.PROPOSED: _l("proposed"), ExitState.APPROVED: _l("approved"), ExitState.APPEALED: _l("appealed"),
    ExitState.EXITED: _l("exited"), ExitState.REJECTED: _l("rejected"), ExitState.WITHDRAWN: _l("withdrawn"),
}
EXIT_REASON = {
    ExitReason.ABSENTEEISM: _l("Absent without leave"), ExitReason.ASSESSMENT_FAILED: _l("Failed assessment"),
    ExitReason.INELIGIBLE: _l("Household no longer eligible"),
    ExitReason.EMPLOYED_ELSEWHERE: _l("Stably employed elsewhere"), ExitReason.TERM_ENDED: _l("Term ended"),
    ExitReason.RESIGNED: _l("Resigned"), ExitReason.INCAPACITY: _l("Lost the capacity to work"),
    ExitReason.DECEASED: _l("Deceased"), ExitReason.MISCONDUCT: _l("Stand-in or absent from the post"),
}
OBJECTION_STATE = {ObjectionState.OPEN: _l("open"), ObjectionState.UPHELD: _l("upheld"),
                   ObjectionState.DISMISSED: _l("dismissed")}

# The county's policy parameters (posts.rules.Policy), as the settings page and its refusals name them.
SETTINGS = {
    "eligible_categories": _l("Eligible household categories"),
    "posts_per_household": _l("Posts per household"),
    "notice_working_days": _l("Public notice (working days)"),
    "appeal_days": _l("Appeal period (days)"),
    "absent_streak_trigger": _l("Exit proposal: consecutive absent working days"),
    "absent_month_trigger": _l("Exit proposal: absent days in a month"),
    "term_warning_days": _l("Exit proposal: days before the term ends"),
    "max_term_months": _l("Longest post term (months)"),
    "payment_deadline_days": _l("Payment deadline after approval (days)"),
}
