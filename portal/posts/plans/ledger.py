"""The village post ledger (公益岗位用工台账): every post of a village with its holders, past and present.

A holder is an appointment that reached approval (approved, on duty, exiting, exited); nominations still
in notice and rejected ones are not on the ledger. Resident IDs are masked here as everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.core.access import scoped
from portal.core.masking import mask_id
from portal.extensions import db
from portal.places.models import Village
from portal.posts import labels
from portal.posts.models import Appointment, Post
from portal.posts.rules import AppointmentState, ExitState

ON_LEDGER = (AppointmentState.APPROVED, AppointmentState.ACTIVE, AppointmentState.EXITING,
             AppointmentState.EXITED)
EXIT_SHOWN = (ExitState.EXITED, ExitState.APPROVED, ExitState.APPEALED)


@dataclass
class Holder:
    appointment: Appointment
    name: str
    masked_id: str
    exit_reason: str  # the reason code of the exit that ended (or is ending) the appointment, or ""


@dataclass
class LedgerPost:
    post: Post
    holders: list[Holder]


def _exit_reason(appointment: Appointment) -> str:
    for exit_ in reversed(appointment.exits):
        if exit_.state in EXIT_SHOWN:
            return exit_.reason
    return ""


def ledger(user, village_ids: list[int]) -> list[LedgerPost]:
    """The ledger of the given villages (inside the user's scope), posts by village and id."""
    posts = db.session.execute(
        scoped(select(Post), Post, user).where(Post.village_id.in_(village_ids))
        .options(selectinload(Post.village), selectinload(Post.appointments).selectinload(Appointment.person),
                 selectinload(Post.appointments).selectinload(Appointment.exits))
        .order_by(Post.village_id, Post.id)).scalars().all()
    out = []
    for post in posts:
        holders = [Holder(a, a.person.name, mask_id(a.person.id_number), _exit_reason(a))
                   for a in post.appointments if a.state in ON_LEDGER]
        out.append(LedgerPost(post, holders))
    return out


def villages_of(user) -> list[Village]:
    """The villages whose ledger the user may read."""
    return list(db.session.execute(scoped(select(Village), Village, user).order_by(Village.code)).scalars())


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


HEADERS = (_l("Village"), _l("Post title"), _l("Post category"), _l("Schedule"), _l("Headcount"),
           _l("Monthly subsidy (yuan)"), _l("Funding source"), _l("Term start"), _l("Term end"), _l("Post state"),
           _l("Holder"), _l("Resident ID"), _l("Holding from"), _l("Holding until"), _l("Holder state"),
           _l("Left on"), _l("Exit reason"))


def workbook(rows: list[LedgerPost]) -> bytes:
    """The ledger as an Excel workbook: one line per holder (a post without holders has one line)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from portal.reports.cells import workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = _("Post ledger")[:31]
    ws.append([str(h) for h in HEADERS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for item in rows:
        p = item.post
        post_cols = [p.village.name, p.title, str(labels.CATEGORY.get(p.category, p.category)),
                     str(labels.SCHEDULE.get(p.schedule, p.schedule)), p.headcount, p.subsidy,
                     str(labels.FUNDING.get(p.funding_source, p.funding_source)), _d(p.start_date), _d(p.end_date),
                     str(labels.POST_STATE.get(p.state, p.state))]
        if not item.holders:
            ws.append(post_cols + [""] * 7)
        for h in item.holders:
            a = h.appointment
            ws.append([*post_cols, h.name, h.masked_id, _d(a.start_date), _d(a.end_date),
                                   str(labels.APPOINTMENT_STATE.get(a.state, a.state)), _d(a.exited_on),
                                   str(labels.EXIT_REASON.get(h.exit_reason, h.exit_reason)) if h.exit_reason else ""])
    for col in ws.iter_cols(min_row=2, min_col=6, max_col=6):
        for cell in col:
            cell.number_format = "#,##0.00"
    widths = (10, 16, 10, 10, 8, 14, 14, 12, 12, 10, 10, 22, 12, 12, 10, 12, 16)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    ws.freeze_panes = "A2"
    return workbook_bytes(wb)

