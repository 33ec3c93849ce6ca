"""The workshops' three state machines — the workshop's monitoring state, its exit (摘牌), its annual
assessment — as tables: pure, no flask, no database. Re-exported by `workshops.rules`.

States move only through `next_workshop_state`, `next_exit_state` and `next_assessment_state`; any
other move raises `IllegalMove` (portal.core.states). Actions may be given as the enum or its plain
string; the new state is always returned as the enum.

- The workshop moves normal ⇄ watch with the monitoring, to `exiting` when an exit is proposed, back to
  `normal` when the proposal is rejected (the monitoring then puts it in watch again if a condition
  still runs), and to `exited` on the exit's effective date.
- An exit is proposed, published on the village board (摘牌公示), approved by the county admin after
  the notice, and exited on its effective date; the county admin may reject it before approval.
- An assessment is computed (and recomputed while `computed`), approved by the county admin, then paid.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from portal.core.states import IllegalMove, actions, move  # noqa: F401  (IllegalMove re-exported by rules)


class WorkshopState(enum.StrEnum):
    NORMAL = "normal"  # 正常运行
    WATCH = "watch"  # 监测待处置: an exit condition has started
    EXITING = "exiting"  # an exit is proposed
    EXITED = "exited"  # 已退出 (摘牌)


class WorkshopAction(enum.StrEnum):
    WATCH = "watch"  # a condition started
    CLEAR = "clear"  # no condition runs any more
    PROPOSE_EXIT = "propose_exit"
    RESUME = "resume"  # the exit proposal was rejected
    EXIT = "exit"  # the exit's effective date came


class ExitCondition(enum.StrEnum):
    VIOLATION = "violation"  # 违法违规: exit at once
    HALTED = "halted"  # 停工停产 for `halt_months` consecutive months
    LOW_AIDED = "low_aided"  # fewer than `low_aided_threshold` aided employees for `low_aided_months` months
    OTHER = "other"  # a reason the township or the county gives in words


class ExitState(enum.StrEnum):
    PROPOSED = "proposed"
    IN_NOTICE = "in_notice"  # 摘牌公示
    APPROVED = "approved"
    EXITED = "exited"
    REJECTED = "rejected"


class ExitAction(enum.StrEnum):
    PUBLISH = "publish"  # posted on the village board
    APPROVE = "approve"  # county admin, after the notice
    REJECT = "reject"  # county admin, before approval
    EXIT = "exit"  # on the effective date


class AssessmentState(enum.StrEnum):
    COMPUTED = "computed"
    APPROVED = "approved"
    PAID = "paid"


class AssessmentAction(enum.StrEnum):
    RECOMPUTE = "recompute"
    APPROVE = "approve"
    PAY = "pay"


W, WA = WorkshopState, WorkshopAction
WORKSHOP_MOVES: Mapping[tuple[str, str], WorkshopState] = MappingProxyType({
    (W.NORMAL, WA.WATCH): W.WATCH,
    (W.WATCH, WA.CLEAR): W.NORMAL,
    (W.NORMAL, WA.PROPOSE_EXIT): W.EXITING,
    (W.WATCH, WA.PROPOSE_EXIT): W.EXITING,
    (W.EXITING, WA.RESUME): W.NORMAL,
    (W.EXITING, WA.EXIT): W.EXITED,
})
E, EA = ExitState, ExitAction
EXIT_MOVES: Mapping[tuple[str, str], ExitState] = MappingProxyType({
    (E.PROPOSED, EA.PUBLISH): E.IN_NOTICE,
    (E.PROPOSED, EA.REJECT): E.REJECTED,
    (E.IN_NOTICE, EA.REJECT): E.REJECTED,
    (E.IN_NOTICE, EA.APPROVE): E.APPROVED,
    (E.APPROVED, EA.EXIT): E.EXITED,
})
S, SA = AssessmentState, AssessmentAction
ASSESSMENT_MOVES: Mapping[tuple[str, str], AssessmentState] = MappingProxyType({
    (S.COMPUTED, SA.RECOMPUTE): S.COMPUTED,
    (S.COMPUTED, SA.APPROVE): S.APPROVED,
    (S.APPROVED, SA.PAY): S.PAID,
})
OPEN_EXIT_STATES = frozenset({E.PROPOSED, E.IN_NOTICE, E.APPROVED})  # at most one per workshop
CLOSED_ASSESSMENT_STATES = frozenset({S.APPROVED, S.PAID})  # the year's figures are final
LIVE_STATES = frozenset({W.NORMAL, W.WATCH, W.EXITING})  # still a workshop: reports are due
del W, WA, E, EA, S, SA  # short names for the tables above only


def next_workshop_state(state: str, action: str) -> WorkshopState:
    """normal ⇄ watch (monitoring) → exiting (exit proposed) → exited; a rejected proposal resumes normal."""
    return move("workshop", WORKSHOP_MOVES, state, action)


def next_exit_state(state: str, action: str) -> ExitState:
    """proposed → in_notice (摘牌公示) → approved (county admin) → exited; rejected before approval."""
    return move("workshop_exit", EXIT_MOVES, state, action)


def next_assessment_state(state: str, action: str) -> AssessmentState:
    """computed (recomputable) → approved (county admin) → paid."""
    return move("assessment", ASSESSMENT_MOVES, state, action)


def workshop_actions(state: str) -> frozenset[str]:
    """The moves a workshop allows in its state."""
    return actions(WORKSHOP_MOVES, state)


def exit_actions(state: str) -> frozenset[str]:
    """The actions an exit allows in its state (for showing the right buttons)."""
    return actions(EXIT_MOVES, state)


def assessment_actions(state: str) -> frozenset[str]:
    """The actions an assessment allows in its state."""
    return actions(ASSESSMENT_MOVES, state)
