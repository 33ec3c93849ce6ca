"""Amounts in Chinese capital numerals (大写金额), as written on payroll sheets and payment vouchers.

Follows the People's Bank rules for filling in vouchers (正确填写票据和结算凭证的基本规定):
整 after 元 or 角 when no 分 follows; a 零 for a zero inside the number (one 零 for a run of zeros);
元零X分 when the 角 is zero and the 分 is not. Where the rules allow 零 or none (1680.32 as
壹仟陆佰捌拾元叁角贰分), none is written. 10 元 is 壹拾元整, as on a cheque. Pure.

Written here rather than taken from a package: the one candidate (cn2an's "rmb" mode) brings a
preprocessing dependency of its own and does not state these voucher rules; forty lines with a table
of tests do.
"""

from __future__ import annotations

from decimal import Decimal

from portal.core.money import round_half_up

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
BIG_UNITS = ("", "万", "亿", "万亿")


def _integer(n: int) -> str:
    """A whole number of yuan in capitals, without the 元."""
    if n == 0:
        return "零"
    digits = str(n)
    if len(digits) > 16:
        raise ValueError("amount too large for capital numerals")
    out: list[str] = []
    zero_pending = group_has_digit = False
    for i, ch in enumerate(digits):
        place = len(digits) - 1 - i
        d = int(ch)
        if d == 0:
            zero_pending = bool(out)
        else:
            if zero_pending:
                out.append("零")
                zero_pending = False
            out.append(DIGITS[d] + SMALL_UNITS[place % 4])
            group_has_digit = True
        if place % 4 == 0 and place > 0:
            if group_has_digit:
                out.append(BIG_UNITS[place // 4])
            group_has_digit = False
    return "".join(out)


def capital_yuan(amount: Decimal) -> str:
    """¥1234.50 as 壹仟贰佰叁拾肆元伍角整; negative amounts are prefixed 负."""
    value = round_half_up(Decimal(amount))
    if value < 0:
        return "负" + capital_yuan(-value)
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if jiao == 0 and fen == 0:
        return _integer(yuan) + "元整"
    head = _integer(yuan) + "元" if yuan else ""
    if jiao and fen:
        return f"{head}{DIGITS[jiao]}角{DIGITS[fen]}分"
    if jiao:
        return f"{head}{DIGITS[jiao]}角整"
    return f"{head}零{DIGITS[fen]}分" if yuan else f"{DIGITS[fen]}分"
