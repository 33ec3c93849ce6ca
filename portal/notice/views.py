"""The public notice boards (公示栏) of the villages: no login, personal data masked.

Hiring notices (聘任公示) are this module's own. Other notices (摘牌公示 of workshops, in
notice.workshop_notices) plug in through `notice.board.board_section`: register a function(village, today) ->
list[BoardSection] and the board shows each section after the hiring notices, a card per row titled by
its first column, the other headers beside their values (plain text, already masked); `board_count` adds
their running notices to the list of boards. The template also leaves `{% block more_notices %}` for
anything richer.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, render_template
from sqlalchemy import func, or_, select

from portal.core.masking import mask_id
from portal.extensions import db
from portal.notice.board import BOARD_COUNTS, BOARD_SECTIONS
from portal.places.models import County, Township, Village
from portal.posts import labels as post_labels
from portal.posts import rules
from portal.posts.hiring.service import county_today
from portal.posts.models import Appointment
from portal.registry import labels as reg_labels

bp = Blueprint("notice", __name__, url_prefix="/notice")
RECENT_DAYS = 30


def _hiring_notices(village_id: int, today: date):
    """Nominations in notice now, and notices that ended in the last 30 days (latest first)."""
    recent = today - timedelta(days=RECENT_DAYS)
    rows = db.session.execute(select(Appointment).where(
        Appointment.village_id == village_id, Appointment.notice_start.is_not(None),
        or_(Appointment.state == rules.AppointmentState.IN_NOTICE, Appointment.notice_end >= recent))
        .order_by(Appointment.notice_start.desc(), Appointment.id.desc())).scalars().all()
    current = [a for a in rows if a.state == rules.AppointmentState.IN_NOTICE and a.notice_end >= today]
    ended = [a for a in rows if a not in current]
    return current, ended


@bp.get("/")
def index():
    today = county_today()
    counts = dict(db.session.execute(
        select(Appointment.village_id, func.count(Appointment.id))
        .where(Appointment.state == rules.AppointmentState.IN_NOTICE, Appointment.notice_end >= today)
        .group_by(Appointment.village_id)).all())
    for counter in BOARD_COUNTS:
        for village_id, n in counter(today).items():
            counts[village_id] = counts.get(village_id, 0) + n
    villages = db.session.execute(
        select(Village, Township, County).join(Township, Village.township_id == Township.id)
        .join(County, Township.county_id == County.id).order_by(County.code, Township.code, Village.code)).all()
    return render_template("notice/index.html", villages=villages, counts=counts)


@bp.get("/<code>")
def board(code: str):
    if len(code) != 12 or not code.isdigit():
        abort(404)
    village = db.session.execute(select(Village).where(Village.code == code)).scalar_one_or_none()
    if village is None:
        abort(404)
    today = county_today()
    current, ended = _hiring_notices(village.id, today)
    sections = [s for provider in BOARD_SECTIONS for s in provider(village, today)]
    return render_template("notice/board.html", village=village, township=village.township,
                           county=village.township.county, current=current, ended=ended, today=today,
                           sections=sections, mask_id=mask_id,
                           post_category=lambda c: reg_labels.label(post_labels.CATEGORY, c),
                           category_label=lambda c: reg_labels.label(reg_labels.CATEGORY, c))


from portal.notice import workshop_notices  # noqa: E402, F401  (the workshops' delisting notices)
