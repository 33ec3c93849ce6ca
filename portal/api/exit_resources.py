"""Placeholder: API endpoints added by the posts issue."""

BLUEPRINTS: list = []
