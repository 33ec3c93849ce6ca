"""core.i18n.money writes the very text Babel's format_currency gives for CNY, in either UI language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pytest
from babel.numbers import format_currency
from flask import Flask
from flask_babel import Babel

from portal.core.i18n import money

VALUES = [
    "0", "0.00", "-0", "-0.00", "0.01", "-0.01", "1", "12.5", "800.00", "999.99", "1000", "1234.5", "-1234.50",
    "-800.00", "99999.99", "1000000", "-1000000.00", "1234567890.12", "9999999999.99", "-9999999999.99",
    # more than two places: the page shows Babel's rounding (half-even), it does not round half-up a second time
    "0.005", "0.015", "0.025", "1.005", "2.675", "-2.675", "0.004999", "-0.001", "12345678901234.565",
    "1E+3", "1.5E-7",
]


def babel_text(value) -> str:
    return format_currency(Decimal(value), "CNY", format="¤#,##0.00", locale="zh_CN")


@pytest.mark.parametrize("value", VALUES)
def test_money_is_babels_text(value):
    assert money(Decimal(value)) == babel_text(value)


@pytest.mark.parametrize("value", [0, 5, -5, 1234, -98765432, 10**12])
def test_whole_yuan_as_int(value):
    assert money(value) == babel_text(value)


def test_examples_and_none():
    assert money(Decimal("1234.5")) == "¥1,234.50"
    assert money(Decimal("-12")) == "-¥12.00"
    assert money(None) == ""


def outcome(fn, value):
    try:
        return fn(value)
    except InvalidOperation as exc:
        return type(exc)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1E+40", "-1E+40"])
def test_what_python_cannot_round_is_left_to_babel(value):
    """Not finite, or past the decimal context: Babel decides (∞, or the same InvalidOperation)."""
    assert outcome(money, Decimal(value)) == outcome(babel_text, value)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_same_text_in_either_ui_language(locale):
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: locale)
    with app.test_request_context():
        for value in VALUES:
            assert money(Decimal(value)) == babel_text(value)
