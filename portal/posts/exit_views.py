"""Placeholder: filled in by the posts issue."""

from flask import Blueprint

bp = Blueprint("exit_pages", __name__, url_prefix="/posts")
