"""The nominations list's queues (one clause each, shared by the list and the home counts) and the home items
of hiring: nominations in notice and objections (clerk); nominations past their notice, flagged conflicts of
interest and objections (township), each with how long its oldest case has waited."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from portal.core.access import Role, scoped
from portal.core.clock import county_date
from portal.core.home import Waiting, days_waiting, provides
from portal.extensions import db
from portal.posts.hiring import service as hiring
from portal.posts.models import Appointment, Objection
from portal.posts.rules import AppointmentState as S
from portal.posts.rules import ObjectionState

OPEN = ObjectionState.OPEN.value
QUEUES = ("waiting", "in_notice", "ready", "objections", "conflicts", "approved", "active", "rejected", "all")
SHOWN = 3  # the home page links the longest-waiting cases of each kind; the list has them all


def _open_objection():
    return exists().where(Objection.appointment_id == Appointment.id, Objection.state == OPEN)


def ready_clause(today: date):
    """In notice, the notice over, no objection open: the township may approve."""
    return (Appointment.state == S.IN_NOTICE) & (Appointment.notice_end < today) & ~_open_objection()


def queue_clause(name: str, today: date):
    """The WHERE clause of a queue of the nominations list (None: every appointment)."""
    if name == "waiting":
        return Appointment.state.in_([S.NOMINATED, S.IN_NOTICE])
    if name == "ready":
        return ready_clause(today)
    if name == "objections":
        return _open_objection()
    if name == "conflicts":  # flagged 优亲厚友 and not yet decided
        return Appointment.state.in_([S.NOMINATED, S.IN_NOTICE]) & (Appointment.conflicts != "")
    if name == "all":
        return None
    return Appointment.state == name


def _scoped(user, *columns):
    return scoped(select(*columns), Appointment, user)


def _count(user, clause) -> int:
    return db.session.scalar(_scoped(user, func.count(Appointment.id)).where(clause)) or 0


def _case_links(rows, today: date, since) -> tuple[tuple[str, str], ...]:
    return tuple((_("%(village)s · %(name)s · %(post)s: waiting %(days)d days", village=a.post.village.name,
                    name=a.person.name, post=a.post.title, days=days_waiting(since(a), today)),
                  url_for("hiring_pages.appointment", appt_id=a.id)) for a in rows)


def _oldest_links(user, clause, order_by, today: date, since) -> tuple[tuple[str, str], ...]:
    """Links to the SHOWN longest-waiting appointments matching `clause`, each with its days."""
    rows = db.session.execute(scoped(select(Appointment), Appointment, user).where(clause)
                              .order_by(order_by, Appointment.id).limit(SHOWN)).scalars()
    return _case_links(list(rows), today, since)


def _ready_since(a: Appointment) -> date:
    return a.notice_end + timedelta(days=1)  # the first day it could be approved


def _nominated_on(a: Appointment) -> date | None:
    return county_date(a.nominated_at)


def _ready_item(user, today: date) -> Waiting:
    clause = ready_clause(today)
    count, last_day = db.session.execute(_scoped(user, func.count(Appointment.id), func.min(Appointment.notice_end))
                                         .where(clause)).one()
    oldest = days_waiting(last_day + timedelta(days=1), today) if last_day else None
    return Waiting(_("Nominations past their public notice, ready for your approval"), count or 0,
                   url_for("hiring_pages.appointments", state="ready"), oldest_days=oldest,
                   links=_oldest_links(user, clause, Appointment.notice_end, today, _ready_since) if count else ())


def _conflict_item(user, today: date) -> Waiting:
    clause = queue_clause("conflicts", today)
    count, first = db.session.execute(_scoped(user, func.count(Appointment.id), func.min(Appointment.nominated_at))
                                      .where(clause)).one()
    return Waiting(_("Nominations flagged for a conflict of interest (优亲厚友): check the justification"),
                   count or 0, url_for("hiring_pages.appointments", state="conflicts"), "danger",
                   oldest_days=days_waiting(county_date(first), today),
                   links=_oldest_links(user, clause, Appointment.nominated_at, today, _nominated_on) if count else ())


def _objection_item(user, today: date, level: str, label: str, with_links: bool) -> Waiting:
    """Nominations with an open objection; the oldest waits since its objection was received."""
    count = _count(user, _open_objection())
    first = db.session.scalar(scoped(select(func.min(Objection.received_on)), Objection, user)
                              .where(Objection.state == OPEN)) if count else None
    links: tuple = ()
    if with_links and count:
        received = (select(Objection.appointment_id, func.min(Objection.received_on).label("received"))
                    .where(Objection.state == OPEN).group_by(Objection.appointment_id).subquery())
        rows = list(db.session.execute(scoped(select(Appointment, received.c.received), Appointment, user)
                                       .join(received, received.c.appointment_id == Appointment.id)
                                       .order_by(received.c.received, Appointment.id).limit(SHOWN)).tuples())
        when = {a.id: day for a, day in rows}
        links = _case_links([a for a, _day in rows], today, lambda a: when[a.id])
    return Waiting(label, count, url_for("hiring_pages.appointments", state="objections"), level,
                   oldest_days=days_waiting(first, today), links=links)


@provides(Role.TOWNSHIP_REVIEWER)
def township_waiting(user) -> list[Waiting]:
    today = hiring.county_today()
    return [_ready_item(user, today), _conflict_item(user, today),
            _objection_item(user, today, "danger", _("Nominations with an open objection: decide it"), True)]


@provides(Role.VILLAGE_CLERK)
def clerk_waiting(user) -> list[Waiting]:
    today = hiring.county_today()
    return [Waiting(_("Nominations on public notice"), _count(user, Appointment.state == S.IN_NOTICE),
                    url_for("hiring_pages.appointments", state="in_notice"), "info"),
            _objection_item(user, today, "warning",
                            _("Nominations with an open objection, waiting for the township"), False)]
