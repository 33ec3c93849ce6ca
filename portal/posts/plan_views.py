"""Placeholder: filled in by the posts issue."""

from flask import Blueprint

bp = Blueprint("plan_pages", __name__, url_prefix="/posts")
