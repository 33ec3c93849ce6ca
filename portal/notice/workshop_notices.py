"""The delisting notices (摘牌公示) of employment-aid workshops on the village boards: running notices and those
ended in the last 30 days, no login. Only the workshop and its enterprise are named: no personal data."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.i18n import date_label
from portal.extensions import db
from portal.notice.board import BoardSection, board_count, board_section
from portal.places.models import Village
from portal.workshops import labels
from portal.workshops.exits import service as exits
from portal.workshops.models import WorkshopExit
from portal.workshops.rules import ExitState


def _status(exit: WorkshopExit, today: date) -> str:
    if exit.state == ExitState.IN_NOTICE:
        return _("on notice") if today <= exit.notice_end else _("notice ended, waiting for the county's decision")
    return labels.exit_state_label(exit.state)


@board_section
def workshop_exits(village: Village, today: date) -> list[BoardSection]:
    """The village's workshop delisting notices as one table (nothing when there is none)."""
    found = exits.exits_in_notice(village.id, today)
    if not found:
        return []
    rows = [[x.workshop.name, x.workshop.enterprise, x.workshop.credit_code,
             labels.condition_label(x.condition) + (f"：{x.reason}" if x.condition == "other" else ""),
             f"{date_label(x.notice_start)} – {date_label(x.notice_end)}", _status(x, today)] for x in found]
    return [BoardSection(
        title=_("Delisting notices of employment-aid workshops"),
        headers=[_("Workshop"), _("Operating enterprise"), _("Unified social credit code"), _("Reason for exit"),
                 _("Notice period"), _("Status")],
        rows=rows,
        note=_("The county plans to delist these workshops. If you object, please tell the village committee "
               "or the %(township)s government during the notice period.", township=village.township.name))]


@board_count
def workshop_notices_running(today: date) -> dict[int, int]:
    """Running workshop delisting notices per village (for the list of boards)."""
    return dict(db.session.execute(
        select(WorkshopExit.village_id, func.count(WorkshopExit.id)).where(
            WorkshopExit.state == ExitState.IN_NOTICE.value, WorkshopExit.notice_end >= today)
        .group_by(WorkshopExit.village_id)).tuples().all())
