"""Statistical division codes (统计用区划代码): 12 digits, the hierarchy written in the digits.

PP CC DD TTT VVV — province, city, county, township, village. A county's code ends in nine zeros
after its six-digit prefix, a township's in three; a village's does not. The parent of a place is its
code with the lower part zeroed, so a CSV of codes and names is enough to rebuild the tree.
"""

from __future__ import annotations

import enum


class Level(enum.StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


class CodeError(ValueError):
    """A division code that is not 12 digits or names no county, township or village."""


def level_of(code: str) -> Level:
    """The level a division code denotes."""
    if len(code) != 12 or not code.isdigit():
        raise CodeError("not 12 digits")
    if code[6:] == "000000":
        if code[4:6] == "00":
            raise CodeError("a province or city code, not a county")
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP
    return Level.VILLAGE


def parent_code(code: str) -> str | None:
    """The code of the place above: a village's township, a township's county; None for a county."""
    level = level_of(code)
    if level is Level.VILLAGE:
        return code[:9] + "000"
    if level is Level.TOWNSHIP:
        return code[:6] + "000000"
    return None
