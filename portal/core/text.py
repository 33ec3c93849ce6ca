"""Text input rules shared by every form, API body, query and file import: no control characters.

NUL and the other C0 control characters (tab, line feed and carriage return excepted), DEL and the Unicode
line and paragraph separators never belong in a name, a note or a query: PostgreSQL refuses a NUL in text
(a 500 before this rule), SQLite stores it, and the others corrupt exports and pages. Pure functions.
"""

from __future__ import annotations

import re
from typing import Any

CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def has_control(value: Any) -> bool:
    """Whether a text contains a character refused in every text input."""
    return isinstance(value, str) and CONTROL_RE.search(value) is not None


def text_problem(value: str | None, max_length: int | None = None) -> str | None:
    """The problem code of a text field ('control' or 'too_long'), or None when it is fine."""
    if not value:
        return None
    if has_control(value):
        return "control"
    if max_length is not None and len(value) > max_length:
        return "too_long"
    return None
