"""The post plan pages' blueprint (`plan_pages`): the plan routes (plans.views) and the county settings page
(plans.settings_views) both add to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("plan_pages", __name__, url_prefix="/posts")
