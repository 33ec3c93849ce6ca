"""The home page: one per role, saying what is waiting."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.core.home import waiting_for
from portal.home import waiting  # noqa: F401  (registers the foundation providers)
from portal.places import service as places

bp = Blueprint("home", __name__)

ALLOWED_WHILE_MUST_CHANGE = {"accounts.account", "accounts.logout", "static", "accounts.login"}


@bp.before_app_request
def force_password_change():
    """A temporary password (new user, reset) must be changed before anything else."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in ALLOWED_WHILE_MUST_CHANGE and not request.path.startswith("/api/")):
        return redirect(url_for("accounts.account", _anchor="password"))
    return None


@bp.get("/")
@login_required
def index():
    return render_template("home/index.html", items=waiting_for(current_user),
                           counts=places.village_counts(current_user))
