"""The posts feature's vocabulary, workflows and county settings: pure, no flask, no database.

The policy itself sits beside this module in three more pure rooms:
- `plan_rules`: Rule 1 (按需设岗) — post plans against standard, quota and term; vacancies;
- `hiring_rules`: Rule 2 (以岗聘任) — eligibility, priority ranking, conflicts of interest, public notice;
- `exit_rules`: Rule 4 (有序退岗) — exit checks, appeal deadline, automatic exit proposals.

States move only through `next_post_state`, `next_appointment_state`, `next_exit_state` and
`next_objection_state`; any other move raises `IllegalMove`. Actions may be given as the enum or its
plain string ("submit"); the new state is always returned as the enum.

Decisions where domain.md is silent:
- A post plan may be closed (given up) from draft or returned, and from approved once nobody holds it;
  a submitted plan waits for the township's decision.
- An appointment enters `exiting` when the township approves its exit (a proposal alone changes
  nothing: the holder keeps working and earning); an upheld appeal brings it back to `active`.
- An exit proposal may be withdrawn by the clerk before the township decides (system proposals need
  not trouble the township); an upheld appeal ends the exit as `rejected`; a dismissed appeal returns
  it to `approved`, and it becomes `exited` on its effective date. See APPOINTMENT_ACTION_ON_EXIT.
- An appointment in any of `HOLDING_STATES` holds its post and person: it counts against the post's
  vacancies, 一人一岗, 一户一公岗 and blocks closing the post.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from portal.core.states import IllegalMove, actions, move  # noqa: F401  (IllegalMove re-exported: features import it from here)
from portal.registry.rules import HouseholdCategory


def _names(mapping: dict[str, str]) -> Mapping[str, str]:
    return enum.nonmember(MappingProxyType(mapping))


class PostCategory(enum.StrEnum):
    CLEANING = "cleaning"
    ROAD_CARE = "road_care"
    FOREST_CARE = "forest_care"
    RIVER_CARE = "river_care"
    ELDER_CARE = "elder_care"
    CHARITY_SHOP = "charity_shop"
    FIRE_SAFETY = "fire_safety"
    UTILITIES_CARE = "utilities_care"
    PATROL = "patrol"
    OTHER = "other"

    CHINESE_NAMES = _names({
        "cleaning": "保洁", "road_care": "护路", "forest_care": "护林", "river_care": "护河",
        "elder_care": "养老护理", "charity_shop": "爱心超市", "fire_safety": "消防安全",
        "utilities_care": "水电管护", "patrol": "治安巡逻", "other": "其他",
    })

    @property
    def chinese(self) -> str:
        return self.CHINESE_NAMES[self]


class Schedule(enum.StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"

    CHINESE_NAMES = _names({"full_time": "全日制", "part_time": "非全日制"})

    @property
    def chinese(self) -> str:
        return self.CHINESE_NAMES[self]


class FundingSource(enum.StrEnum):
    LINKAGE_FUND = "linkage_fund"
    PV_INCOME = "pv_income"
    EMPLOYMENT_SUBSIDY = "employment_subsidy"
    VILLAGE_COLLECTIVE = "village_collective"
    OTHER = "other"

    CHINESE_NAMES = _names({
        "linkage_fund": "衔接资金", "pv_income": "光伏收益", "employment_subsidy": "就业补助资金",
        "village_collective": "村集体经济", "other": "其他",
    })

    @property
    def chinese(self) -> str:
        return self.CHINESE_NAMES[self]


class ExitReason(enum.StrEnum):
    ABSENTEEISM = "absenteeism"
    ASSESSMENT_FAILED = "assessment_failed"
    INELIGIBLE = "ineligible"
    EMPLOYED_ELSEWHERE = "employed_elsewhere"
    TERM_ENDED = "term_ended"
    RESIGNED = "resigned"
    INCAPACITY = "incapacity"
    DECEASED = "deceased"
    MISCONDUCT = "misconduct"

    CHINESE_NAMES = _names({
        "absenteeism": "旷工", "assessment_failed": "考核不合格", "ineligible": "家庭不再符合条件",
        "employed_elsewhere": "已稳定就业", "term_ended": "期满", "resigned": "本人申请",
        "incapacity": "丧失劳动能力", "deceased": "死亡", "misconduct": "顶岗替岗/岗在人不在",
    })

    @property
    def chinese(self) -> str:
        return self.CHINESE_NAMES[self]


# ---- states and the moves between them ------------------------------------------------------------

class PostState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    CLOSED = "closed"


class PostAction(enum.StrEnum):
    SUBMIT = "submit"  # village
    APPROVE = "approve"  # township
    RETURN = "return"  # township, with a reason
    CLOSE = "close"  # only with no holder (see close_problems)


class AppointmentState(enum.StrEnum):
    NOMINATED = "nominated"
    IN_NOTICE = "in_notice"
    APPROVED = "approved"
    REJECTED = "rejected"
    ACTIVE = "active"
    EXITING = "exiting"
    EXITED = "exited"


class AppointmentAction(enum.StrEnum):
    PUBLISH = "publish"  # posted on the notice board (公示)
    APPROVE = "approve"  # township, after the notice with no open objection
    REJECT = "reject"  # township refuses, or an objection is upheld
    ACTIVATE = "activate"  # on the start date
    START_EXIT = "start_exit"  # the township approved an exit
    CANCEL_EXIT = "cancel_exit"  # an appeal was upheld
    EXIT = "exit"  # the exit's effective date came


class ExitState(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    APPEALED = "appealed"
    EXITED = "exited"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ExitAction(enum.StrEnum):
    APPROVE = "approve"  # township
    REJECT = "reject"  # township turns the proposal down
    WITHDRAW = "withdraw"  # the clerk drops a proposal (e.g. a system one) before the township decides
    APPEAL = "appeal"  # recorded by the clerk within the appeal days
    UPHOLD_APPEAL = "uphold_appeal"  # township: the exit is cancelled
    DISMISS_APPEAL = "dismiss_appeal"  # township: the exit stands
    EXIT = "exit"  # on the effective date


class ObjectionState(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class ObjectionAction(enum.StrEnum):
    UPHOLD = "uphold"  # the nomination is rejected
    DISMISS = "dismiss"


P, PA = PostState, PostAction
POST_MOVES: Mapping[tuple[str, str], PostState] = MappingProxyType({
    (P.DRAFT, PA.SUBMIT): P.SUBMITTED,
    (P.RETURNED, PA.SUBMIT): P.SUBMITTED,
    (P.SUBMITTED, PA.APPROVE): P.APPROVED,
    (P.SUBMITTED, PA.RETURN): P.RETURNED,
    (P.DRAFT, PA.CLOSE): P.CLOSED,  # a plan given up
    (P.RETURNED, PA.CLOSE): P.CLOSED,
    (P.APPROVED, PA.CLOSE): P.CLOSED,
})

A, AA = AppointmentState, AppointmentAction
APPOINTMENT_MOVES: Mapping[tuple[str, str], AppointmentState] = MappingProxyType({
    (A.NOMINATED, AA.PUBLISH): A.IN_NOTICE,
    (A.NOMINATED, AA.REJECT): A.REJECTED,
    (A.IN_NOTICE, AA.APPROVE): A.APPROVED,
    (A.IN_NOTICE, AA.REJECT): A.REJECTED,
    (A.APPROVED, AA.ACTIVATE): A.ACTIVE,
    (A.ACTIVE, AA.START_EXIT): A.EXITING,
    (A.EXITING, AA.CANCEL_EXIT): A.ACTIVE,
    (A.EXITING, AA.EXIT): A.EXITED,
})

E, EA = ExitState, ExitAction
EXIT_MOVES: Mapping[tuple[str, str], ExitState] = MappingProxyType({
    (E.PROPOSED, EA.APPROVE): E.APPROVED,
    (E.PROPOSED, EA.REJECT): E.REJECTED,
    (E.PROPOSED, EA.WITHDRAW): E.WITHDRAWN,
    (E.APPROVED, EA.APPEAL): E.APPEALED,
    (E.APPEALED, EA.UPHOLD_APPEAL): E.REJECTED,
    (E.APPEALED, EA.DISMISS_APPEAL): E.APPROVED,
    (E.APPROVED, EA.EXIT): E.EXITED,
})

OBJECTION_MOVES: Mapping[tuple[str, str], ObjectionState] = MappingProxyType({
    (ObjectionState.OPEN, ObjectionAction.UPHOLD): ObjectionState.UPHELD,
    (ObjectionState.OPEN, ObjectionAction.DISMISS): ObjectionState.DISMISSED,
})

# What the appointment does when its exit moves (the service applies both in one transaction).
APPOINTMENT_ACTION_ON_EXIT: Mapping[str, AppointmentAction] = MappingProxyType({
    EA.APPROVE: AA.START_EXIT,
    EA.UPHOLD_APPEAL: AA.CANCEL_EXIT,
    EA.EXIT: AA.EXIT,
})

# Appointments that hold a place on the post and on the person (vacancies, 一人一岗, 一户一公岗).
HOLDING_STATES = frozenset({A.NOMINATED, A.IN_NOTICE, A.APPROVED, A.ACTIVE, A.EXITING})
del P, PA, A, AA, E, EA  # short names for the tables above only


def next_post_state(state: str, action: str) -> PostState:
    """A post plan goes draft → submitted (village) → approved | returned (township); closes without holders."""
    return move("post", POST_MOVES, state, action)


def next_appointment_state(state: str, action: str) -> AppointmentState:
    """nominated → in_notice → approved | rejected → active → exiting → exited; an upheld appeal returns to active."""
    return move("appointment", APPOINTMENT_MOVES, state, action)


def next_exit_state(state: str, action: str) -> ExitState:
    """proposed → approved (township) → [appealed → approved | rejected] → exited; or rejected | withdrawn."""
    return move("exit", EXIT_MOVES, state, action)


def next_objection_state(state: str, action: str) -> ObjectionState:
    """An objection raised during notice is upheld or dismissed by the township, once."""
    return move("objection", OBJECTION_MOVES, state, action)


def post_actions(state: str) -> frozenset[str]:
    """The actions a post plan allows in its state (for showing the right buttons)."""
    return actions(POST_MOVES, state)


def appointment_actions(state: str) -> frozenset[str]:
    """The actions an appointment allows in its state."""
    return actions(APPOINTMENT_MOVES, state)


def exit_actions(state: str) -> frozenset[str]:
    """The actions an exit allows in its state."""
    return actions(EXIT_MOVES, state)


# ---- county settings ------------------------------------------------------------------------------

# The least value of each whole-number policy setting (the policy texts set no upper bound).
SETTING_MINIMUM: Mapping[str, int] = MappingProxyType({
    "posts_per_household": 1, "notice_working_days": 1, "appeal_days": 1, "absent_streak_trigger": 1,
    "absent_month_trigger": 1, "term_warning_days": 0, "max_term_months": 1, "payment_deadline_days": 1})
DEFAULT_ELIGIBLE = frozenset({HouseholdCategory.LIFTED, HouseholdCategory.MONITORED, HouseholdCategory.LOW_INCOME})


@dataclass(frozen=True)
class Policy:
    """The county's settings for posts (domain.md "Policy parameters"), with their defaults."""

    eligible_categories: frozenset[HouseholdCategory] = DEFAULT_ELIGIBLE
    posts_per_household: int = 1  # 一户一公岗
    notice_working_days: int = 5  # 公示, start day not counted
    appeal_days: int = 5  # calendar days after notification
    absent_streak_trigger: int = 3  # consecutive scheduled working days absent
    absent_month_trigger: int = 5  # absent days in one calendar month
    term_warning_days: int = 30  # propose term_ended this many days before the end
    max_term_months: int = 12  # a post term: end <= start + 12 months - 1 day
    payment_deadline_days: int = 30  # approved payroll unpaid after this is overdue (拖欠)

    def __post_init__(self):
        object.__setattr__(self, "eligible_categories",
                           frozenset(HouseholdCategory(c) for c in self.eligible_categories))
        for name, least in SETTING_MINIMUM.items():
            if getattr(self, name) < least:
                raise ValueError(f"{name} must be at least {least}")


DEFAULT_POLICY = Policy()
