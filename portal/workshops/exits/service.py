"""The workshop's exit (摘牌退出): proposed → public notice on the village board → approved by the county
admin → exited on its effective date. History is kept: exits are never deleted, a rejected one stays.

Decisions where domain.md is silent:
- The portal proposes (workshops.monitoring); the township reviewer and the county admin may propose
  too, with a reason in words. A proposal naming a monitored condition is tied to that condition's
  run when the portal has not proposed for it yet.
- The notice (摘牌公示) is posted by the township reviewer or the county admin and runs for the county's
  `notice_working_days` working days after the day it is posted (start day not counted).
- The county admin approves once the notice has ended, never an exit they proposed themselves, with an
  effective date on or after the day of approval; an effective date that has come exits at once,
  later ones are exited by the daily run (`finalize_due`).
- The county admin may reject a proposal before approval (with a note): the workshop resumes and the
  monitoring puts it in watch again if a condition still runs.
- On exit the workshop's open employment records end on the day before the exit date (the people may
  be hired elsewhere from that day); they are the aided employees listed for follow-up (`followup`).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.core import auditlog
from portal.core.calendar import WorkCalendar
from portal.core.cas import compare_and_set
from portal.core.clock import county_today
from portal.core.errors import DomainError, NotAllowed
from portal.core.types import utcnow
from portal.core.workdays import county_calendar
from portal.extensions import db
from portal.registry.kin import ensure_can_approve
from portal.registry.rules import Problem
from portal.workshops import checks, queries, rules
from portal.workshops.guards import (
    atomic,
    county_of,
    ensure_admin,
    expect,
    hold,
    is_admin_of,
    is_reviewer_of,
    refuse,
)
from portal.workshops.labels import exit_state_label
from portal.workshops.models import Workshop, WorkshopEmployee, WorkshopExit
from portal.workshops.monitoring.proposals import EXIT_FIELDS, create_exit, move_workshop
from portal.workshops.monitoring.service import refresh
from portal.workshops.rules import ExitAction, ExitCondition, ExitState, WorkshopAction

RECENT_DAYS = 30  # an ended notice stays on the board this long


def _calendar(county_id: int) -> WorkCalendar:
    """The county's working days (national calendar and the county's overrides)."""
    return county_calendar(county_id)


def _ensure_township_or_county(user, village_id: int) -> None:
    if not (is_reviewer_of(user, village_id) or is_admin_of(user, village_id)):
        raise NotAllowed(_("Only a reviewer of the workshop's township or the county admin may do this."))


def _move(actor, exit: WorkshopExit, action: ExitAction, **values) -> None:
    """One move of the exit (compare-and-set), audited; the caller commits."""
    before = auditlog.snapshot(exit, EXIT_FIELDS)
    compare_and_set(WorkshopExit, exit, rules.next_exit_state(exit.state, action), **values)
    auditlog.record(actor, f"workshop_exit.{action}", "workshop_exit", exit.id, before,
                    auditlog.snapshot(exit, EXIT_FIELDS))


def _expect(exit: WorkshopExit, action: ExitAction) -> None:
    expect(exit, action, rules.EXIT_MOVES, exit_state_label(exit.state))


@atomic
def propose_exit(user, workshop: Workshop, condition: str, reason: str, evidence: str = "",
                 today: date | None = None) -> WorkshopExit:
    """The township reviewer (or the county admin) proposes the workshop's exit, saying why."""
    today = today or county_today()
    _ensure_township_or_county(user, workshop.village_id)
    hold(workshop)
    if condition not in set(ExitCondition):
        refuse([Problem("condition", "unknown_choice")])
    refuse([checks.text_problem("reason", reason), checks.text_problem("evidence", evidence, required=False)])
    run = None
    if condition != ExitCondition.OTHER:
        for candidate in queries.monitoring_of(workshop, today).met:
            if candidate.condition == condition and queries.exit_for_run(
                    workshop.id, condition, queries.first_day(candidate.started)) is None:
                run = candidate
    proposal = create_exit(user, workshop, condition, reason.strip(), (evidence or "").strip(), today, run)
    db.session.commit()
    return proposal


