"""Rule 4 — exit in order (有序退岗): exit checks, the appeal window, automatic exit proposals.

Decisions where domain.md is silent:
- The effective date is the first day the holder is off the post: their last day on duty is the day
  before (`last_day_on_duty`), and no attendance or pay is recorded from the effective date on. A
  term-ended exit is therefore effective the day after the term's end.
- The effective date may not fall in a locked (submitted or paid) month, nor before one: a locked later
  month would already carry pay for days after the exit. The first day after the last locked month is
  the earliest accepted date.
- The effective date is not before the proposal date, except for a death, which takes effect on the
  day of death (still never inside or before a locked month: the payroll's adjustment line corrects).
- "May appeal within 5 days": calendar days after the day of notification, that day not counted; the
  last day to appeal is notified_on + appeal_days. Deaths and resignations cannot be appealed. An
  approved exit takes effect on its effective date, but never while its appeal window is open.
- "Employed full-time elsewhere" (`FULL_TIME_ELSEWHERE`): migrant work outside the county (in or out of
  the province), work in the county, and work in an aid workshop (the audit's 重复享受). Self-employment
  (自主创业) is not counted — it is often flexible work a post holder may keep — nor, of course,
  welfare_post or unemployed.
- Automatic triggers read the marks of scheduled working days. A day with no mark (None) is no evidence
  either way: it neither counts as absent nor breaks a streak, so days off, whether left out of the
  mapping or given as None, never break it; present, half and leave marks do. Each kind of evidence is
  reported once, for its most recent occurrence. A holder whose register capacity became `none` is
  proposed for an `incapacity` exit (the hiring rule refuses such a person too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from portal.posts.rules import DEFAULT_POLICY, ExitReason, Policy, Schedule
from portal.registry.rules import EmploymentStatus, HouseholdCategory, LabourCapacity, Problem

FULL_TIME_ELSEWHERE = frozenset({
    EmploymentStatus.MIGRANT_OUT_OF_PROVINCE,
    EmploymentStatus.MIGRANT_IN_PROVINCE,
    EmploymentStatus.IN_COUNTY,
    EmploymentStatus.WORKSHOP,
})
NOT_APPEALABLE = frozenset({ExitReason.DECEASED, ExitReason.RESIGNED})
MARKS = frozenset({"present", "half", "leave", "absent"})


@dataclass(frozen=True)
class ExitProposal:
    """An exit as proposed by the clerk or the system."""

    reason: ExitReason
    proposed_on: date
    effective_on: date  # the first day off the post
    evidence: str  # what the clerk saw, or the system's evidence code and its facts


def last_day_on_duty(effective_on: date) -> date:
    """The holder's last day on the post is the day before the exit's effective date."""
    return effective_on - timedelta(days=1)


def exit_problems(proposal: ExitProposal, schedule: Schedule,
                  locked_months: Collection[tuple[int, int]]) -> list[Problem]:
    """An exit names a known reason with evidence, is not backdated, and leaves every locked month untouched."""
    problems = []
    if proposal.reason not in set(ExitReason):
        problems.append(Problem("reason", "unknown_choice"))
    elif proposal.reason == ExitReason.EMPLOYED_ELSEWHERE and schedule != Schedule.FULL_TIME:
        problems.append(Problem("reason", "employed_elsewhere_full_time_only"))
    if not (proposal.evidence or "").strip():
        problems.append(Problem("evidence", "required"))
    effective = proposal.effective_on
    if effective < proposal.proposed_on and proposal.reason != ExitReason.DECEASED:
        problems.append(Problem("effective_on", "effective_before_proposal",
                                (("proposed_on", proposal.proposed_on.isoformat()),)))
    locked = sorted(m for m in locked_months if m >= (effective.year, effective.month))
    if locked:
        year, month = locked[0]
        problems.append(Problem("effective_on", "month_locked", (("month", f"{year:04d}-{month:02d}"),)))
    return problems


# ---- appeal (申诉) ------------------------------------------------------------------------------------

def appeal_deadline(notified_on: date, policy: Policy = DEFAULT_POLICY) -> date:
    """The last day to appeal: `appeal_days` calendar days after notification (that day not counted)."""
    return notified_on + timedelta(days=policy.appeal_days)


def appeal_problems(today: date, reason: ExitReason, notified_on: date | None,
                    policy: Policy = DEFAULT_POLICY) -> list[Problem]:
    """A notified holder may appeal an exit within the appeal days, except a death or their own resignation."""
    if reason in NOT_APPEALABLE:
        return [Problem("appeal", "not_appealable")]
    if notified_on is None:
        return [Problem("appeal", "not_notified")]
    deadline = appeal_deadline(notified_on, policy)
    if today > deadline:
        return [Problem("appeal", "appeal_late", (("deadline", deadline.isoformat()),))]
    return []


def exit_due(today: date, effective_on: date, reason: ExitReason, notified_on: date | None,
             policy: Policy = DEFAULT_POLICY) -> bool:
    """An approved exit takes effect from its effective date, once the holder's appeal window has closed."""
    if today < effective_on:
        return False
    if reason in NOT_APPEALABLE:
        return True
    return notified_on is not None and today > appeal_deadline(notified_on, policy)


