"""Workshop pages: certification and the register (county), employees and monthly reports (village and
township), monitoring by state with the aided-employment chart, exits and their notice, annual assessments."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workshop_pages", __name__, url_prefix="/workshops")
