"""Placeholder: the posts feature's flask commands (daily checks) are added by the posts issue."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the posts commands to the app's CLI."""
