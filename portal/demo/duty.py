"""The demo county's attendance, kept by each village's clerk through the attendance service (portal.demo.story).

The clerk saves the marks of the village's holders every week on its last working day, and on the last working
day of a month for the month's last days (so a month is complete before its payroll is drawn up): mostly 出勤,
some 半天, 请假 and a rare 旷工, the same for a holder and day whoever builds the demo. About one mark in a
hundred is saved wrong and corrected at the next save, at most a week later, which the grid shows. Each save
is one audited change, and the holder-month summaries the county audit reads are written by the same save.
The planted cases of portal.demo.audit change what a clerk marks (`Story.mark_rules`) or when (`held_back`).
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta

from sqlalchemy import select

from portal.attendance import service as attendance
from portal.attendance.rules import Mark
from portal.demo.story import Story, user
from portal.extensions import db
from portal.posts.models import Appointment

MARK_WEIGHTS = (("present", 90), ("half", 4), ("leave", 5), ("absent", 1))
CORRECTED_PER_10000 = 100  # marks first saved wrong, corrected at the next save


def _roll(appointment_id: int, day: date, salt: str = "") -> int:
    return zlib.crc32(f"{appointment_id}:{day.isoformat()}{salt}".encode()) % 10000


def _mark(appointment_id: int, day: date) -> str:
    """The demo's mark for a holder and day (deterministic)."""
    roll = _roll(appointment_id, day) // 100
    for mark, weight in MARK_WEIGHTS:
        if roll < weight:
            return mark
        roll -= weight
    return "present"


def _wrong(mark: str) -> str:
    return "absent" if mark != "absent" else "leave"


def save_days(story: Story, first: date, last: date) -> list[tuple[date, list[date]]]:
    """(the day the clerk saves, the working days saved): weeks cut at month ends, saved on their last working day."""
    out, day = [], first
    while day <= last:
        month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        end = min(day + timedelta(days=6 - day.weekday()), month_end, last)
        days = story.calendar.working_days(day, end)
        if days:
            out.append((days[-1], days))
        day = end + timedelta(days=1)
    return out


def keep_attendance(story: Story) -> None:
    """Put every village's saves of the year (to yesterday) on the story's calendar."""
    last = story.today - timedelta(days=1)
    saves = save_days(story, date(story.today.year, 1, 1), last)
    for village in story.villages():
        for i, (saved_on, days) in enumerate(saves):
            following = saves[i + 1][0] if i + 1 < len(saves) else None
            story.on(saved_on, _save(story, village.id, days, following), hour=18)
        held = story.held_back.get(village.id)
        if held is not None:
            first, end, saved_on = held
            story.on(saved_on, _save(story, village.id, story.calendar.working_days(first, end), None,
                                     held=True), hour=18)


def _save(story: Story, village_id: int, days: list[date], following: date | None, held: bool = False):
    """The step: the clerk saves `days`' marks (and the corrections of the last save) in one call."""

    def step():
        held_back = story.held_back.get(village_id)
        changes = story.corrections.pop(village_id, [])
        on_duty = db.session.execute(select(Appointment).where(
            Appointment.village_id == village_id, Appointment.state.in_(attendance.ON_DUTY),
            Appointment.start_date <= days[-1], Appointment.end_date >= days[0]).order_by(Appointment.id)).scalars()
        for appointment in on_duty:
            window = attendance.window_of(appointment)
            for day in days:
                later = held_back is not None and not held and held_back[0] <= day <= held_back[1]
                if window is None or day not in window or later:
                    continue
                planted = next(filter(None, (rule(appointment, day) for rule in story.mark_rules)), None)
                mark = planted or _mark(appointment.id, day)
                wrong_first = (planted is None and following is not None and following.month == day.month
                               and (following - day).days <= 7
                               and _roll(appointment.id, day, "late") < CORRECTED_PER_10000)
                if wrong_first:
                    story.corrections.setdefault(village_id, []).append(
                        attendance.Change(appointment.id, day, Mark(mark)))
                    mark = _wrong(mark)
                changes.append(attendance.Change(appointment.id, day, Mark(mark)))
        attendance.save_marks(user(village_id=village_id), village_id, changes)

    return step
