"""What other notices plug into the village boards with: a section of rows (`BoardSection`), the providers of
sections (`board_section`) and the counters of running notices per village (`board_count`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from portal.places.models import Village


@dataclass
class BoardSection:
    """A table of notices shown on a village's board by another feature."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


BOARD_SECTIONS: list[Callable[[Village, date], list[BoardSection]]] = []
BOARD_COUNTS: list[Callable[[date], dict[int, int]]] = []


def board_section(fn: Callable[[Village, date], list[BoardSection]]) -> Callable:
    """Register a provider of extra notice sections for the village boards."""
    BOARD_SECTIONS.append(fn)
    return fn


def board_count(fn: Callable[[date], dict[int, int]]) -> Callable:
    """Register a counter of another feature's running notices per village (added to the list of boards)."""
    BOARD_COUNTS.append(fn)
    return fn
