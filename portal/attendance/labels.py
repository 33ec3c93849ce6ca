"""Chinese names of the attendance vocabulary (出勤 / 半天 / 请假 / 旷工), through the translation layer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.attendance.rules import SYMBOL, Mark
from portal.core.i18n import current_language

MARK = {Mark.PRESENT: _l("Present"), Mark.HALF: _l("Half day"), Mark.LEAVE: _l("Leave"),
        Mark.ABSENT: _l("Absent")}
# The order of the day view's buttons and of the grid's totals; the digit is the grid's keyboard key.
ORDER = (Mark.PRESENT, Mark.HALF, Mark.LEAVE, Mark.ABSENT)
KEY = {Mark.PRESENT: "1", Mark.HALF: "2", Mark.LEAVE: "3", Mark.ABSENT: "4"}
WEEKDAY = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))  # grid headers: 一 … 日
# Spelled out where the weekday stands alone (the day view): 星期一 … 星期日.
WEEKDAY_LONG = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                _l("Sunday"))


def mark_label(code: str | None) -> str:
    """The mark's name (出勤…), or an empty string for no mark."""
    return str(MARK[Mark(code)]) if code in set(Mark) else ""


# English pages write leave as L (假 is the Chinese word); the other symbols are the same in every language.
SYMBOL_EN = {**SYMBOL, Mark.LEAVE: "L"}


def symbols() -> dict[str, str]:
    """Each mark's one-character grid symbol in the reader's language: √ ½ 假 × (English: √ ½ L ×)."""
    return dict(SYMBOL) if current_language().startswith("zh") else SYMBOL_EN


def symbol(code: str | None) -> str:
    """The mark's one-character grid symbol, or an empty string."""
    return symbols().get(code or "", "")


def marks_by_symbol() -> dict[str, str]:
    """Symbol -> mark code, for the grid's script."""
    return {sym: str(mark) for mark, sym in symbols().items()}


def keys_text() -> str:
    """The keys that set each mark, for a refusal: 1 出勤, 2 半天, 3 请假, 4 旷工."""
    return ", ".join(f"{KEY[m]} {MARK[m]}" for m in ORDER)
