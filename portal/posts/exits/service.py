"""Rule 4 (有序退岗) use cases: propose, withdraw, approve, reject, appeal, finalize.

The policy is exits.rules (pure); this module loads, checks roles and scope, moves states with
compare-and-set UPDATEs (`WHERE id=:id AND state=:old`, a lost race is a Conflict), writes the audit row
and commits once per use case. Payroll enters only through `locked_months` and the county calendar through
`calendar_for` (both the kernel's, core.workdays). The automatic proposals read attendance marks, so they run
in attendance.exit_triggers, which calls `propose` here.

Decisions where domain.md is silent:
- Only an active holder may be proposed for exit; at most one open exit (proposed, approved, appealed)
  per appointment and reason (the system's runs are idempotent on that).
- A holder may appeal once; the township reviewer who decides it may not be of the holder's household.
- A system proposal takes effect today (a term, the day after it ends), moved past any locked month.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.core import auditlog, workdays
from portal.core.access import Role
from portal.core.calendar import WorkCalendar
from portal.core.cas import compare_and_set
from portal.core.clock import county_today  # noqa: F401  (re-exported; patched in tests)
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.core.types import utcnow
from portal.extensions import db
from portal.places.models import Village
from portal.posts.exits import rules as exit_rules
from portal.posts.exits.labels import problem_text
from portal.posts.models import Appointment, Exit
from portal.posts.rules import (
    APPOINTMENT_ACTION_ON_EXIT,
    DEFAULT_POLICY,
    AppointmentState,
    ExitAction,
    ExitReason,
    ExitState,
    Policy,
    next_appointment_state,
    next_exit_state,
)
from portal.posts.settings import county_of_village
from portal.registry.kin import ensure_can_approve
from portal.registry.rules import Problem

OPEN_STATES = (ExitState.PROPOSED, ExitState.APPROVED, ExitState.APPEALED)
FIELDS = ("state", "reason", "effective_on", "decided_by", "decision_note", "notified_on", "appeal_text",
          "appeal_recorded_on", "appeal_decided_by", "appeal_note")


class ExitRefused(RuleViolation):
    """An exit or appeal broke Rule 4; `problems` maps each field to its sentence."""

    code = "exit_refused"

    def __init__(self, problems: dict[str, str]):
        field, first = next(iter(problems.items()))
        super().__init__(first, field=field)
        self.problems = problems


# ---- the seams for payroll, the calendar and settings ---------------------------------------------------


def locked_months(village_id: int) -> set[tuple[int, int]]:
    """(year, month) of the village's months whose payroll is submitted, approved or paid."""
    return workdays.locked_months(village_id)


def calendar_for(village_id: int) -> WorkCalendar:
    """The county's working days (national calendar and the county's overrides)."""
    return workdays.county_calendar(county_of_village(village_id))


def policy_for(village_id: int, day: date) -> Policy:
    """The county's posts policy on `day` (posts.settings once it exists; the defaults until then)."""
    try:
        from portal.posts.settings import policy_for as settings_policy
    except ImportError:
        return DEFAULT_POLICY
    village = db.session.get(Village, village_id)
    return settings_policy(village.township.county_id, day)




# ---- helpers ----------------------------------------------------------------------------------------


def _raise(problems: list[Problem]) -> None:
    found: dict[str, str] = {}
    for p in problems:
        found.setdefault(p.field, problem_text(p))
    if found:
        raise ExitRefused(found)


def _ensure_clerk(user, village_id: int) -> None:
    if user.role != Role.VILLAGE_CLERK or user.village_id != village_id:
        raise NotAllowed(_("Only the clerk of the holder's village may do this."))


def _ensure_reviewer(user, village_id: int) -> None:
    village = db.session.get(Village, village_id)
    if user.role != Role.TOWNSHIP_REVIEWER or village is None or user.township_id != village.township_id:
        raise NotAllowed(_("Only a reviewer of the village's township may decide exits."))


def _move(actor, exit: Exit, action: ExitAction, exit_values: dict | None = None,
          appointment_values: dict | None = None) -> None:
    """One exit action and, per APPOINTMENT_ACTION_ON_EXIT, its appointment's move; audited, committed."""
    appointment = exit.appointment
    before = auditlog.snapshot(exit, FIELDS)
    new_exit = next_exit_state(exit.state, action)
    appointment_action = APPOINTMENT_ACTION_ON_EXIT.get(action)
    if appointment_action is not None:
        old_appt = appointment.state
        new_appt = next_appointment_state(old_appt, appointment_action)
        compare_and_set(Appointment, appointment, new_appt, **(appointment_values or {}))
        auditlog.record(actor, f"appointment.{appointment_action}", "appointment", appointment.id,
                        {"state": old_appt}, {"state": str(new_appt), **(appointment_values or {})})
    compare_and_set(Exit, exit, new_exit, **(exit_values or {}))
    auditlog.record(actor, f"exit.{action}", "exit", exit.id, before, auditlog.snapshot(exit, FIELDS))
    db.session.commit()


def deadline_of(exit: Exit) -> date | None:
    """The last day the holder may appeal, or None when there is no appeal (not notified, death, resignation)."""
    if exit.notified_on is None or exit.reason in exit_rules.NOT_APPEALABLE:
        return None
    return exit_rules.appeal_deadline(exit.notified_on, policy_for(exit.village_id, exit.notified_on))


def open_exit(appointment_id: int, reason: str) -> Exit | None:
    """The appointment's open exit for this reason, if there is one."""
    return db.session.execute(select(Exit).where(
        Exit.appointment_id == appointment_id, Exit.reason == str(reason),
        Exit.state.in_([str(s) for s in OPEN_STATES]))).scalars().first()


