"""Rule 3, the attendance half: what a typed cell means, the duty window, when a mark may change, tallies."""

from datetime import date
from decimal import Decimal

import pytest

from portal.attendance.rules import (
    KEYS,
    ON_DUTY_STATES,
    SYMBOL,
    Mark,
    Refusal,
    Tally,
    UnknownMark,
    Window,
    active_window,
    late_change,
    mark_refusal,
    parse_mark,
    tally,
)

START, END = date(2026, 3, 1), date(2026, 12, 31)
TODAY = date(2026, 11, 22)
WINDOW = Window(date(2026, 3, 10), date(2026, 11, 20))


# ---- parse_mark -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "mark"), [
    ("1", Mark.PRESENT), ("p", Mark.PRESENT), ("P", Mark.PRESENT), ("√", Mark.PRESENT), ("出", Mark.PRESENT),
    ("present", Mark.PRESENT), (" 1 ", Mark.PRESENT),
    ("2", Mark.HALF), ("h", Mark.HALF), ("H", Mark.HALF), ("½", Mark.HALF), ("半", Mark.HALF), ("0.5", Mark.HALF),
    ("half", Mark.HALF),
    ("3", Mark.LEAVE), ("l", Mark.LEAVE), ("L", Mark.LEAVE), ("假", Mark.LEAVE), ("请", Mark.LEAVE),
    ("leave", Mark.LEAVE),
    ("4", Mark.ABSENT), ("a", Mark.ABSENT), ("A", Mark.ABSENT), ("×", Mark.ABSENT), ("x", Mark.ABSENT),
    ("X", Mark.ABSENT), ("旷", Mark.ABSENT), ("absent", Mark.ABSENT), ("ABSENT", Mark.ABSENT),
])
def test_every_key_parses_to_its_mark(text, mark):
    assert parse_mark(text) is mark


def test_the_table_has_no_key_left_untested():
    tested = {"1", "p", "√", "出", "present", "2", "h", "½", "半", "0.5", "half", "3", "l", "假", "请", "leave",
              "4", "a", "×", "x", "旷", "absent"}
    assert set(KEYS) == tested


@pytest.mark.parametrize("blank", [None, "", " ", "\t", "　".strip()])
def test_blank_is_no_mark(blank):
    assert parse_mark(blank) is None


@pytest.mark.parametrize("text", ["5", "0", "y", "√√", "出勤", "1.0", "-", "?", "presentt"])
def test_unknown_text_is_refused(text):
    with pytest.raises(UnknownMark):
        parse_mark(text)


def test_every_mark_has_a_symbol_that_parses_back():
    for mark in Mark:
        assert parse_mark(SYMBOL[mark]) is mark


@pytest.mark.parametrize(("mark", "credit"), [
    (Mark.PRESENT, Decimal(1)), (Mark.HALF, Decimal("0.5")), (Mark.LEAVE, Decimal(0)), (Mark.ABSENT, Decimal(0))])
def test_credit(mark, credit):
    assert mark.credit == credit
    assert isinstance(mark.credit, Decimal)


# ---- active_window --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["nominated", "in_notice", "rejected"])
def test_no_window_before_approval_or_after_rejection(state):
    assert active_window(state, START, END, None) is None


@pytest.mark.parametrize("state", sorted(ON_DUTY_STATES))
def test_window_is_the_term_for_every_state_on_duty(state):
    assert active_window(state, START, END, None) == Window(START, END)


def test_exit_on_the_start_day_leaves_no_window():
    assert active_window("exited", START, END, START) is None


def test_exit_the_day_after_start_leaves_one_day():
    assert active_window("exited", START, END, date(2026, 3, 2)) == Window(START, START)


def test_exit_mid_term_ends_the_day_before():
    assert active_window("exited", START, END, date(2026, 7, 15)) == Window(START, date(2026, 7, 14))


def test_exit_after_the_term_keeps_the_end_of_term():
    assert active_window("exiting", START, END, date(2027, 2, 1)) == Window(START, END)


def test_exit_the_day_after_the_last_day_is_the_end_of_term():
    assert active_window("exited", START, END, date(2027, 1, 1)) == Window(START, END)


