"""The home page: one per role, saying what is waiting (the county auditor's is the auditor's desk)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.attendance import grid
from portal.attendance import service as attendance
from portal.attendance.labels import WEEKDAY_LONG
from portal.core.access import Role
from portal.core.home import waiting_for
from portal.home import waiting  # noqa: F401  (registers the foundation providers)
from portal.payroll import home as payroll_home
from portal.payroll import labels as payroll_labels
from portal.posts.plans import queries as plan_queries

bp = Blueprint("home", __name__)

ALLOWED_WHILE_MUST_CHANGE = {"accounts.account", "accounts.logout", "static", "accounts.login"}


@bp.before_app_request
def force_password_change():
    """A temporary password (new user, reset) must be changed before anything else."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in ALLOWED_WHILE_MUST_CHANGE and not request.path.startswith("/api/")):
        return redirect(url_for("accounts.account", _anchor="password"))
    return None


@dataclass(frozen=True)
class ClerkToday:
    """The clerk's day: today's marks of the holders on duty, and the payroll of the month that ended last."""

    day: date
    weekday: str
    working: bool
    marked: int
    holders: int
    payroll: payroll_home.MonthToPay


def _clerk_today(user) -> ClerkToday:
    today = attendance.county_today()
    marked, holders = grid.day_counts(user.village_id, today)
    working = attendance.county_calendar(user.scope_county_id).is_working_day(today)
    return ClerkToday(today, str(WEEKDAY_LONG[today.weekday()]), working, marked, holders,
                      payroll_home.month_to_pay(user, today))


@bp.get("/")
@login_required
def index():
    role = current_user.role
    if role == Role.COUNTY_AUDITOR:
        return redirect(url_for("audit_desk.dashboard"))
    today = _clerk_today(current_user) if role == Role.VILLAGE_CLERK and current_user.village_id else None
    quotas = plan_queries.quota_use_by_township(current_user, attendance.county_today()) \
        if role == Role.COUNTY_ADMIN else None
    return render_template("home/index.html", items=waiting_for(current_user), today=today, quotas=quotas,
                           payroll_state=payroll_labels.state_label)