@atomic
def publish_notice(user, exit: WorkshopExit, today: date | None = None) -> None:
    """The township reviewer (or the county admin) posts the delisting notice (摘牌公示) on the village board
    from today, for the county's notice working days."""
    today = today or county_today()
    _ensure_township_or_county(user, exit.village_id)
    _expect(exit, ExitAction.PUBLISH)
    county_id = county_of(exit.village_id)
    end = rules.notice_end(today, queries.policy_of(exit.workshop, today), _calendar(county_id))
    _move(user, exit, ExitAction.PUBLISH, notice_start=today, notice_end=end, published_by=user.id)
    db.session.commit()


@atomic
def approve_exit(admin, exit: WorkshopExit, effective_on: date, note: str = "", today: date | None = None) -> None:
    """The county admin approves the exit after the notice has ended (never their own proposal), effective
    on a day from today on; when that day has come the workshop exits at once."""
    today = today or county_today()
    ensure_admin(admin, exit.village_id)
    _expect(exit, ExitAction.APPROVE)
    ensure_can_approve(admin, exit.proposed_by)
    refuse(checks.approval_problems(today, exit.notice_end, effective_on))
    refuse([checks.text_problem("note", note, required=False)])
    _move(admin, exit, ExitAction.APPROVE, decided_by=admin.id, decided_at=utcnow(),
          decision_note=(note or "").strip(), effective_on=effective_on)
    if effective_on <= today:
        _finalize(admin, exit)
    db.session.commit()


@atomic
def reject_exit(admin, exit: WorkshopExit, note: str, today: date | None = None) -> None:
    """The county admin turns a proposal down before approval, saying why; the workshop resumes."""
    today = today or county_today()
    ensure_admin(admin, exit.village_id)
    _expect(exit, ExitAction.REJECT)
    refuse([checks.text_problem("note", note)])
    workshop = exit.workshop
    hold(workshop)
    _move(admin, exit, ExitAction.REJECT, decided_by=admin.id, decided_at=utcnow(), decision_note=note.strip())
    move_workshop(admin, workshop, WorkshopAction.RESUME)
    refresh(workshop, today)
    db.session.commit()


def _finalize(actor, exit: WorkshopExit) -> None:
    """The exit's effective date has come: exit and workshop become exited, open employments end the day
    before. The caller commits."""
    workshop, day = exit.workshop, exit.effective_on
    _move(actor, exit, ExitAction.EXIT)
    move_workshop(actor, workshop, WorkshopAction.EXIT, exited_on=day)
    for row in queries.records(workshop.id):
        if row.leave_date is None or row.leave_date >= day:
            before = {"leave_date": row.leave_date}
            row.leave_date = max(row.hire_date, day - timedelta(days=1))
            auditlog.record(actor, "workshop_employee.end_by_exit", "workshop_employee", row.id, before,
                            {"leave_date": row.leave_date, "exit_id": exit.id})
    db.session.flush()


def finalize_due(today: date | None = None) -> int:
    """The daily run: approved exits whose effective date has come are exited, one commit each."""
    today = today or county_today()
    done = 0
    due = db.session.execute(select(WorkshopExit).where(
        WorkshopExit.state == ExitState.APPROVED.value, WorkshopExit.effective_on <= today)
        .order_by(WorkshopExit.id)).scalars().all()
    for exit in due:
        try:
            _finalize("system", exit)
            db.session.commit()
        except DomainError:
            db.session.rollback()  # someone moved it just now: the next run sees it again
            continue
        done += 1
    return done


def followup(exit: WorkshopExit, today: date | None = None) -> list[WorkshopEmployee]:
    """The aided employees the exit leaves without this work, for follow-up (they need new work): those
    employed on the eve of the effective date, or today while the exit is not yet approved."""
    day = exit.effective_on - timedelta(days=1) if exit.effective_on else (today or county_today())
    return [r for r in queries.records(exit.workshop_id) if rules.Span(r.hire_date, r.leave_date).covers(day)]


def exits_in_notice(village_id: int, today: date | None = None) -> list[WorkshopExit]:
    """The village board's delisting notices: those running, and those ended in the last 30 days."""
    today = today or county_today()
    return list(db.session.execute(select(WorkshopExit).where(
        WorkshopExit.village_id == village_id, WorkshopExit.notice_start.is_not(None),
        or_(WorkshopExit.state == ExitState.IN_NOTICE.value,
            WorkshopExit.notice_end >= today - timedelta(days=RECENT_DAYS)))
        .order_by(WorkshopExit.notice_start.desc(), WorkshopExit.id.desc())).scalars())
