"""The posts policy: post plans (Rule 1), hiring (Rule 2), exits (Rule 4) and their workflows — no app."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.core.calendar import WorkCalendar
from portal.core.errors import RuleViolation
from portal.core.money import is_money
from portal.posts.exits.rules import (
    FULL_TIME_ELSEWHERE,
    ExitProposal,
    HolderFacts,
    appeal_deadline,
    appeal_problems,
    exit_due,
    exit_problems,
    exit_triggers,
    last_day_on_duty,
)
from portal.posts.hiring.rules import (
    Candidate,
    Handler,
    NomineeFacts,
    can_approve_after_notice,
    conflict_reasons,
    eligibility_problems,
    may_approve_conflicted,
    needs_reason_for_choice,
    notice_end,
    notice_over,
    rank_candidates,
    written_reason_problems,
)
from portal.posts.plans.rules import (
    PostPlan,
    appointment_term_problems,
    check_post_plan,
    close_problems,
    fill_problems,
    term_last_day,
    vacancies,
)
from portal.posts.rules import (
    APPOINTMENT_ACTION_ON_EXIT,
    DEFAULT_POLICY,
    AppointmentAction,
    AppointmentState,
    ExitAction,
    ExitReason,
    ExitState,
    FundingSource,
    IllegalMove,
    ObjectionAction,
    ObjectionState,
    Policy,
    PostAction,
    PostCategory,
    PostState,
    Schedule,
    appointment_actions,
    exit_actions,
    next_appointment_state,
    next_exit_state,
    next_objection_state,
    next_post_state,
    post_actions,
)
from portal.registry.rules import EmploymentStatus as ES
from portal.registry.rules import HouseholdCategory as HC
from portal.registry.rules import LabourCapacity as LC

CAL = WorkCalendar()
STANDARD = Decimal("1000.00")


def codes(problems):
    return [p.code for p in problems]


# ---- vocabulary -------------------------------------------------------------------------------------

@pytest.mark.parametrize("enum_cls", [PostCategory, ExitReason, FundingSource, Schedule])
def test_every_member_has_its_chinese_name(enum_cls):
    assert set(enum_cls.CHINESE_NAMES) == {m.value for m in enum_cls}
    assert all(m.chinese for m in enum_cls)


@pytest.mark.parametrize(("member", "chinese"), [
    (PostCategory.CLEANING, "保洁"), (PostCategory.CHARITY_SHOP, "爱心超市"), (PostCategory.PATROL, "治安巡逻"),
    (PostCategory.UTILITIES_CARE, "水电管护"), (FundingSource.LINKAGE_FUND, "衔接资金"),
    (FundingSource.PV_INCOME, "光伏收益"), (ExitReason.EMPLOYED_ELSEWHERE, "已稳定就业"),
    (ExitReason.MISCONDUCT, "顶岗替岗/岗在人不在"),
])
def test_chinese_names_are_the_policy_words(member, chinese):
    assert member.chinese == chinese
    assert type(member).CHINESE_NAMES[member] == chinese


def test_the_default_policy_is_domain_md():
    p = DEFAULT_POLICY
    assert p.eligible_categories == {HC.LIFTED, HC.MONITORED, HC.LOW_INCOME}
    assert (p.posts_per_household, p.notice_working_days, p.appeal_days) == (1, 5, 5)
    assert (p.absent_streak_trigger, p.absent_month_trigger, p.term_warning_days) == (3, 5, 30)
    assert (p.max_term_months, p.payment_deadline_days) == (12, 30)


def test_policy_takes_plain_category_strings_and_refuses_nonsense():
    assert Policy(eligible_categories={"general"}).eligible_categories == {HC.GENERAL}
    with pytest.raises(ValueError):
        Policy(eligible_categories={"rich"})
    with pytest.raises(ValueError):
        Policy(posts_per_household=0)
    with pytest.raises(ValueError):
        Policy(term_warning_days=-1)


# ---- workflows ----------------------------------------------------------------------------------------

P, PA = PostState, PostAction
A, AA = AppointmentState, AppointmentAction
E, EA = ExitState, ExitAction
OS, OA = ObjectionState, ObjectionAction

LEGAL = {
    "post": (next_post_state, P, PA, [
        (P.DRAFT, PA.SUBMIT, P.SUBMITTED),
        (P.RETURNED, PA.SUBMIT, P.SUBMITTED),
        (P.SUBMITTED, PA.APPROVE, P.APPROVED),
        (P.SUBMITTED, PA.RETURN, P.RETURNED),
        (P.DRAFT, PA.CLOSE, P.CLOSED),
        (P.RETURNED, PA.CLOSE, P.CLOSED),
        (P.APPROVED, PA.CLOSE, P.CLOSED),
    ]),
    "appointment": (next_appointment_state, A, AA, [
        (A.NOMINATED, AA.PUBLISH, A.IN_NOTICE),
        (A.NOMINATED, AA.REJECT, A.REJECTED),
        (A.IN_NOTICE, AA.APPROVE, A.APPROVED),
        (A.IN_NOTICE, AA.REJECT, A.REJECTED),
        (A.APPROVED, AA.ACTIVATE, A.ACTIVE),
        (A.ACTIVE, AA.START_EXIT, A.EXITING),
        (A.EXITING, AA.CANCEL_EXIT, A.ACTIVE),
        (A.EXITING, AA.EXIT, A.EXITED),
    ]),
    "exit": (next_exit_state, E, EA, [
        (E.PROPOSED, EA.APPROVE, E.APPROVED),
        (E.PROPOSED, EA.REJECT, E.REJECTED),
        (E.PROPOSED, EA.WITHDRAW, E.WITHDRAWN),
        (E.APPROVED, EA.APPEAL, E.APPEALED),
        (E.APPEALED, EA.UPHOLD_APPEAL, E.REJECTED),
        (E.APPEALED, EA.DISMISS_APPEAL, E.APPROVED),
        (E.APPROVED, EA.EXIT, E.EXITED),
    ]),
    "objection": (next_objection_state, OS, OA, [
        (OS.OPEN, OA.UPHOLD, OS.UPHELD),
        (OS.OPEN, OA.DISMISS, OS.DISMISSED),
    ]),
}
LEGAL_CASES = [(m, s, a, n) for m, (_, _, _, moves) in LEGAL.items() for s, a, n in moves]
ILLEGAL_CASES = [
    (m, s, a) for m, (_, states, actions, moves) in LEGAL.items()
    for s, a in itertools.product(states, actions) if (s, a) not in {(x, y) for x, y, _ in moves}
]


@pytest.mark.parametrize(("machine", "state", "action", "new"), LEGAL_CASES)
def test_every_legal_move(machine, state, action, new):
    move = LEGAL[machine][0]
    assert move(state, action) is new
    assert move(str(state), str(action)) is new  # plain strings from the database and forms work too


@pytest.mark.parametrize(("machine", "state", "action"), ILLEGAL_CASES)
def test_every_other_move_is_illegal(machine, state, action):
    with pytest.raises(IllegalMove) as raised:
        LEGAL[machine][0](state, action)
    assert (raised.value.state, raised.value.action, raised.value.machine) == (state, action, machine)


def test_illegal_moves_include_the_obvious_ones():
    assert ("post", P.APPROVED, PA.APPROVE) in ILLEGAL_CASES  # approving twice
    assert ("post", P.SUBMITTED, PA.CLOSE) in ILLEGAL_CASES  # waits for the township
    assert ("appointment", A.NOMINATED, AA.APPROVE) in ILLEGAL_CASES  # no approval without notice
    assert ("appointment", A.EXITED, AA.ACTIVATE) in ILLEGAL_CASES
    assert ("exit", E.PROPOSED, EA.EXIT) in ILLEGAL_CASES  # a proposal is never an exit
    assert ("exit", E.REJECTED, EA.APPEAL) in ILLEGAL_CASES
    assert ("objection", OS.UPHELD, OA.DISMISS) in ILLEGAL_CASES


def test_an_illegal_move_is_a_rule_violation_with_its_code():
    with pytest.raises(RuleViolation) as raised:
        next_post_state("approved", "submit")
    assert raised.value.code == "illegal_move" and raised.value.http_status == 422


@pytest.mark.parametrize(("state", "action"), [("draft", "fly"), ("nowhere", "submit"), (None, None), ([], "x")])
def test_unknown_states_and_actions_are_illegal(state, action):
    with pytest.raises(IllegalMove):
        next_post_state(state, action)


def test_the_actions_a_state_allows():
    assert post_actions(P.DRAFT) == {"submit", "close"}
    assert post_actions(P.CLOSED) == set()
    assert appointment_actions("in_notice") == {"approve", "reject"}
    assert exit_actions(E.APPROVED) == {"appeal", "exit"}


def test_an_upheld_appeal_walks_both_records_back():
    exit_state, appointment = E.PROPOSED, A.ACTIVE
    for action in (EA.APPROVE, EA.APPEAL, EA.UPHOLD_APPEAL):
        exit_state = next_exit_state(exit_state, action)
        if action in APPOINTMENT_ACTION_ON_EXIT:
            appointment = next_appointment_state(appointment, APPOINTMENT_ACTION_ON_EXIT[action])
    assert (exit_state, appointment) == (E.REJECTED, A.ACTIVE)


def test_a_dismissed_appeal_ends_in_exit():
    exit_state, appointment = E.PROPOSED, A.ACTIVE
    for action in (EA.APPROVE, EA.APPEAL, EA.DISMISS_APPEAL, EA.EXIT):
        exit_state = next_exit_state(exit_state, action)
        if action in APPOINTMENT_ACTION_ON_EXIT:
            appointment = next_appointment_state(appointment, APPOINTMENT_ACTION_ON_EXIT[action])
    assert (exit_state, appointment) == (E.EXITED, A.EXITED)


# ---- Rule 1: post plans ---------------------------------------------------------------------------

def plan(**over):
    values = dict(
        category="cleaning", title="村道保洁员", duties="主干道和村委会周边每日清扫",
        workload_amount=Decimal("5"), workload_unit="km", headcount=2, schedule="full_time",
        required_days=None, subsidy=Decimal("1000.00"), funding_source="linkage_fund",
        start=date(2026, 1, 1), end=date(2026, 12, 31), need_reason="村内主干道5公里无人保洁，垃圾堆积，需两名保洁员",
    )
    values.update(over)
    return PostPlan(**values)


def check(p=None, standard=STANDARD, quota=10, in_use=0, policy=DEFAULT_POLICY):
    return check_post_plan(p or plan(), standard, quota, in_use, policy)


def test_a_sound_plan_passes():
    assert check() == []


@pytest.mark.parametrize("category", list(PostCategory))
def test_every_catalogue_category_is_accepted(category):
    assert check(plan(category=category)) == []


@pytest.mark.parametrize(("subsidy", "expected"), [
    ("1000.00", []),  # exactly at the standard
    ("1000.01", ["over_standard"]),  # one fen over
    ("999.99", []),
    ("1000", []),
    ("1000.000", []),  # still whole fen
    ("1000.005", ["money_format"]),
    ("0.01", []),
    ("0", ["subsidy_not_positive"]),
    ("-1", ["subsidy_not_positive"]),
    ("NaN", ["money_format"]),
])
def test_subsidy_against_the_category_standard(subsidy, expected):
    assert codes(check(plan(subsidy=Decimal(subsidy)))) == expected


def test_over_standard_names_both_numbers():
    [problem] = check(plan(subsidy=Decimal("1000.01")))
    assert (problem.field, dict(problem.params)) == ("subsidy", {"standard": "1000.00", "subsidy": "1000.01"})


def test_a_category_without_a_standard_is_refused():
    [problem] = check(standard=None)
    assert (problem.code, dict(problem.params)) == ("standard_not_set", {"category": "cleaning"})


def test_float_money_is_refused():
    assert codes(check(plan(subsidy=1000.0))) == ["money_format"]
    assert not is_money(1000) and is_money(Decimal("12.30"))


@pytest.mark.parametrize(("in_use", "headcount", "expected"), [
    (8, 2, []),  # quota exactly reached
    (8, 3, ["over_quota"]),  # one over
    (0, 10, []),
    (10, 1, ["over_quota"]),
    (0, 11, ["over_quota"]),
])
def test_headcount_against_the_village_quota(in_use, headcount, expected):
    assert codes(check(plan(headcount=headcount), quota=10, in_use=in_use)) == expected


def test_over_quota_names_the_numbers():
    [problem] = check(plan(headcount=3), quota=10, in_use=8)
    assert dict(problem.params) == {"quota": "10", "in_use": "8", "asked": "3"}


@pytest.mark.parametrize(("headcount", "quota", "expected"), [
    (0, 10, ["headcount_min"]),
    (-1, 10, ["headcount_min"]),
    (1, None, ["quota_not_set"]),
    (1, 0, ["over_quota"]),
])
def test_headcount_edges(headcount, quota, expected):
    assert codes(check(plan(headcount=headcount), quota=quota)) == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2026, 1, 1), date(2026, 12, 31), []),  # exactly one year
    (date(2026, 1, 1), date(2027, 1, 1), ["term_too_long"]),  # one day more
    (date(2026, 3, 15), date(2027, 3, 14), []),
    (date(2026, 3, 15), date(2027, 3, 15), ["term_too_long"]),
    (date(2028, 1, 1), date(2028, 12, 31), []),  # a leap year is still one year
    (date(2028, 2, 29), date(2029, 2, 28), []),
    (date(2028, 2, 29), date(2029, 3, 1), ["term_too_long"]),
    (date(2026, 12, 31), date(2027, 12, 30), []),
    (date(2026, 12, 31), date(2027, 12, 31), ["term_too_long"]),
    (date(2026, 5, 1), date(2026, 5, 1), []),  # one day
    (date(2026, 5, 1), date(2026, 4, 30), ["end_before_start"]),
])
def test_a_term_is_at_most_one_year(start, end, expected):
    assert codes(check(plan(start=start, end=end))) == expected


def test_term_too_long_names_the_latest_end():
    [problem] = check(plan(end=date(2027, 1, 1)))
    assert dict(problem.params) == {"max_end": "2026-12-31", "months": "12"}


@pytest.mark.parametrize(("start", "months", "last"), [
    (date(2026, 1, 1), 12, date(2026, 12, 31)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: runs to the month's end
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2026, 12, 15), 1, date(2027, 1, 14)),
    (date(2026, 6, 1), 24, date(2028, 5, 31)),
])
def test_term_last_day(start, months, last):
    assert term_last_day(start, Policy(max_term_months=months)) == last


@pytest.mark.parametrize(("schedule", "days", "expected"), [
    ("full_time", None, []),
    ("full_time", 22, ["required_days_full_time"]),
    ("part_time", None, ["required_days_range"]),
    ("part_time", 0, ["required_days_range"]),
    ("part_time", 1, []),
    ("part_time", 15, []),
    ("part_time", 31, []),
    ("part_time", 32, ["required_days_range"]),
    ("weekends", None, ["unknown_choice"]),
])
def test_schedule_and_required_days(schedule, days, expected):
    assert codes(check(plan(schedule=schedule, required_days=days))) == expected


@pytest.mark.parametrize(("reason", "expected"), [
    ("", ["need_reason_too_short"]),
    ("需要", ["need_reason_too_short"]),
    ("一二三四五六七八九", ["need_reason_too_short"]),  # 9 characters
    ("一二三四五六七八九十", []),  # 10
    ("   一二三四五六七八九   ", ["need_reason_too_short"]),  # padding does not count
    (None, ["need_reason_too_short"]),
])
def test_a_post_needs_a_written_need_reason(reason, expected):
    assert codes(check(plan(need_reason=reason))) == expected


@pytest.mark.parametrize(("over", "field", "code"), [
    ({"workload_amount": Decimal("0")}, "workload_amount", "workload_not_positive"),
    ({"workload_amount": Decimal("-5")}, "workload_amount", "workload_not_positive"),
    ({"workload_amount": 5}, "workload_amount", "workload_not_positive"),
    ({"workload_unit": " "}, "workload_unit", "required"),
    ({"title": ""}, "title", "required"),
    ({"title": "   "}, "title", "required"),
    ({"title": "岗" * 61}, "title", "too_long"),
    ({"duties": ""}, "duties", "required"),
    ({"category": "general"}, "category", "unknown_choice"),
    ({"funding_source": "lottery"}, "funding_source", "unknown_choice"),
])
def test_shape_problems_name_their_field(over, field, code):
    assert [(p.field, p.code) for p in check(plan(**over))] == [(field, code)]


def test_small_workloads_and_long_enough_titles_pass():
    assert check(plan(workload_amount=Decimal("0.5"), title="岗" * 60)) == []


def test_every_problem_is_reported_at_once():
    bad = plan(title="", subsidy=Decimal("2000"), headcount=20, end=date(2027, 6, 1), need_reason="")
    assert codes(check(bad)) == ["required", "over_quota", "over_standard", "term_too_long", "need_reason_too_short"]


@pytest.mark.parametrize(("headcount", "holders", "open_places"), [
    (3, 0, 3), (3, 2, 1), (3, 3, 0), (3, 4, 0), (1, 0, 1),
])
def test_vacancies(headcount, holders, open_places):
    assert vacancies(headcount, holders) == open_places


@pytest.mark.parametrize(("state", "headcount", "holders", "expected"), [
    ("approved", 2, 1, []),
    ("approved", 2, 2, ["no_vacancy"]),
    ("submitted", 2, 0, ["post_not_approved"]),
    ("closed", 2, 0, ["post_not_approved"]),
])
def test_only_an_approved_post_with_a_vacancy_is_filled(state, headcount, holders, expected):
    assert codes(fill_problems(state, headcount, holders)) == expected


def test_a_post_closes_only_without_holders():
    assert close_problems(0) == []
    assert codes(close_problems(1)) == ["post_has_holders"]


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2026, 3, 1), date(2026, 12, 31), []),
    (date(2026, 1, 1), date(2026, 12, 31), []),
    (date(2025, 12, 31), date(2026, 6, 30), ["before_post_term"]),
    (date(2026, 3, 1), date(2027, 1, 1), ["after_post_term"]),
    (date(2026, 3, 1), date(2026, 2, 28), ["end_before_start"]),
])
def test_an_appointment_runs_inside_its_post_term(start, end, expected):
    assert codes(appointment_term_problems(start, end, date(2026, 1, 1), date(2026, 12, 31))) == expected


# ---- Rule 2: eligibility -----------------------------------------------------------------------------

def cand(person_id=1, **over):
    values = dict(person_id=person_id, household_id=100 + person_id, household_category=HC.LIFTED,
                  capacity=LC.FULL, employment_status=ES.UNEMPLOYED)
    values.update(over)
    return Candidate(**values)


@pytest.mark.parametrize(("category", "expected"), [
    (HC.LIFTED, []), (HC.MONITORED, []), (HC.LOW_INCOME, []), (HC.GENERAL, ["category_not_eligible"]),
])
def test_eligible_household_categories(category, expected):
    assert eligibility_problems(cand(household_category=category), DEFAULT_POLICY) == expected


def test_a_county_may_open_posts_to_general_households():
    policy = Policy(eligible_categories={"lifted", "monitored", "low_income", "general"})
    assert eligibility_problems(cand(household_category=HC.GENERAL), policy) == []


@pytest.mark.parametrize(("capacity", "expected"), [
    (LC.FULL, []), (LC.HALF, []), (LC.WEAK, []), (LC.NONE, ["no_labour_capacity"]),
])
def test_some_labour_capacity_is_needed(capacity, expected):
    assert eligibility_problems(cand(capacity=capacity)) == expected


def test_the_deceased_and_post_holders_are_refused():
    assert eligibility_problems(cand(deceased=True)) == ["deceased"]
    assert eligibility_problems(cand(holds_active_post=True, household_active_posts=1)) == [
        "holds_another_post", "household_limit_reached"]


@pytest.mark.parametrize(("limit", "household_posts", "expected"), [
    (1, 0, []),
    (1, 1, ["household_limit_reached"]),  # 一户一公岗: at the limit
    (1, 2, ["household_limit_reached"]),
    (2, 1, []),
    (2, 2, ["household_limit_reached"]),
])
def test_one_household_one_post(limit, household_posts, expected):
    policy = Policy(posts_per_household=limit)
    assert eligibility_problems(cand(household_active_posts=household_posts), policy) == expected


def test_a_75_year_old_disabled_weak_monitored_candidate_is_accepted():
    elder = cand(age=75, disabled=True, capacity=LC.WEAK, household_category=HC.MONITORED)
    assert eligibility_problems(elder) == []
    assert rank_candidates([cand(2), elder])[0].candidate is elder


@pytest.mark.parametrize("age", [16, 18, 60, 65, 75, 90, None])
@pytest.mark.parametrize("disabled", [False, True])
def test_age_and_disability_never_refuse(age, disabled):
    assert eligibility_problems(cand(age=age, disabled=disabled, household_has_disabled_member=disabled)) == []


def test_every_refusal_is_given_in_order():
    everything = cand(household_category=HC.GENERAL, capacity=LC.NONE, deceased=True, holds_active_post=True,
                      household_active_posts=1)
    assert eligibility_problems(everything) == [
        "category_not_eligible", "no_labour_capacity", "deceased", "holds_another_post", "household_limit_reached"]


# ---- Rule 2: priority -----------------------------------------------------------------------------

def order(*candidates):
    return [r.candidate.person_id for r in rank_candidates(candidates)]


@pytest.mark.parametrize(("first", "second"), [
    # category first: monitored before lifted and low_income, whatever else
    ({"household_category": HC.MONITORED}, {"household_category": HC.LIFTED}),
    ({"household_category": HC.MONITORED}, {"household_category": HC.LOW_INCOME}),
    ({"household_category": HC.MONITORED, "capacity": LC.FULL, "employment_status": ES.IN_COUNTY},
     {"household_category": HC.LIFTED, "capacity": LC.WEAK, "disabled": True}),
    # then disability in the family, before capacity
    ({"disabled": True}, {}),
    ({"household_has_disabled_member": True}, {}),
    ({"household_has_disabled_member": True, "capacity": LC.FULL}, {"capacity": LC.WEAK}),
    # then capacity: weak before half before full
    ({"capacity": LC.WEAK}, {"capacity": LC.HALF}),
    ({"capacity": LC.HALF}, {"capacity": LC.FULL}),
    ({"capacity": LC.WEAK, "employment_status": ES.MIGRANT_IN_PROVINCE}, {"capacity": LC.HALF}),
    # then not employed before employed
    ({"employment_status": ES.UNEMPLOYED}, {"employment_status": ES.IN_COUNTY}),
    ({"employment_status": ES.UNEMPLOYED}, {"employment_status": ES.SELF_EMPLOYED}),
])
def test_priority_order(first, second):
    # the better candidate gets the higher person_id, so the id tie-break cannot explain the order
    assert order(cand(1, **second), cand(2, **first)) == [2, 1]


@pytest.mark.parametrize(("one", "other"), [
    ({"household_category": HC.LIFTED}, {"household_category": HC.LOW_INCOME}),  # lifted and low_income equal
    ({"disabled": True}, {"household_has_disabled_member": True}),  # a disabled person or family: equal
    ({"employment_status": ES.IN_COUNTY}, {"employment_status": ES.MIGRANT_OUT_OF_PROVINCE}),
    ({"age": 30}, {"age": 70}),  # age is no criterion
])
def test_ties_are_broken_by_person_id(one, other):
    assert order(cand(2, **one), cand(1, **other)) == [1, 2]
    assert order(cand(1, **one), cand(2, **other)) == [1, 2]
    ranked = rank_candidates([cand(1, **one), cand(2, **other)])
    assert ranked[0].key == ranked[1].key


def test_ranking_leaves_out_the_ineligible_and_numbers_from_one():
    ranked = rank_candidates([cand(3, deceased=True), cand(2), cand(1, household_category=HC.MONITORED),
                              cand(4, household_category=HC.GENERAL)])
    assert [(r.rank, r.candidate.person_id) for r in ranked] == [(1, 1), (2, 2)]


@pytest.mark.parametrize(("over", "reasons"), [
    ({"household_category": HC.MONITORED, "household_has_disabled_member": True, "capacity": LC.WEAK},
     ["monitored_household", "disabled_family", "weak_capacity", "not_employed"]),
    ({"disabled": True, "household_has_disabled_member": True, "capacity": LC.HALF},
     ["lifted_household", "disabled_person", "half_capacity", "not_employed"]),
    ({"household_category": HC.LOW_INCOME, "employment_status": ES.WORKSHOP},
     ["low_income_household", "no_disability", "full_capacity", "employed"]),
])
def test_reasons_explain_the_rank(over, reasons):
    assert rank_candidates([cand(**over)])[0].reasons == reasons


def test_a_policy_can_widen_who_is_ranked():
    policy = Policy(eligible_categories={"lifted", "general"})
    ranked = rank_candidates([cand(1, household_category=HC.GENERAL), cand(2)], policy)
    assert [r.candidate.person_id for r in ranked] == [2, 1]  # general last


def test_choosing_below_the_top_needs_a_reason():
    ranked = rank_candidates([cand(1, capacity=LC.WEAK), cand(2, capacity=LC.WEAK), cand(3)])
    assert needs_reason_for_choice(ranked, 1) is False  # the top
    assert needs_reason_for_choice(ranked, 2) is False  # tied with the top
    assert needs_reason_for_choice(ranked, 3) is True
    assert needs_reason_for_choice(ranked, 99) is True  # not among the ranked at all
    assert needs_reason_for_choice([], 1) is True


@pytest.mark.parametrize(("conflicts", "justification", "below_top", "choice_reason", "expected"), [
    ([], "", False, "", []),
    (["cadre_relative"], "", False, "", ["justification_required"]),
    (["cadre_relative"], "全村唯一会操作水泵的人选", False, "", []),
    ([], "", True, "短", ["choice_reason_required"]),
    ([], "", True, "排名第一者已外出务工无法到岗", []),
    (["nominee_is_cadre"], " ", True, None, ["justification_required", "choice_reason_required"]),
])
def test_written_reasons(conflicts, justification, below_top, choice_reason, expected):
    assert codes(written_reason_problems(conflicts, justification, below_top, choice_reason)) == expected


candidates = st.lists(
    st.builds(
        Candidate,
        person_id=st.integers(1, 10_000),
        household_id=st.integers(1, 50),
        household_category=st.sampled_from(list(HC)),
        capacity=st.sampled_from(list(LC)),
        employment_status=st.sampled_from(list(ES)),
        disabled=st.booleans(),
        household_has_disabled_member=st.booleans(),
        deceased=st.booleans(),
        holds_active_post=st.booleans(),
        household_active_posts=st.integers(0, 2),
        age=st.none() | st.integers(16, 100),
    ),
    max_size=12,
    unique_by=lambda c: c.person_id,
)


@settings(deadline=None)
@given(candidates)
def test_ranking_is_an_ordering_of_exactly_the_eligible(people):
    ranked = rank_candidates(people)
    eligible = [c for c in people if not eligibility_problems(c)]
    assert sorted(r.candidate.person_id for r in ranked) == sorted(c.person_id for c in eligible)
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert [r.key for r in ranked] == sorted(r.key for r in ranked)
    assert rank_candidates(list(reversed(people))) == ranked  # the input order does not matter


# ---- Rule 2: conflicts of interest ---------------------------------------------------------------------

NOMINEE = 10


def facts(household=(NOMINEE, 11), relatives=(), cadres=()):
    return NomineeFacts(NOMINEE, frozenset(household), frozenset(relatives), frozenset(cadres))


@pytest.mark.parametrize(("nominee", "handlers", "expected"), [
    (facts(), [], []),
    (facts(cadres={NOMINEE}), [], ["nominee_is_cadre"]),
    (facts(cadres={11}), [], ["cadre_household"]),
    (facts(relatives={20}, cadres={20}), [], ["cadre_relative"]),
    (facts(relatives={20}, cadres={21}), [], []),  # a relative who is no cadre
    (facts(cadres={99}), [], []),  # a cadre elsewhere
    (facts(relatives={30}), [Handler("nominator", 30)], ["nominator_relative"]),
    (facts(), [Handler("nominator", 30, relative_ids=frozenset({NOMINEE}))], ["nominator_relative"]),
    (facts(), [Handler("approver", 11)], ["approver_household"]),
    (facts(household=()), [Handler("approver", 40, household_member_ids=frozenset({40, NOMINEE}))],
     ["approver_household"]),
    (facts(), [Handler("nominator", NOMINEE)], ["nominator_household"]),  # nominating oneself
    (facts(relatives={30}), [Handler("nominator", None)], []),  # a user not in the register
    (facts(relatives={30}), [Handler("nominator", 31), Handler("approver", 32)], []),
    (facts(household=(NOMINEE, 11), relatives={30}, cadres={NOMINEE, 11, 30}),
     [Handler("nominator", 30), Handler("approver", 11)],
     ["nominee_is_cadre", "cadre_household", "cadre_relative", "nominator_relative", "approver_household"]),
])
def test_conflict_reasons(nominee, handlers, expected):
    assert conflict_reasons(nominee, handlers) == expected


def test_a_handler_has_a_known_role():
    with pytest.raises(ValueError):
        Handler("bystander", 1)


@pytest.mark.parametrize(("approver", "allowed"), [
    (30, False), (11, False), (NOMINEE, False), (50, True), (None, True),
])
def test_the_related_user_cannot_approve(approver, allowed):
    related = facts(relatives={30}).related_ids
    assert related == {NOMINEE, 11, 30}
    assert may_approve_conflicted(approver, related) is allowed


# ---- Rule 2: public notice ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("calendar", "start", "days", "end"), [
    (CAL, date(2026, 11, 16), 5, date(2026, 11, 23)),  # Monday: Tue–Fri, then Monday
    (CAL, date(2026, 11, 21), 5, date(2026, 11, 27)),  # posted on a Saturday: the next full week
    (CAL, date(2026, 9, 30), 5, date(2026, 10, 13)),  # National Day: 8, 9, 10 (Saturday worked), 12, 13
    (CAL, date(2026, 9, 29), 5, date(2026, 10, 12)),  # 30 Sep, 8, 9, 10, 12
    (CAL, date(2026, 9, 30), 3, date(2026, 10, 10)),  # a county setting of 3 days
    (WorkCalendar({date(2026, 10, 12): False}), date(2026, 9, 30), 5, date(2026, 10, 14)),  # a local day off
    (WorkCalendar({date(2026, 10, 3): True}), date(2026, 9, 30), 5, date(2026, 10, 12)),  # a local workday
])
def test_notice_end(calendar, start, days, end):
    assert notice_end(start, Policy(notice_working_days=days), calendar) == end


@pytest.mark.parametrize(("today", "over"), [
    (date(2026, 10, 12), False), (date(2026, 10, 13), False), (date(2026, 10, 14), True),
])
def test_the_notice_is_over_after_its_last_day(today, over):
    assert notice_over(today, date(2026, 10, 13)) is over


@pytest.mark.parametrize(("today", "objections", "expected"), [
    (date(2026, 10, 13), 0, ["notice_running"]),
    (date(2026, 10, 14), 0, []),
    (date(2026, 10, 14), 1, ["open_objections"]),
    (date(2026, 10, 9), 2, ["notice_running", "open_objections"]),
])
def test_approval_waits_for_the_notice_and_the_objections(today, objections, expected):
    assert codes(can_approve_after_notice(today, date(2026, 10, 13), objections)) == expected


@settings(deadline=None)
@given(st.dates(date(2025, 1, 1), date(2027, 6, 30)), st.integers(1, 10))
def test_notice_end_is_a_working_day_after_exactly_n_working_days(start, n):
    end = notice_end(start, Policy(notice_working_days=n), CAL)
    assert end > start and CAL.is_working_day(end)
    assert len(CAL.working_days(start + timedelta(days=1), end)) == n


# ---- Rule 4: exits -------------------------------------------------------------------------------------

def proposal(reason=ExitReason.ABSENTEEISM, proposed_on=date(2026, 11, 20), effective_on=date(2026, 12, 1),
             evidence="11月连续旷工3天"):
    return ExitProposal(reason, proposed_on, effective_on, evidence)


LOCKED = {(2026, 9), (2026, 10)}


@pytest.mark.parametrize(("effective", "expected"), [
    (date(2026, 11, 1), []),  # the first day after the locked months
    (date(2026, 10, 31), ["month_locked"]),
    (date(2026, 10, 15), ["month_locked"]),
    (date(2026, 10, 1), ["month_locked"]),
    (date(2026, 12, 1), []),
])
def test_the_effective_date_leaves_locked_months_alone(effective, expected):
    p = proposal(proposed_on=date(2026, 10, 1), effective_on=effective)
    assert codes(exit_problems(p, Schedule.FULL_TIME, LOCKED)) == expected


def test_a_locked_later_month_blocks_an_earlier_effective_date():
    p = proposal(reason=ExitReason.DECEASED, proposed_on=date(2026, 11, 20), effective_on=date(2026, 8, 20))
    [problem] = exit_problems(p, Schedule.FULL_TIME, {(2026, 10)})
    assert (problem.code, dict(problem.params)) == ("month_locked", {"month": "2026-10"})


@pytest.mark.parametrize(("reason", "effective", "expected"), [
    (ExitReason.ABSENTEEISM, date(2026, 11, 20), []),  # the proposal day itself
    (ExitReason.ABSENTEEISM, date(2026, 11, 19), ["effective_before_proposal"]),
    (ExitReason.RESIGNED, date(2026, 11, 1), ["effective_before_proposal"]),
    (ExitReason.DECEASED, date(2026, 11, 12), []),  # a death takes effect on its day
])
def test_no_backdating_but_for_a_death(reason, effective, expected):
    p = proposal(reason=reason, effective_on=effective)
    assert codes(exit_problems(p, Schedule.FULL_TIME, set())) == expected


@pytest.mark.parametrize(("schedule", "expected"), [
    (Schedule.FULL_TIME, []), (Schedule.PART_TIME, ["employed_elsewhere_full_time_only"]),
])
def test_employed_elsewhere_ends_only_full_time_posts(schedule, expected):
    assert codes(exit_problems(proposal(reason=ExitReason.EMPLOYED_ELSEWHERE), schedule, set())) == expected


@pytest.mark.parametrize(("p", "expected"), [
    (proposal(evidence=" "), ["required"]),
    (proposal(reason="bored"), ["unknown_choice"]),
])
def test_an_exit_has_a_known_reason_and_evidence(p, expected):
    assert codes(exit_problems(p, Schedule.FULL_TIME, set())) == expected


def test_the_last_day_on_duty_is_the_day_before_the_effective_date():
    assert last_day_on_duty(date(2026, 11, 1)) == date(2026, 10, 31)


@pytest.mark.parametrize(("notified", "days", "deadline"), [
    (date(2026, 10, 8), 5, date(2026, 10, 13)),
    (date(2026, 9, 28), 5, date(2026, 10, 3)),  # calendar days: a holiday does not stretch it
    (date(2026, 12, 29), 5, date(2027, 1, 3)),
    (date(2026, 10, 8), 7, date(2026, 10, 15)),
])
def test_appeal_deadline(notified, days, deadline):
    assert appeal_deadline(notified, Policy(appeal_days=days)) == deadline


@pytest.mark.parametrize(("today", "reason", "notified", "expected"), [
    (date(2026, 10, 8), ExitReason.ABSENTEEISM, date(2026, 10, 8), []),  # the day of notification
    (date(2026, 10, 13), ExitReason.ABSENTEEISM, date(2026, 10, 8), []),  # the last day
    (date(2026, 10, 14), ExitReason.ABSENTEEISM, date(2026, 10, 8), ["appeal_late"]),
    (date(2026, 10, 9), ExitReason.INELIGIBLE, None, ["not_notified"]),
    (date(2026, 10, 9), ExitReason.DECEASED, date(2026, 10, 8), ["not_appealable"]),
    (date(2026, 10, 9), ExitReason.RESIGNED, date(2026, 10, 8), ["not_appealable"]),
])
def test_who_may_appeal_and_until_when(today, reason, notified, expected):
    assert codes(appeal_problems(today, reason, notified)) == expected


@pytest.mark.parametrize(("today", "reason", "notified", "due"), [
    (date(2026, 10, 31), ExitReason.ABSENTEEISM, date(2026, 10, 20), False),  # before the effective date
    (date(2026, 11, 1), ExitReason.ABSENTEEISM, date(2026, 10, 20), True),
    (date(2026, 11, 1), ExitReason.ABSENTEEISM, date(2026, 10, 26), True),  # the window closed on 31 Oct
    (date(2026, 11, 1), ExitReason.ABSENTEEISM, date(2026, 10, 27), False),  # open through 1 Nov
    (date(2026, 11, 2), ExitReason.ABSENTEEISM, date(2026, 10, 27), True),
    (date(2026, 11, 5), ExitReason.ABSENTEEISM, None, False),  # never notified
    (date(2026, 11, 1), ExitReason.DECEASED, None, True),
])
def test_an_approved_exit_is_due_on_its_date_once_the_appeal_window_closed(today, reason, notified, due):
    assert exit_due(today, date(2026, 11, 1), reason, notified) is due


# ---- Rule 4: automatic proposals ---------------------------------------------------------------------------

TODAY = date(2026, 11, 30)  # a Monday; 2 Nov 2026 is a Monday too


def holder(marks=None, **over):
    values = dict(schedule=Schedule.FULL_TIME, appointment_end=date(2027, 6, 30), household_category=HC.MONITORED,
                  employment_status=ES.WELFARE_POST, marks=marks or {})
    values.update(over)
    return HolderFacts(**values)


def nov(*days_and_marks):
    return {date(2026, 11, day): mark for day, mark in days_and_marks}


def triggered(facts, policy=DEFAULT_POLICY, today=TODAY):
    return [(t.reason, t.evidence) for t in exit_triggers(facts, policy, today)]


STREAK = [(ExitReason.ABSENTEEISM, "absent_streak")]
MONTH = [(ExitReason.ABSENTEEISM, "absent_month")]


@pytest.mark.parametrize(("marks", "expected"), [
    (nov((2, "absent"), (3, "absent")), []),  # 2 consecutive: no
    (nov((2, "absent"), (3, "absent"), (4, "absent")), STREAK),  # 3: yes
    (nov((6, "absent"), (9, "absent"), (10, "absent")), STREAK),  # Friday, the weekend, Monday, Tuesday
    (nov((6, "absent"), (7, None), (8, None), (9, "absent"), (10, "absent")), STREAK),  # weekend given as None
    (nov((2, "absent"), (3, "leave"), (4, "absent")), []),
    (nov((2, "absent"), (3, "leave"), (4, "absent"), (5, "absent")), []),
    (nov((2, "absent"), (3, "present"), (4, "absent"), (5, "absent")), []),
    (nov((2, "absent"), (3, "half"), (4, "absent"), (5, "absent")), []),
    (nov((2, "absent"), (3, None), (4, "absent")), []),  # a missing mark is not an absence
    (nov((2, "present"), (3, "present"), (4, "present")), []),
])
def test_three_consecutive_scheduled_days_absent(marks, expected):
    assert triggered(holder(marks)) == expected


def test_the_streak_names_its_days():
    [trigger] = exit_triggers(holder(nov((6, "absent"), (9, "absent"), (10, "absent"), (11, "absent"))),
                              DEFAULT_POLICY, TODAY)
    assert dict(trigger.params) == {"first": "2026-11-06", "last": "2026-11-11", "days": "4"}


def test_future_marks_are_not_evidence():
    marks = nov((27, "absent")) | {date(2026, 11, 30): "absent", date(2026, 12, 1): "absent"}
    assert triggered(holder(marks)) == []


def test_a_county_may_trigger_on_two_days():
    marks = nov((2, "absent"), (3, "absent"))
    assert triggered(holder(marks), Policy(absent_streak_trigger=2)) == STREAK


def _spread(*days):
    """Absences on the given November days with presence between them, so no streak forms."""
    return nov(*[(d, "absent") for d in days], *[(d + 1, "present") for d in days])


@pytest.mark.parametrize(("marks", "expected"), [
    (_spread(2, 4, 9, 11), []),  # 4 absent days in a month: no
    (_spread(2, 4, 9, 11, 16), MONTH),  # 5: yes
    (_spread(2, 4, 9, 11) | {date(2026, 10, 29): "absent", date(2026, 10, 30): "present"}, []),  # 4 + 1 in October
    (nov((2, "absent"), (3, "absent"), (4, "absent"), (5, "absent"), (6, "absent")), STREAK + MONTH),
])
def test_five_absent_days_in_a_calendar_month(marks, expected):
    assert triggered(holder(marks)) == expected


def test_the_month_trigger_names_its_month():
    [trigger] = exit_triggers(holder(_spread(2, 4, 9, 11, 16)), DEFAULT_POLICY, TODAY)
    assert dict(trigger.params) == {"month": "2026-11", "days": "5"}


def test_an_unknown_mark_is_a_programming_error():
    with pytest.raises(ValueError):
        exit_triggers(holder(nov((2, "asleep"))), DEFAULT_POLICY, TODAY)


@pytest.mark.parametrize(("days_left", "expected"), [
    (31, []),
    (30, [(ExitReason.TERM_ENDED, "term_ending")]),
    (1, [(ExitReason.TERM_ENDED, "term_ending")]),
    (0, [(ExitReason.TERM_ENDED, "term_ending")]),
    (-1, [(ExitReason.TERM_ENDED, "term_ended")]),
])
def test_a_term_ending_within_30_days(days_left, expected):
    assert triggered(holder(appointment_end=TODAY + timedelta(days=days_left))) == expected


def test_the_term_trigger_carries_its_end():
    [trigger] = exit_triggers(holder(appointment_end=date(2026, 12, 30)), DEFAULT_POLICY, TODAY)
    assert dict(trigger.params) == {"end": "2026-12-30", "days_left": "30"}


@pytest.mark.parametrize(("over", "expected"), [
    ({}, []),
    ({"deceased": True}, [(ExitReason.DECEASED, "deceased")]),
    ({"household_category": HC.GENERAL}, [(ExitReason.INELIGIBLE, "household_ineligible")]),
    ({"household_category": HC.LOW_INCOME}, []),
    ({"capacity": LC.NONE}, [(ExitReason.INCAPACITY, "no_labour_capacity")]),
    ({"capacity": LC.WEAK}, []),
    ({"employment_status": ES.SELF_EMPLOYED}, []),
    ({"employment_status": ES.UNEMPLOYED}, []),
    ({"employment_status": ES.MIGRANT_OUT_OF_PROVINCE, "schedule": Schedule.PART_TIME}, []),
])
def test_register_facts_that_propose_an_exit(over, expected):
    assert triggered(holder(**over)) == expected


@pytest.mark.parametrize("status", sorted(FULL_TIME_ELSEWHERE))
def test_full_time_work_elsewhere_ends_a_full_time_post(status):
    assert triggered(holder(employment_status=status)) == [(ExitReason.EMPLOYED_ELSEWHERE,
                                                            "employed_full_time_elsewhere")]


def test_a_county_that_admits_general_households_does_not_propose_their_exit():
    policy = Policy(eligible_categories={"lifted", "monitored", "low_income", "general"})
    assert triggered(holder(household_category=HC.GENERAL), policy) == []


def test_the_most_decisive_trigger_comes_first():
    facts = holder(nov((2, "absent"), (3, "absent"), (4, "absent")), deceased=True, household_category=HC.GENERAL,
                   appointment_end=date(2026, 12, 15))
    assert [reason for reason, _ in triggered(facts)] == [
        ExitReason.DECEASED, ExitReason.INELIGIBLE, ExitReason.ABSENTEEISM, ExitReason.TERM_ENDED]
