"""The exits list's filters (shared by the list and the home counts) and the home items of exits: proposals and
approved exits still open to appeal (clerk); proposals and appeals to decide, oldest first (township)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.access import Role, scoped
from portal.core.home import Waiting, days_waiting, provides
from portal.extensions import db
from portal.posts.exits import service as exits
from portal.posts.exits.rules import NOT_APPEALABLE
from portal.posts.models import Exit
from portal.posts.rules import DEFAULT_POLICY, ExitState

BY_PORTAL = "portal"  # ?by=portal: proposed by the portal's checks, not by a person
SHOWN = 3  # the home page links the longest-waiting cases; the list has them all
APPEAL_OPEN = "open"  # ?appeal=open: approved, notified, appealable, no appeal yet, still inside the window


def appeal_open_clause(today: date):
    return ((Exit.state == ExitState.APPROVED.value) & Exit.appeal_recorded_on.is_(None)
            & Exit.reason.not_in([str(r) for r in NOT_APPEALABLE])
            & (Exit.notified_on >= today - timedelta(days=DEFAULT_POLICY.appeal_days)))


def filtered(stmt, state: str = "", by: str = "", appeal: str = "", today: date | None = None):
    """The exits list's filters on a scoped SELECT of exits."""
    if state in set(ExitState):
        stmt = stmt.where(Exit.state == state)
    if by == BY_PORTAL:
        stmt = stmt.where(Exit.proposed_by.is_(None))
    if appeal == APPEAL_OPEN:
        stmt = stmt.where(appeal_open_clause(today or exits.county_today()))
    return stmt


def _count(user, **filters) -> int:
    return db.session.scalar(filtered(scoped(select(func.count(Exit.id)), Exit, user), **filters)) or 0


@provides(Role.VILLAGE_CLERK)
def clerk_waiting(user) -> list[Waiting]:
    today = exits.county_today()
    return [Waiting(_("Exit proposals by the portal to confirm or withdraw"),
                    _count(user, state=ExitState.PROPOSED.value, by=BY_PORTAL),
                    url_for("exit_pages.index", state="proposed", by=BY_PORTAL)),
            Waiting(_("Exits proposed, waiting for the township's decision"),
                    _count(user, state=ExitState.PROPOSED.value),
                    url_for("exit_pages.index", state="proposed"), "info"),
            Waiting(_("Approved exits still open to appeal"), _count(user, appeal=APPEAL_OPEN, today=today),
                    url_for("exit_pages.index", appeal=APPEAL_OPEN), "info")]


def _decide_item(user, state: ExitState, since, label: str, today: date) -> Waiting:
    count, first = db.session.execute(scoped(select(func.count(Exit.id), func.min(since)), Exit, user)
                                      .where(Exit.state == state.value)).one()
    oldest = db.session.execute(scoped(select(Exit, since), Exit, user).where(Exit.state == state.value)
                                .order_by(since, Exit.id).limit(SHOWN)).tuples() if count else []
    links = tuple((_("%(village)s · %(name)s · %(post)s: waiting %(days)d days",
                     village=e.appointment.post.village.name, name=e.appointment.person.name,
                     post=e.appointment.post.title, days=days_waiting(day, today)),
                   url_for("exit_pages.detail", exit_id=e.id)) for e, day in oldest)
    return Waiting(label, count or 0, url_for("exit_pages.index", state=state.value),
                   oldest_days=days_waiting(first, today), links=links)


@provides(Role.TOWNSHIP_REVIEWER)
def township_waiting(user) -> list[Waiting]:
    today = exits.county_today()
    return [_decide_item(user, ExitState.PROPOSED, Exit.proposed_on, _("Exit proposals to decide"), today),
            _decide_item(user, ExitState.APPEALED, Exit.appeal_recorded_on, _("Exit appeals to decide"), today)]
