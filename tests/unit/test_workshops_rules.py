"""Rule 5 (梯次奖补, 动态管理和退出): tiers, exit conditions, stable employees, overlaps, classification, credit
codes and the state machines. Pure: no app, no database. Boundaries first.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from portal.core.calendar import WorkCalendar
from portal.core.errors import RuleViolation
from portal.registry.rules import Problem
from portal.workshops import checks
from portal.workshops import rules as r
from portal.workshops.rules import (
    AssessmentAction,
    AssessmentState,
    Classification,
    Employment,
    ExitAction,
    ExitCondition,
    ExitState,
    IllegalMove,
    MonthFacts,
    Span,
    Tier,
    WorkshopAction,
    WorkshopPolicy,
    WorkshopState,
    YearFacts,
)

D = Decimal
POLICY = r.DEFAULT_POLICY


def code_with_check(body17: str) -> str:
    """A valid unified social credit code from its first 17 characters (stdnum's check character)."""
    return body17 + uscc.calc_check_digit(body17)


# ---- tiers and rewards ---------------------------------------------------------------------------

@pytest.mark.parametrize("stable, level, reward", [
    (0, 0, "0.00"), (4, 0, "0.00"), (5, 1, "10000.00"), (9, 1, "10000.00"), (10, 2, "20000.00"),
    (19, 2, "20000.00"), (20, 3, "30000.00"), (29, 3, "30000.00"), (30, 4, "50000.00"), (300, 4, "50000.00"),
])
def test_reward_tier_at_every_boundary(stable, level, reward):
    assert r.tier_of(stable, POLICY.tiers) == level
    assert r.reward_of(level, POLICY.tiers) == D(reward)
    result = r.assess(YearFacts(2026, date(2020, 1, 1), stable, previous_level=level), POLICY)
    assert (result.level, result.reward, result.withheld) == (level, D(reward), False)


def test_a_county_tier_table_replaces_the_default():
    policy = WorkshopPolicy(tiers=r.parse_tiers("8:12000，16:25000"))
    assert [(s, r.reward_of(r.tier_of(s, policy.tiers), policy.tiers)) for s in (7, 8, 15, 16, 99)] == [
        (7, D("0.00")), (8, D("12000.00")), (15, D("12000.00")), (16, D("25000.00")), (99, D("25000.00"))]


def test_tier_text_round_trips_in_any_order():
    assert r.parse_tiers("30:50000,5:10000,20:30000,10:20000") == r.DEFAULT_TIERS
    assert r.format_tiers(r.DEFAULT_TIERS) == "5:10000,10:20000,20:30000,30:50000"
    assert r.parse_tiers(r.format_tiers((Tier(3, D("1500.50")),))) == (Tier(3, D("1500.50")),)


@pytest.mark.parametrize("text", ["", "5", "5:abc", "0:1000", "5:0", "5:100.001", "5:20000,10:10000",
                                  "5:10000,5:20000", "x:1"])
def test_unusable_tier_tables_are_refused(text):
    with pytest.raises(ValueError):
        r.parse_tiers(text)


@pytest.mark.parametrize("field", ["halt_months", "low_aided_threshold", "low_aided_months", "notice_working_days"])
def test_policy_numbers_are_at_least_one(field):
    with pytest.raises(ValueError):
        WorkshopPolicy(**{field: 0})
    assert getattr(WorkshopPolicy(**{field: 1}), field) == 1


def test_policy_defaults_are_the_domains():
    assert (POLICY.halt_months, POLICY.low_aided_threshold, POLICY.low_aided_months, POLICY.notice_working_days,
            POLICY.stable_months) == (3, 5, 6, 5, 6)


# ---- exit conditions -----------------------------------------------------------------------------

def months(*specs, start=(2026, 1)) -> list[MonthFacts]:
    """One MonthFacts per spec from `start` on: 'o' operating, 'h' halted, 'v' violation, '-' no report;
    a number after the letter is the aided count (default 8)."""
    out, month = [], start
    for spec in specs:
        kind, aided = spec[0], int(spec[1:] or 8)
        out.append(MonthFacts(month, aided, reported=kind != "-", operating=kind != "h", violation=kind == "v"))
        month = r.next_month(month)
    return out


@pytest.mark.parametrize("specs, state, met", [
    (["o", "h", "h"], "watch", []),  # 2 halted months: watch, not yet an exit
    (["o", "h", "h", "h"], "watch", [("halted", (2026, 2), (2026, 4))]),  # the 3rd: exit due
    (["h", "h", "o", "h", "h"], "watch", []),  # an operating month breaks the run
    (["h", "h", "-", "h"], "watch", []),  # so does a month without a report before a reported one
    (["o", "h", "h", "-", "-"], "watch", []),  # months not reported yet: the run stands, no longer
    (["h", "h", "h", "-"], "watch", [("halted", (2026, 1), (2026, 3))]),
    (["v", "-"], "watch", [("violation", (2026, 1), (2026, 1))]),
    (["h", "h", "h", "o"], "normal", [("halted", (2026, 1), (2026, 3))]),  # met, then cleared: still met
    (["o", "o", "o"], "normal", []),
])
def test_halted_three_consecutive_months(specs, state, met):
    found = r.monitor(months(*specs), POLICY)
    assert found.state == state
    assert [(run.condition, run.started, run.met_in) for run in found.met] == met


@pytest.mark.parametrize("aided, state, met", [
    ([8, 4, 4, 4, 4, 4], "watch", []),  # 5 months under 5: watch
    ([8, 4, 4, 4, 4, 4, 4], "watch", [((2026, 2), (2026, 7))]),  # the 6th month: exit due
    ([4, 4, 4, 5, 4, 4, 4], "watch", []),  # a month at 5 breaks the run
    ([5, 5, 5, 5, 5, 5, 5], "normal", []),  # 5 is not fewer than 5
    ([0, 0, 0, 0, 0, 0], "watch", [((2026, 1), (2026, 6))]),
])
def test_fewer_than_five_aided_for_six_months(aided, state, met):
    found = r.monitor(months(*[f"o{a}" for a in aided]), POLICY)
    assert found.state == state
    assert [(run.started, run.met_in) for run in found.met] == met
    assert all(run.condition == ExitCondition.LOW_AIDED for run in found.met)


def test_a_late_report_does_not_lengthen_a_run_it_does_not_see():
    found = r.monitor(months("o", "h", "h", "-", "-"), POLICY)
    assert [(run.condition, run.started, run.last, run.months) for run in found.ongoing] == [
        (ExitCondition.HALTED, (2026, 2), (2026, 3), 2)]


def test_low_aided_needs_no_report_halted_does():
    found = r.monitor(months("-4", "-4", "-4", "-4", "-4", "-4"), POLICY)
    assert [run.condition for run in found.met] == [ExitCondition.LOW_AIDED]


def test_a_violation_meets_its_condition_at_once():
    found = r.monitor(months("o", "o", "v"), POLICY)
    assert found.state == WorkshopState.WATCH
    assert [(run.condition, run.started, run.met_in) for run in found.met] == [("violation", (2026, 3), (2026, 3))]
    later = r.monitor(months("o", "v", "o"), POLICY)
    assert later.state == WorkshopState.NORMAL and [run.met_in for run in later.met] == [(2026, 2)]


def test_watch_names_the_condition_that_started_first_and_when():
    found = r.monitor(months("o8", "o4", "h4", "h4"), POLICY)
    assert found.state == WorkshopState.WATCH
    assert [(run.condition, run.started, run.months) for run in found.ongoing] == [
        (ExitCondition.LOW_AIDED, (2026, 2), 3), (ExitCondition.HALTED, (2026, 3), 2)]
    assert found.first.condition == ExitCondition.LOW_AIDED and found.first.started == (2026, 2)


def test_county_settings_change_the_lengths():
    policy = WorkshopPolicy(halt_months=2, low_aided_threshold=3, low_aided_months=2)
    assert [run.condition for run in r.monitor(months("h", "h"), policy).met] == [ExitCondition.HALTED]
    assert r.monitor(months("o3", "o3"), policy).met == ()
    assert [run.condition for run in r.monitor(months("o2", "o2"), policy).met] == [ExitCondition.LOW_AIDED]


def test_runs_cross_the_year_end():
    found = r.monitor(months("h", "h", "h", start=(2025, 11)), POLICY)
    assert found.met[0].started == (2025, 11) and found.met[0].met_in == (2026, 1)


def test_months_must_be_consecutive():
    with pytest.raises(ValueError):
        r.monitor([MonthFacts((2026, 1), 8), MonthFacts((2026, 3), 8)], POLICY)
    assert r.monitor([], POLICY).state == WorkshopState.NORMAL


# ---- aided employees of a month and stable employees of a year ------------------------------------

@pytest.mark.parametrize("span, counted", [
    (Span(date(2026, 3, 31)), True),  # hired on the month's last day
    (Span(date(2026, 3, 1), date(2026, 3, 30)), False),  # left the day before
    (Span(date(2026, 1, 1), date(2026, 3, 31)), True),  # left on the last day
    (Span(date(2026, 4, 1)), False),
])
def test_aided_employees_are_counted_on_the_months_last_day(span, counted):
    assert r.aided_people([Employment(1, span)], (2026, 3)) == (frozenset({1}) if counted else frozenset())


def test_no_aided_employees_outside_the_workshops_days():
    jobs = [Employment(1, Span(date(2025, 1, 1)))]
    assert r.aided_people(jobs, (2026, 5), r.active_span(date(2026, 1, 10), date(2026, 6, 1))) == {1}
    assert r.aided_people(jobs, (2026, 6), r.active_span(date(2026, 1, 10), date(2026, 6, 1))) == frozenset()
    assert r.aided_people(jobs, (2025, 12), r.active_span(date(2026, 1, 10), None)) == frozenset()


@pytest.mark.parametrize("spans, months_in_year, stable", [
    ([Span(date(2026, 1, 1), date(2026, 5, 31))], 5, False),
    ([Span(date(2026, 1, 1), date(2026, 6, 29))], 5, False),
    ([Span(date(2026, 1, 1), date(2026, 6, 30))], 6, True),
    ([Span(date(2026, 1, 15), date(2026, 7, 14))], 6, True),  # six whole months, six month-ends
    ([Span(date(2026, 7, 1))], 6, True),
    ([Span(date(2026, 8, 1))], 5, False),
    ([Span(date(2025, 3, 1))], 12, True),
    ([Span(date(2026, 1, 1), date(2026, 3, 31)), Span(date(2026, 7, 1), date(2026, 9, 30))], 6, True),  # joined
    ([Span(date(2026, 1, 1), date(2026, 2, 28)), Span(date(2026, 9, 1), date(2026, 11, 30))], 5, False),
])
def test_stable_means_six_month_ends_in_the_year(spans, months_in_year, stable):
    assert r.months_employed(spans, 2026) == months_in_year
    jobs = [Employment(7, s) for s in spans]
    assert r.stable_people(jobs, 2026, POLICY) == (frozenset({7}) if stable else frozenset())


def test_stable_months_stop_at_the_exit():
    jobs = [Employment(1, Span(date(2025, 1, 1)))]
    assert r.stable_people(jobs, 2026, POLICY, r.active_span(date(2025, 1, 1), date(2026, 7, 1))) == {1}  # Jan–Jun
    assert r.stable_people(jobs, 2026, POLICY, r.active_span(date(2025, 1, 1), date(2026, 6, 30))) == frozenset()


@given(st.dates(date(2024, 1, 1), date(2027, 12, 31)), st.integers(0, 800))
def test_months_employed_is_between_0_and_12(start, days):
    from datetime import timedelta

    n = r.months_employed([Span(start, start + timedelta(days=days))], 2026)
    assert 0 <= n <= 12


# ---- one workshop at a time ----------------------------------------------------------------------

@pytest.mark.parametrize("new, overlaps", [
    (Span(date(2026, 3, 10)), True),  # hired elsewhere on the leave day
    (Span(date(2026, 3, 11)), False),  # on the day after
    (Span(date(2025, 12, 1), date(2026, 1, 1)), True),  # leaving on the other's hire day
    (Span(date(2025, 12, 1), date(2025, 12, 31)), False),
    (Span(date(2025, 1, 1)), True),  # open-ended around it
])
def test_employment_overlap_boundaries(new, overlaps):
    existing = [Span(date(2026, 1, 1), date(2026, 3, 10))]
    assert (r.first_overlap(new, existing) == 0) is overlaps


def test_an_open_employment_overlaps_everything_after_it():
    assert r.first_overlap(Span(date(2030, 1, 1), date(2030, 1, 2)), [Span(date(2026, 5, 1), date(2026, 5, 2)),
                                                                       Span(date(2026, 6, 1))]) == 1


# ---- classification ------------------------------------------------------------------------------

BASE = dict(year=2026, certified_on=date(2023, 5, 1), stable=12, previous_level=2)


@pytest.mark.parametrize("changes, expected", [
    ({}, Classification.STEADY),
    ({"stable": 20}, Classification.UPGRADED),
    ({"stable": 9}, Classification.SUPPORTED),  # below the tier it had
    ({"in_watch": True}, Classification.SUPPORTED),
    ({"in_watch": True, "stable": 20}, Classification.SUPPORTED),  # watch outranks a rise
    ({"certified_on": date(2026, 1, 1), "previous_level": None}, Classification.NEW),
    ({"certified_on": date(2026, 1, 1), "in_watch": True, "previous_level": None}, Classification.NEW),
    ({"certified_on": date(2025, 12, 31)}, Classification.STEADY),  # 12 months at the year's end: not new
    ({"condition_met": True, "certified_on": date(2026, 3, 1)}, Classification.ADJUSTED),  # exit outranks new
    ({"condition_met": True, "stable": 30}, Classification.ADJUSTED),
    ({"exited_on": date(2026, 9, 1)}, Classification.ADJUSTED),
    ({"previous_level": None}, Classification.STEADY),  # nothing to compare with
])
def test_classification_and_its_precedence(changes, expected):
    facts = YearFacts(**{**BASE, **changes})
    assert r.assess(facts, POLICY).classification == expected


@pytest.mark.parametrize("exited_on, withheld", [
    (date(2026, 9, 1), True), (date(2026, 12, 31), True), (date(2027, 1, 1), False), (None, False)])
def test_no_reward_for_the_year_of_the_exit(exited_on, withheld):
    result = r.assess(YearFacts(**{**BASE, "stable": 30, "exited_on": exited_on}), POLICY)
    assert result.level == 4
    assert (result.reward, result.withheld) == ((D("0.00"), True) if withheld else (D("50000.00"), False))


@pytest.mark.parametrize("certified_on, exited_on, assessed", [
    (date(2026, 12, 31), None, True), (date(2027, 1, 1), None, False),
    (date(2020, 1, 1), date(2026, 1, 2), True), (date(2020, 1, 1), date(2026, 1, 1), False),
])
def test_a_year_is_assessed_when_the_workshop_was_one_on_a_day_of_it(certified_on, exited_on, assessed):
    assert r.assessable(2026, certified_on, exited_on) is assessed


# ---- unified social credit codes -----------------------------------------------------------------

@pytest.mark.parametrize("body", ["91422825MA4F1B2C3", "92422825000000001", "91110000600037341"])
def test_valid_credit_codes_pass(body):
    code = code_with_check(body)
    assert r.parse_credit_code(code) == code
    assert r.parse_credit_code(" " + code.lower()[:9] + "-" + code.lower()[9:]) == code  # compacted, upper case


def _wrong_check(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.mark.parametrize("value, reason", [
    ("", "empty"), ("   ", "empty"),
    ("91422825MA4F1B2C", "length"),
    ("9142282XMA4F1B2C3X", "format"),  # a letter among the first eight
    ("91422825MA4F1B2CI0", "format"),  # I is not in the alphabet
    (_wrong_check(code_with_check("91422825MA4F1B2C3")), "checksum"),
])
def test_invalid_credit_codes_say_why(value, reason):
    with pytest.raises(r.InvalidCreditCode) as err:
        r.parse_credit_code(value)
    assert err.value.reason == reason


# ---- input checks --------------------------------------------------------------------------------

def report(**changes) -> checks.ReportData:
    return checks.ReportData(**{"operating": True, "total_employees": 12, "wages_paid": D("30000.00"),
                                "output_value": D("150000.00"), **changes})


TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("month, data, aided, codes", [
    ((2026, 11), report(), 8, []),  # the current month
    ((2026, 12), report(), 8, ["future_month"]),
    ((2026, 2), report(), 8, ["before_certified"]),
    ((2026, 3), report(), 8, []),  # the month of certification
    ((2026, 10), report(total_employees=7), 8, ["total_below_aided"]),
    ((2026, 10), report(total_employees=8), 8, []),
    ((2026, 10), report(operating=False, total_employees=0), 8, []),  # halted: no headcount check
    ((2026, 10), report(violation=True), 8, ["violation_note_required"]),
    ((2026, 10), report(violation=True, violation_note="无证排污"), 8, []),
    ((2026, 10), report(wages_paid=D("-1")), 8, ["money"]),
    ((2026, 10), report(output_value=D("1.001")), 8, ["money"]),
    ((2026, 10), report(total_employees=-1), 0, ["count"]),
    ((2026, 13), report(), 0, ["no_month"]),
])
def test_report_checks(month, data, aided, codes):
    found = checks.report_problems(month, TODAY, date(2026, 3, 15), None, data, aided)
    assert [p.code for p in found] == codes


def test_no_report_from_the_exit_month_on():
    assert [p.code for p in checks.report_problems((2026, 6), TODAY, date(2025, 1, 1), date(2026, 6, 15),
                                                   report(), 0)] == []
    assert [p.code for p in checks.report_problems((2026, 7), TODAY, date(2025, 1, 1), date(2026, 7, 1),
                                                   report(), 0)] == ["after_exit"]


@pytest.mark.parametrize("hire, leave, wage, exited_on, codes", [
    (TODAY, None, D("2500.00"), None, []),
    (date(2026, 11, 23), None, D("2500.00"), None, ["hire_in_future"]),
    (date(2026, 5, 2), date(2026, 5, 1), D("2500.00"), None, ["leave_before_hire"]),
    (date(2026, 5, 1), date(2026, 5, 1), D("2500.00"), None, []),  # a single day
    (date(2026, 5, 1), None, D("0.00"), None, ["wage"]),
    (date(2026, 5, 1), None, D("2500.005"), None, ["wage"]),
    (date(2026, 6, 1), None, D("2500.00"), date(2026, 6, 1), ["after_exit"]),
    (date(2026, 5, 31), None, D("2500.00"), date(2026, 6, 1), []),
])
def test_employment_checks(hire, leave, wage, exited_on, codes):
    assert [p.code for p in checks.employment_problems(hire, leave, wage, TODAY, exited_on)] == codes


def test_an_approved_year_is_closed_to_changes_reaching_into_it():
    assert checks.closed_year_problem(date(2025, 12, 31), {2025}) == Problem("year", "year_closed", (("year", "2025"),))
    assert checks.closed_year_problem(date(2026, 1, 1), {2025}) is None
    assert checks.closed_year_problem(date(2024, 6, 1), {2025}) is not None  # reaches through 2025


@pytest.mark.parametrize("today, effective_on, codes", [
    (date(2026, 11, 27), date(2026, 11, 30), ["notice_running"]),  # the notice's last day
    (date(2026, 11, 28), date(2026, 11, 30), []),
    (date(2026, 11, 28), date(2026, 11, 28), []),  # effective the day of approval
    (date(2026, 11, 28), date(2026, 11, 27), ["effective_past"]),
])
def test_exit_approval_waits_for_the_notice(today, effective_on, codes):
    assert [p.code for p in checks.approval_problems(today, date(2026, 11, 27), effective_on)] == codes


def test_the_notice_runs_five_working_days_after_posting():
    # posted Friday 20 November 2026: Mon 23 … Fri 27 are the five working days
    assert r.notice_end(date(2026, 11, 20), POLICY, WorkCalendar()) == date(2026, 11, 27)
    # posted before the National Day holiday: the holiday's days are not counted
    assert r.notice_end(date(2026, 9, 30), POLICY, WorkCalendar()) > date(2026, 10, 8)


# ---- state machines ------------------------------------------------------------------------------

@pytest.mark.parametrize("state, action, new", [
    ("normal", "watch", "watch"), ("watch", "clear", "normal"), ("normal", "propose_exit", "exiting"),
    ("watch", "propose_exit", "exiting"), ("exiting", "resume", "normal"), ("exiting", "exit", "exited"),
])
def test_workshop_moves(state, action, new):
    assert r.next_workshop_state(state, action) == new


@pytest.mark.parametrize("state, action", [
    ("exited", "watch"), ("exited", "resume"), ("exiting", "propose_exit"), ("normal", "exit"), ("watch", "watch"),
])
def test_illegal_workshop_moves(state, action):
    with pytest.raises(IllegalMove):
        r.next_workshop_state(state, action)


def test_exit_workflow():
    state = ExitState.PROPOSED
    for action in (ExitAction.PUBLISH, ExitAction.APPROVE, ExitAction.EXIT):
        state = r.next_exit_state(state, action)
    assert state == ExitState.EXITED
    assert r.next_exit_state("in_notice", "reject") == ExitState.REJECTED
    assert r.exit_actions("proposed") == {"publish", "reject"}
    for state, action in (("proposed", "approve"), ("approved", "reject"), ("rejected", "publish"),
                          ("exited", "exit")):
        with pytest.raises(IllegalMove):
            r.next_exit_state(state, action)


def test_assessment_workflow():
    assert r.next_assessment_state("computed", AssessmentAction.RECOMPUTE) == AssessmentState.COMPUTED
    assert r.next_assessment_state("computed", "approve") == AssessmentState.APPROVED
    assert r.next_assessment_state("approved", "pay") == AssessmentState.PAID
    for state, action in (("computed", "pay"), ("approved", "approve"), ("approved", "recompute"),
                          ("paid", "pay")):
        with pytest.raises(IllegalMove) as err:
            r.next_assessment_state(state, action)
        assert isinstance(err.value, RuleViolation)


def test_every_action_enum_is_used():
    used = {a for (_, a) in r.WORKSHOP_MOVES} | {a for (_, a) in r.EXIT_MOVES} | {a for (_, a) in r.ASSESSMENT_MOVES}
    assert set(WorkshopAction) | set(ExitAction) | set(AssessmentAction) <= used
