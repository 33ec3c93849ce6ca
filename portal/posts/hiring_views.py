"""Placeholder: filled in by the posts issue."""

from flask import Blueprint

bp = Blueprint("hiring_pages", __name__, url_prefix="/posts")
