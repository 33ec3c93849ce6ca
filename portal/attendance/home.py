"""Home-page item of attendance: the clerk's holders not yet marked today (on working days only)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from portal.attendance import grid, service
from portal.core.access import Role
from portal.core.home import Waiting, provides


@provides(Role.VILLAGE_CLERK)
def unmarked_today(user) -> list[Waiting]:
    today = service.county_today()
    if user.village_id is None or not service.county_calendar(user.scope_county_id).is_working_day(today):
        return []
    return [Waiting(_("Holders not yet marked today"), grid.unmarked_today(user.village_id, today),
                    url_for("attendance_pages.day", unmarked="1"))]
