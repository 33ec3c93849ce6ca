"""Payroll pages: the village's payrolls, the township's queue, a payroll and its lines, arrears."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("payroll_pages", __name__, url_prefix="/payroll")