# ---- automatic proposals --------------------------------------------------------------------------

@dataclass(frozen=True)
class HolderFacts:
    """What the portal knows today about an active holder, for proposing exits."""

    schedule: Schedule
    appointment_end: date
    household_category: HouseholdCategory  # as the register says now
    employment_status: EmploymentStatus
    deceased: bool = False
    capacity: LabourCapacity | None = None
    marks: Mapping[date, str | None] = field(default_factory=dict)  # recent scheduled working days


class Trigger(NamedTuple):
    """A reason to propose an exit, with the evidence code and its facts (translated by the caller)."""

    reason: ExitReason
    evidence: str
    params: tuple[tuple[str, str], ...] = ()


def _absences(marks: Mapping[date, str | None], today: date, policy: Policy) -> list[Trigger]:
    run: list[date] = []
    last_streak: list[date] | None = None
    per_month: Counter[tuple[int, int]] = Counter()
    for day in sorted(d for d in marks if d <= today):
        mark = marks[day]
        if mark is None:
            continue  # nothing logged: no evidence either way
        if mark not in MARKS:
            raise ValueError(f"unknown attendance mark {mark!r}")
        if mark == "absent":
            run.append(day)
            per_month[(day.year, day.month)] += 1
            if len(run) >= policy.absent_streak_trigger:
                last_streak = list(run)
        else:
            run = []
    triggers = []
    if last_streak:
        triggers.append(Trigger(ExitReason.ABSENTEEISM, "absent_streak", (
            ("first", last_streak[0].isoformat()), ("last", last_streak[-1].isoformat()),
            ("days", str(len(last_streak))))))
    months = sorted(m for m, n in per_month.items() if n >= policy.absent_month_trigger)
    if months:
        year, month = months[-1]
        triggers.append(Trigger(ExitReason.ABSENTEEISM, "absent_month", (
            ("month", f"{year:04d}-{month:02d}"), ("days", str(per_month[(year, month)])))))
    return triggers


def exit_triggers(facts: HolderFacts, policy: Policy, today: date) -> list[Trigger]:
    """有序退岗: the exits the portal proposes by itself today, most decisive first; a person still decides."""
    triggers = []
    if facts.deceased:
        triggers.append(Trigger(ExitReason.DECEASED, "deceased"))
    if facts.household_category not in policy.eligible_categories:
        triggers.append(Trigger(ExitReason.INELIGIBLE, "household_ineligible",
                                (("category", str(facts.household_category)),)))
    if facts.capacity == LabourCapacity.NONE:
        triggers.append(Trigger(ExitReason.INCAPACITY, "no_labour_capacity"))
    if facts.schedule == Schedule.FULL_TIME and facts.employment_status in FULL_TIME_ELSEWHERE:
        triggers.append(Trigger(ExitReason.EMPLOYED_ELSEWHERE, "employed_full_time_elsewhere",
                                (("status", str(facts.employment_status)),)))
    triggers += _absences(facts.marks, today, policy)
    days_left = (facts.appointment_end - today).days
    if days_left <= policy.term_warning_days:
        triggers.append(Trigger(ExitReason.TERM_ENDED, "term_ending" if days_left >= 0 else "term_ended",
                                (("end", facts.appointment_end.isoformat()), ("days_left", str(days_left)))))
    return triggers
