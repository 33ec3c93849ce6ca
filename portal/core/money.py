"""Money is Decimal, rounded half-up to the fen once."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_half_up(value: Decimal) -> Decimal:
    """Round to the fen (0.01 元), halves away from zero."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
