"""Payroll files: the payroll sheet PDF (补贴发放表), the bank batch file, the village payroll ledger."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("payroll_files", __name__, url_prefix="/payroll")
