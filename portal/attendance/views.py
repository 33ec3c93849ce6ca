"""Attendance pages: the clerk's day view (phone) and month grid (desk); the county's working-day calendar."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("attendance_pages", __name__, url_prefix="/attendance")
