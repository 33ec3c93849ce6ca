"""Money is Decimal in whole fen, rounded half-up to the fen once."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def round_half_up(value: Decimal) -> Decimal:
    """Round to the fen (0.01 元), halves away from zero."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def is_money(value) -> bool:
    """Money is a finite Decimal in whole fen (at most two decimals; an amount too large to quantise is not)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    try:
        return value == value.quantize(CENT)
    except InvalidOperation:
        return False
