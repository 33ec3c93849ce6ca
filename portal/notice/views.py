"""Placeholder: filled in by the posts issue."""

from flask import Blueprint

bp = Blueprint("notice", __name__, url_prefix="/notice")