def test_window_contains_both_ends_only():
    w = Window(date(2026, 3, 10), date(2026, 3, 12))
    assert date(2026, 3, 10) in w and date(2026, 3, 12) in w
    assert date(2026, 3, 9) not in w and date(2026, 3, 13) not in w
    assert "2026-03-10" not in w


def test_clip():
    w = Window(date(2026, 3, 10), date(2026, 5, 5))
    assert w.clip(date(2026, 4, 1), date(2026, 4, 30)) == Window(date(2026, 4, 1), date(2026, 4, 30))
    assert w.clip(date(2026, 5, 1), date(2026, 5, 31)) == Window(date(2026, 5, 1), date(2026, 5, 5))
    assert w.clip(date(2026, 6, 1), date(2026, 6, 30)) is None


# ---- mark_refusal ---------------------------------------------------------------------------------


WIDE = Window(START, END)


@pytest.mark.parametrize(("day", "refusal"), [
    (TODAY, None),
    (date(2026, 11, 23), Refusal.FUTURE),
    (date(2026, 11, 1), None),
    (date(2026, 10, 31), None),
])
def test_today_allowed_tomorrow_future(day, refusal):
    assert mark_refusal(day, TODAY, WIDE, set()) == refusal


@pytest.mark.parametrize(("day", "refusal"), [
    (date(2026, 3, 9), Refusal.OUTSIDE_WINDOW),
    (date(2026, 3, 10), None),
    (date(2026, 11, 20), None),
    (date(2026, 11, 21), Refusal.OUTSIDE_WINDOW),
])
def test_first_and_last_day_of_the_window_allowed_one_day_outside_refused(day, refusal):
    assert mark_refusal(day, TODAY, WINDOW, set()) == refusal


def test_no_window_refuses_every_day():
    assert mark_refusal(date(2026, 5, 5), TODAY, None, set()) == Refusal.OUTSIDE_WINDOW


@pytest.mark.parametrize(("day", "refusal"), [
    (date(2026, 9, 30), None),
    (date(2026, 10, 1), Refusal.LOCKED),
    (date(2026, 10, 31), Refusal.LOCKED),
    (date(2026, 11, 1), None),
])
def test_first_and_last_day_of_a_locked_month(day, refusal):
    assert mark_refusal(day, TODAY, WIDE, {(2026, 10)}) == refusal


def test_locked_month_wins_over_the_window():
    assert mark_refusal(date(2026, 3, 1), TODAY, WINDOW, {(2026, 3)}) == Refusal.LOCKED


def test_future_wins_over_lock_and_window():
    assert mark_refusal(date(2026, 12, 5), TODAY, WINDOW, {(2026, 12)}) == Refusal.FUTURE


# ---- tally and late changes ----------------------------------------------------------------------


def test_tally_counts_only_inside_the_window():
    marks = {date(2026, 3, 9): "present", date(2026, 3, 10): "present", date(2026, 3, 11): "half",
             date(2026, 3, 12): "leave", date(2026, 3, 13): "absent", date(2026, 11, 21): "present"}
    t = tally(marks, WINDOW)
    assert t == Tally(present=1, half=1, leave=1, absent=1)
    assert t.duty_days == Decimal("1.5")


def test_tally_without_a_window_is_zero():
    assert tally({date(2026, 3, 10): "present"}, None) == Tally()
    assert Tally().duty_days == Decimal(0)


def test_tally_ignores_unknown_codes():
    assert tally({date(2026, 3, 10): "holiday"}, WINDOW) == Tally()


def test_duty_days_of_a_full_month():
    marks = {date(2026, 4, d): "present" for d in range(1, 23)} | {date(2026, 4, 23): "half"}
    assert tally(marks, WINDOW).duty_days == Decimal("22.5")


@pytest.mark.parametrize(("day", "set_on", "late"), [
    (date(2026, 11, 20), date(2026, 11, 20), False),
    (date(2026, 11, 20), date(2026, 11, 21), True),
    (date(2026, 11, 20), date(2026, 11, 19), False),
])
def test_late_change_is_a_mark_set_after_its_day(day, set_on, late):
    assert late_change(day, set_on) is late
