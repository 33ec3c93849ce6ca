"""Chinese first: locale choice and the formats the UI shows (2026年11月, ¥1,234.50)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, get_currency_symbol
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user


def select_locale() -> str:
    """The user's chosen language; before login, the one picked on the login page; else zh_CN."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = request.args.get("lang") or session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def current_language() -> str:
    """The language of the page being made (zh_CN or en)."""
    return _locale()


def month_label(value: date | None) -> str:
    """A month as 2026年11月 (Chinese) or November 2026 (English)."""
    if value is None:
        return ""
    if _locale().startswith("zh"):
        return f"{value.year}年{value.month}月"
    return format_date(value, "MMMM y", locale=_locale())


def date_label(value: date | None) -> str:
    """A day as 2026年11月22日 (Chinese) or 22 Nov 2026 (English)."""
    if value is None:
        return ""
    if _locale().startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return format_date(value, "d MMM y", locale=_locale())


def datetime_label(value: datetime | None) -> str:
    """A timestamp in the county's time zone, to the minute: 2026年12月8日 05:55 (English: 8 Dec 2026 05:55)."""
    if value is None:
        return ""
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if _locale().startswith("zh"):
        return format_datetime(value, "y年M月d日 HH:mm", tzinfo=tz, locale=_locale())
    return format_datetime(value, "d MMM y HH:mm", tzinfo=tz, locale=_locale())


MONEY_PATTERN, MONEY_LOCALE = "¤#,##0.00", "zh_CN"
FEN = Decimal("0.01")
# Babel's CNY pattern in zh_CN, taken apart once: a payroll page formats hundreds of amounts, and Babel parses the
# locale and the pattern again for every one (a third of the page's time). Python's ",.2f" gives the same digits
# once rounded as Babel rounds (half-even); tests/unit/test_money_format.py holds the two together.
_YUAN = get_currency_symbol("CNY", locale=MONEY_LOCALE)


def money(value: Decimal | int | None) -> str:
    """Yuan as ¥1,234.50 in every language (-¥12.00 below zero); the same text as Babel's format_currency."""
    if value is None:
        return ""
    amount = Decimal(value)
    try:
        if not amount.is_finite():
            raise InvalidOperation
        text = f"{amount.quantize(FEN, rounding=ROUND_HALF_EVEN):,.2f}"
    except InvalidOperation:  # not finite, or beyond the context's precision: Babel says what it says
        return format_currency(amount, "CNY", format=MONEY_PATTERN, locale=MONEY_LOCALE)
    return f"-{_YUAN}{text[1:]}" if text[0] == "-" else _YUAN + text


def number(value: Decimal | int | None) -> str:
    """A quantity as people write it: 3,000 and 15.5, never 3E+3, 3000.00 or 15.50 (every digit kept)."""
    if value is None:
        return ""
    return format_decimal(Decimal(value), locale=_locale(), decimal_quantization=False)


# Actors that are not people, as the audit trail names them (auditlog.record("system", ...); the demo builder).
ACTORS = {"system": _l("system"), "demo": _l("demo data")}


def actor_label(name: str | None) -> str:
    """Who did it, as a person reads it: 系统 for the portal itself, 演示数据 for the demo builder, else the name."""
    return str(ACTORS[name]) if name in ACTORS else (name or "")


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def readable(params: Mapping, money_keys: Iterable[str] = ()) -> dict:
    """A message's parameters as people write them: days (a date or 2026-12-15) as 2026年12月15日, months
    (2026-12) as 2026年12月, and the amounts named in `money_keys` as ¥9,600.00. Rules keep ISO text and
    Decimals; the sentence shown to a person goes through here."""
    shown = {}
    for key, value in params.items():
        if key in money_keys and value not in (None, ""):
            value = money(Decimal(str(value)))
        elif isinstance(value, datetime):
            value = datetime_label(value)
        elif isinstance(value, date):
            value = date_label(value)
        elif isinstance(value, str) and ISO_DAY.match(value):
            try:
                value = date_label(date.fromisoformat(value))
            except ValueError:
                pass
        elif isinstance(value, str) and (found := ISO_MONTH.match(value)) and 1 <= int(found.group(2)) <= 12:
            value = month_label(date(int(found.group(1)), int(found.group(2)), 1))
        shown[key] = value
    return shown


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        month=month_label, date=date_label, datetime=datetime_label, money=money, number=number,
        actor=actor_label,
    )
    app.jinja_env.globals["current_locale"] = _locale
    app.jinja_env.globals["year_month"] = lambda year, month: month_label(date(year, month, 1))
