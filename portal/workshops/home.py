"""Home-page items of workshops: last month's missing monthly reports (clerk, township), exits waiting for
their notice (township), exits and rewards waiting for the county admin."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.access import Role, scoped
from portal.core.home import Waiting, provides
from portal.core.i18n import month_label
from portal.extensions import db
from portal.workshops import page_queries, rules
from portal.workshops.certification import service
from portal.workshops.models import Assessment, WorkshopExit
from portal.workshops.reports import service as reports
from portal.workshops.rules import AssessmentState, ExitState

SHOWN = 5  # the home page names this many workshops; the reports page lists them all


def _today():
    return service.county_today()


@provides(Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER)
def missing_reports(user) -> list[Waiting]:
    year, month = rules.previous_month(rules.month_of(_today()))
    missing = reports.missing_reports(user, year, month)
    details = tuple(w.name if user.role == Role.VILLAGE_CLERK else f"{w.village.name} · {w.name}"
                    for w in missing[:SHOWN])
    if len(missing) > SHOWN:
        details += (_("and %(n)s more", n=len(missing) - SHOWN),)
    return [Waiting(_("Workshops without a monthly report for %(month)s", month=month_label(
        rules.month_end((year, month)))), len(missing),
        url_for("workshop_pages.reports", month=f"{year}-{month:02d}", missing="1"), "warning", details)]


def _exits(user, *conditions) -> int:
    return db.session.scalar(scoped(select(func.count(WorkshopExit.id)), WorkshopExit, user).where(*conditions)) or 0


@provides(Role.TOWNSHIP_REVIEWER)
def exits_to_publish(user) -> list[Waiting]:
    return [Waiting(_("Workshop exits proposed: post the delisting notice"),
                    _exits(user, WorkshopExit.state == ExitState.PROPOSED.value),
                    url_for("workshop_pages.exits", state=ExitState.PROPOSED.value))]


@provides(Role.COUNTY_ADMIN)
def county_workshops(user) -> list[Waiting]:
    today = _today()
    ready = _exits(user, page_queries.notice_ended_clause(today))
    watch = page_queries.state_counts(user).get("watch", 0)
    rewards = db.session.execute(scoped(select(
        Assessment.year, func.count(Assessment.id).filter(Assessment.state == AssessmentState.COMPUTED.value),
        func.count(Assessment.id).filter(Assessment.state == AssessmentState.APPROVED.value, Assessment.reward > 0)),
        Assessment, user).group_by(Assessment.year).order_by(Assessment.year)).tuples().all()
    items = [Waiting(_("Workshops in watch (an exit condition has started)"), watch,
                     url_for("workshop_pages.index", state="watch")),
             Waiting(_("Workshop exits whose notice has ended: approve or reject"), ready,
                     url_for("workshop_pages.exits", state=ExitState.IN_NOTICE.value, notice="ended"))]
    for year, computed, to_pay in rewards:
        items += [Waiting(_("Workshop rewards of %(year)s computed, waiting for approval", year=year), computed,
                          url_for("workshop_pages.assessment_year", year=year, state="computed"), "info"),
                  Waiting(_("Approved workshop rewards of %(year)s waiting for payment", year=year), to_pay,
                          url_for("workshop_pages.assessment_year", year=year, state="to_pay"), "info")]
    return items
