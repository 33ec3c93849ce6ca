"""The audit pages' blueprint (`audit`): the log (audit.views), runs, findings and settings each add their routes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
