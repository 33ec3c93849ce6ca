"""Certifying workshops and keeping their aided employees (Rule 5)."""