# ---- use cases --------------------------------------------------------------------------------------


def propose(user, appointment: Appointment, reason: str, evidence: str, effective_on: date, today: date) -> Exit:
    """The village clerk (or the portal, user None) proposes an exit; a proposal is never an exit."""
    if user is not None:
        _ensure_clerk(user, appointment.village_id)
    if appointment.state != AppointmentState.ACTIVE:
        raise RuleViolation(_("Only a holder on duty can be proposed for exit."), code="not_active")
    if reason not in set(ExitReason):
        _raise([Problem("reason", "unknown_choice")])
    proposal = exit_rules.ExitProposal(ExitReason(reason), today, effective_on, (evidence or "").strip())
    _raise(exit_rules.exit_problems(proposal, appointment.post.schedule, locked_months(appointment.village_id)))
    if open_exit(appointment.id, reason) is not None:
        raise Conflict(_("An exit for this reason is already open for this holder."), code="exit_open")
    exit = Exit(appointment_id=appointment.id, village_id=appointment.village_id, reason=str(reason),
                evidence=proposal.evidence, proposed_by=user.id if user else None, proposed_on=today,
                effective_on=effective_on, state=ExitState.PROPOSED.value)
    db.session.add(exit)
    try:
        db.session.flush()
    except IntegrityError:  # another proposal for this holder and reason was committed meanwhile
        db.session.rollback()
        raise Conflict(_("An exit for this reason is already open for this holder."), code="exit_open") from None
    auditlog.record(user or "system", "exit.propose", "exit", exit.id, None,
                    {"appointment_id": appointment.id, **auditlog.snapshot(exit, FIELDS), "evidence": exit.evidence})
    db.session.commit()
    return exit


def withdraw(clerk, exit: Exit) -> None:
    """The clerk drops a proposal (their own or the system's) before the township decides."""
    _ensure_clerk(clerk, exit.village_id)
    _move(clerk, exit, ExitAction.WITHDRAW)


def approve(reviewer, exit: Exit, today: date) -> None:
    """The township approves: the holder is notified today (notice PDF) and the appointment is exiting."""
    _ensure_reviewer(reviewer, exit.village_id)
    next_exit_state(exit.state, ExitAction.APPROVE)  # an illegal move is refused before anything else
    ensure_can_approve(reviewer, exit.proposed_by, {exit.appointment.household_id}, {exit.appointment.person_id})
    proposal = exit_rules.ExitProposal(ExitReason(exit.reason), exit.proposed_on, exit.effective_on, exit.evidence)
    _raise(exit_rules.exit_problems(proposal, exit.appointment.post.schedule, locked_months(exit.village_id)))
    _move(reviewer, exit, ExitAction.APPROVE,
          {"decided_by": reviewer.id, "decided_at": utcnow(), "notified_on": today})


def reject(reviewer, exit: Exit, note: str) -> None:
    """The township turns a proposal down, saying why; the holder stays on duty."""
    _ensure_reviewer(reviewer, exit.village_id)
    if not (note or "").strip():
        raise ExitRefused({"note": _("Say why the exit is rejected.")})
    _move(reviewer, exit, ExitAction.REJECT, {"decided_by": reviewer.id, "decided_at": utcnow(),
                                              "decision_note": note.strip()})


def record_appeal(clerk, exit: Exit, text: str, today: date) -> None:
    """The clerk records the holder's appeal (申诉), once, within the appeal days after notification."""
    _ensure_clerk(clerk, exit.village_id)
    next_exit_state(exit.state, ExitAction.APPEAL)
    if not (text or "").strip():
        raise ExitRefused({"text": _("Write down what the holder says.")})
    if exit.appeal_recorded_on is not None:
        _raise([Problem("appeal", "already_appealed")])
    _raise(exit_rules.appeal_problems(today, ExitReason(exit.reason), exit.notified_on,
                                      policy_for(exit.village_id, today)))
    _move(clerk, exit, ExitAction.APPEAL, {"appeal_text": text.strip(), "appeal_recorded_on": today})


def decide_appeal(reviewer, exit: Exit, uphold: bool, note: str) -> None:
    """The township decides an appeal: upheld cancels the exit (back on duty); dismissed lets it stand."""
    _ensure_reviewer(reviewer, exit.village_id)
    action = ExitAction.UPHOLD_APPEAL if uphold else ExitAction.DISMISS_APPEAL
    next_exit_state(exit.state, action)
    ensure_can_approve(reviewer, None, {exit.appointment.household_id}, {exit.appointment.person_id})
    if not (note or "").strip():
        raise ExitRefused({"note": _("Say why the appeal is decided so.")})
    _move(reviewer, exit, action, {"appeal_decided_by": reviewer.id, "appeal_note": note.strip()})


def finalize_due(today: date) -> int:
    """Approved exits whose effective date has come and whose appeal window has closed become exited."""
    done = 0
    for exit in db.session.execute(select(Exit).where(Exit.state == ExitState.APPROVED.value)
                                   .order_by(Exit.id)).scalars().all():
        if not exit_rules.exit_due(today, exit.effective_on, ExitReason(exit.reason), exit.notified_on,
                                   policy_for(exit.village_id, today)):
            continue
        try:
            _move("system", exit, ExitAction.EXIT, appointment_values={"exited_on": exit.effective_on})
        except Conflict:
            continue  # someone moved it just now: the next run sees it again
        done += 1
    return done
