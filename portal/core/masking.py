"""Masking of personal data before output (PIPL / GB/T 35273)."""

from __future__ import annotations


def mask_id(value: str | None) -> str:
    """A resident ID as 4201**********123X: first four and last four kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_account(value: str | None) -> str:
    """A bank account as its BIN (first six) plus last four: 622588******1234."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * (len(value) - 4) + value[-4:] if len(value) > 4 else "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """A phone number as 138****5678."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
