"""Chinese names of the payroll vocabulary (the policy texts' own words), through the translation layer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.attendance.rules import Mark
from portal.payroll.rules import LineFlag, PayrollState

STATE = {
    PayrollState.DRAFT: _l("Draft"), PayrollState.SUBMITTED: _l("Submitted for review"),
    PayrollState.APPROVED: _l("Approved for payment"), PayrollState.RETURNED: _l("Returned to the village"),
    PayrollState.PAID: _l("Paid"),
}
# Bootstrap colours of the state badges.
STATE_COLOUR = {
    PayrollState.DRAFT: "secondary", PayrollState.SUBMITTED: "warning", PayrollState.APPROVED: "primary",
    PayrollState.RETURNED: "danger", PayrollState.PAID: "success",
}
MARK = {Mark.PRESENT: _l("Present"), Mark.HALF: _l("Half day"), Mark.LEAVE: _l("On leave"),
        Mark.ABSENT: _l("Absent without leave")}
FLAG = {LineFlag.NEW_HOLDER: _l("New holder"), LineFlag.ABOVE_LAST_MONTH: _l("Pay above last month"),
        LineFlag.FULL_PAY_WITH_LEAVE: _l("Full pay with leave or absence"), LineFlag.ZERO_DAYS: _l("Zero duty days")}
FLAG_HELP = {
    LineFlag.NEW_HOLDER: _l("Not on last month's payroll: check the appointment and the first days."),
    LineFlag.ABOVE_LAST_MONTH: _l("Paid more than last month: check the added days."),
    LineFlag.FULL_PAY_WITH_LEAVE: _l("The whole subsidy although on leave or absent some day: check the days worked "
                                     "off schedule."),
    LineFlag.ZERO_DAYS: _l("No duty day at all: check whether the holder is still on duty."),
}
FLAG_COLOUR = {LineFlag.NEW_HOLDER: "info", LineFlag.ABOVE_LAST_MONTH: "warning",
               LineFlag.FULL_PAY_WITH_LEAVE: "danger", LineFlag.ZERO_DAYS: "secondary"}
WEEKDAY = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
           _l("Sunday"))


def state_label(state: str) -> str:
    """The state's name for the page (the raw value when unknown)."""
    try:
        return str(STATE[PayrollState(state)])
    except ValueError:
        return state
