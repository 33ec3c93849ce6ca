"""Workflows as tables: (state, action) → new state. Every feature's state machine moves through `move`,
and any pair its table lacks is an `IllegalMove`. Pure: no flask, no database."""

from __future__ import annotations

from collections.abc import Mapping

from portal.core.errors import RuleViolation


class IllegalMove(RuleViolation):
    """A state change the workflow does not allow from the record's current state."""

    code = "illegal_move"

    def __init__(self, machine: str, state: str, action: str):
        super().__init__(f"{machine}: cannot {action} from {state}", code="illegal_move")
        self.machine = machine
        self.state = state
        self.action = action


def move(machine: str, table: Mapping, state: str, action: str):
    """The state `table` gives for `action` from `state` (enum or plain string), or IllegalMove."""
    try:
        return table[(state, action)]
    except (KeyError, TypeError):
        raise IllegalMove(machine, str(state), str(action)) from None


def actions(table: Mapping, state: str) -> frozenset[str]:
    """The actions `table` allows from `state` (for showing the right buttons)."""
    return frozenset(action for (from_state, action) in table if from_state == state)
