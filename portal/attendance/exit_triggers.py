"""Automatic exit proposals (有序退岗): the portal proposes exits the triggers call for, once per holder and reason.

The triggers (posts.exits.rules.exit_triggers) read the register, the post and the holder's recent
attendance marks; the marks live here, so the daily run does too, above posts: it proposes through
posts.exits.service.propose (proposed_by NULL) like a clerk would, and a person still decides.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.attendance import service as attendance
from portal.core.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.posts.exits import rules as exit_rules
from portal.posts.exits import service as exits
from portal.posts.exits.labels import evidence_text
from portal.posts.hiring.service import activate_due
from portal.posts.models import Appointment, Exit
from portal.posts.rules import AppointmentState, ExitReason

MARK_WINDOW_DAYS = 45  # covers the current and the previous month for the absence triggers


def marks_for(appointment: Appointment, start: date, end: date) -> dict[date, str | None]:
    """The holder's attendance marks from start to end (day → mark)."""
    return attendance.marks_for(appointment.id, start, end)


def _first_open_day(day: date, locked: set[tuple[int, int]]) -> date:
    """The day itself, or the first day after the last locked month at or after it."""
    later = [m for m in locked if m >= (day.year, day.month)]
    if not later:
        return day
    year, month = max(later)
    return date(year + month // 12, month % 12 + 1, 1)


def holder_facts(appointment: Appointment, today: date) -> exit_rules.HolderFacts:
    """What the register, the post and the attendance say today about an active holder."""
    person, post = appointment.person, appointment.post
    start = today - timedelta(days=MARK_WINDOW_DAYS)
    marks = marks_for(appointment, start, today)
    scheduled = {day: marks.get(day) for day in exits.calendar_for(appointment.village_id).working_days(start, today)}
    return exit_rules.HolderFacts(
        schedule=post.schedule, appointment_end=appointment.end_date,
        household_category=person.household.category, employment_status=person.employment_status,
        deceased=person.deceased, capacity=person.labour_capacity, marks=scheduled)


def _system_effective(trigger: exit_rules.Trigger, appointment: Appointment, today: date) -> date:
    day = today
    if trigger.reason == ExitReason.TERM_ENDED:
        day = max(today, appointment.end_date + timedelta(days=1))  # off the post the day after the term
    return _first_open_day(day, exits.locked_months(appointment.village_id))


def propose_from_triggers(today: date, village_ids: list[int] | None = None) -> list[Exit]:
    """The portal proposes exits by itself (proposed_by NULL), once per holder and reason while open."""
    stmt = select(Appointment).where(Appointment.state == AppointmentState.ACTIVE.value).order_by(Appointment.id)
    if village_ids is not None:
        stmt = stmt.where(Appointment.village_id.in_(village_ids))
    created = []
    for appointment in db.session.execute(stmt).scalars().all():
        policy = exits.policy_for(appointment.village_id, today)
        seen: set[str] = set()
        for trigger in exit_rules.exit_triggers(holder_facts(appointment, today), policy, today):
            if trigger.reason in seen or exits.open_exit(appointment.id, trigger.reason) is not None:
                continue
            seen.add(trigger.reason)
            try:
                created.append(exits.propose(None, appointment, trigger.reason, evidence_text(trigger),
                                             _system_effective(trigger, appointment, today), today))
            except (RuleViolation, Conflict):
                db.session.rollback()  # e.g. a month locked meanwhile: the next run tries again
    return created


def run_daily(today: date) -> dict[str, int]:
    """The daily run: activate appointments due, finalize exits due, propose exits the triggers call for."""
    result = activate_due(today)
    activated = result if isinstance(result, int) else len(result or ())
    exited = exits.finalize_due(today)
    proposed = len(propose_from_triggers(today))
    return {"activated": activated, "exited": exited, "proposed": proposed}
