"""Workshop files: the annual assessment report as PDF and Excel."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workshop_files", __name__, url_prefix="/workshops")
