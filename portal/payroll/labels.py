"""Chinese names of the payroll vocabulary (the policy texts' own words), through the translation layer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.attendance.rules import Mark
from portal.payroll.rules import PayrollState

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
WEEKDAY = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
           _l("Sunday"))


def state_label(state: str) -> str:
    """The state's name for the page (the raw value when unknown)."""
    try:
        return str(STATE[PayrollState(state)])
    except ValueError:
        return state
