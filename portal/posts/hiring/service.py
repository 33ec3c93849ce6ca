"""Rule 2 — hire by post (以岗聘任): candidates, nomination onto the public notice, objections, approval.

Each use case loads, calls the pure rules (hiring_rules, plan_rules), writes, audits and commits once.
States move only through rules.next_appointment_state / next_objection_state, each as a compare-and-set
UPDATE (`WHERE id = :id AND state = :old`): a second approval, or an approval racing an objection, finds
the row moved on and is refused with Conflict. A nomination first touches its post's row and then the
nominee's household row, so nominations for one post or one household queue up (SQLite and PostgreSQL
alike) and a vacancy or the one-post-per-household limit cannot be taken twice.

Decisions where domain.md is silent:
- A nomination goes straight onto the notice board: it is created `nominated` and published in the same
  transaction (notice from today, `notice_working_days` working days after it).
- Only the village clerk of the post's village nominates and records objections; only a township
  reviewer of the village's township decides objections, approves and rejects.
- An objection may be recorded while the appointment is in notice, received on a day of the notice.
- `conflict_person_ids` always holds the nominee, their household and their declared relatives (none
  of them may approve), whether or not the nomination is marked for a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, select, update

from portal.core import auditlog
from portal.core.access import Role, get_scoped
from portal.core.calendar import WorkCalendar
from portal.core.clock import county_today
from portal.core.errors import Conflict, DomainError, NotAllowed, RuleViolation
from portal.core.i18n import date_label
from portal.core.types import utcnow
from portal.core.workdays import county_calendar
from portal.extensions import db
from portal.places.models import Village
from portal.posts import rules
from portal.posts.hiring import rules as hiring_rules
from portal.posts.hiring.labels import problem_text
from portal.posts.hiring.register import candidate_facts, holders_of, ties, village_people
from portal.posts.labels import APPOINTMENT_STATE
from portal.posts.models import Appointment, Objection, Post
from portal.posts.plans import rules as plan_rules
from portal.registry.kin import kin_of
from portal.registry.models import Household, Person


def current_policy(county_id: int, day: date) -> rules.Policy:
    """The county's posts policy on `day` (county settings when available, else the defaults)."""
    try:
        from portal.posts.settings import policy_for
    except ImportError:
        return rules.DEFAULT_POLICY
    return policy_for(county_id, day)


def work_calendar(county_id: int) -> WorkCalendar:
    """The county's working days for notice periods (national calendar and the county's overrides)."""
    return county_calendar(county_id)


class HiringRefused(RuleViolation):
    """One or more fields break Rule 2; `problems` maps each field to its message (like InvalidData)."""

    code = "hiring_refused"

    def __init__(self, problems: dict[str, str]):
        super().__init__("；".join(problems.values()), field=next(iter(problems)))
        self.problems = problems


def _refuse(problems, field_names: dict[str, str] | None = None) -> None:
    found: dict[str, str] = {}
    for p in problems:
        name = (field_names or {}).get(p.field, p.field)
        found[name] = "；".join(filter(None, [found.get(name), problem_text(p)]))
    if found:
        raise HiringRefused(found)


# ---- candidates -------------------------------------------------------------------------------------


@dataclass
class Row:
    person: Person
    candidate: hiring_rules.Candidate
    rank: int | None = None
    reasons: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


@dataclass
class Candidates:
    ranked: list[Row]
    ineligible: list[Row]
    order: list[hiring_rules.Ranked]

    def row(self, person_id: int) -> Row | None:
        return next((r for r in self.ranked + self.ineligible if r.person.id == person_id), None)


def candidates(post: Post, user, today: date | None = None) -> Candidates:
    """The village's people for a post: eligible ones ranked with reasons, the others with why not."""
    today = today or county_today()
    policy = current_policy(post.village.township.county_id, today)
    people = village_people(post.village_id)
    facts = candidate_facts(people, today)
    order = hiring_rules.rank_candidates(facts.values(), policy)
    known = ties([p.id for p in people] + [getattr(user, "person_id", None)])
    nominator = known.handler("nominator", getattr(user, "person_id", None))
    by_id = {p.id: p for p in people}
    ranked = [Row(by_id[r.candidate.person_id], r.candidate, r.rank, r.reasons,
                  conflicts=hiring_rules.conflict_reasons(known.nominee(r.candidate.person_id), [nominator]))
              for r in order]
    placed = {r.person.id for r in ranked}
    ineligible = [Row(p, facts[p.id], problems=hiring_rules.eligibility_problems(facts[p.id], policy))
                  for p in people if p.id not in placed]
    return Candidates(ranked, ineligible, order)


# ---- state moves ------------------------------------------------------------------------------------


def _changed_meanwhile() -> Conflict:
    return Conflict(_("This record was changed by someone else meanwhile. Reload the page and try again."))


def move_appointment(actor, appt: Appointment, action: str, *extra_where, **values) -> None:
    """Compare-and-set the appointment from its current state by `action`; audit it. Caller commits."""
    old = appt.state
    new = rules.next_appointment_state(old, action)
    result = db.session.execute(
        update(Appointment).where(Appointment.id == appt.id, Appointment.state == old, *extra_where)
        .values(state=new.value, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise _changed_meanwhile()
    db.session.expire(appt)
    auditlog.record(actor, f"appointment.{action}", "appointment", appt.id, {"state": old},
                    {"state": new.value, **values})


def _move_objection(actor, objection: Objection, action: str, **values) -> None:
    old = objection.state
    new = rules.next_objection_state(old, action)
    result = db.session.execute(
        update(Objection).where(Objection.id == objection.id, Objection.state == old)
        .values(state=new.value, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise _changed_meanwhile()
    db.session.expire(objection)
    auditlog.record(actor, f"objection.{action}", "objection", objection.id, {"state": old},
                    {"state": new.value, **values})


def _expect(appt: Appointment, action: str) -> None:
    """Refuse, in words, an action the appointment's state no longer allows (a second approval...)."""
    if action not in rules.appointment_actions(appt.state):
        raise Conflict(_("This nomination is no longer waiting for this decision (it is %(state)s).",
                         state=str(APPOINTMENT_STATE.get(appt.state, appt.state))), code="illegal_move")


def _atomic(fn):
    """Roll back the unit of work on a refusal, so locks taken early are released at once."""
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError:
            db.session.rollback()
            raise
    wrapped.__doc__, wrapped.__name__ = fn.__doc__, fn.__name__
    return wrapped


# ---- nomination -------------------------------------------------------------------------------------


def _ensure_clerk_of(user, village_id: int) -> None:
    if user.role != Role.VILLAGE_CLERK or user.village_id != village_id:
        raise NotAllowed(_("Only the clerk of the post's village nominates and records objections."))


def _ensure_township_of(user, village_id: int) -> None:
    township_id = db.session.scalar(select(Village.township_id).where(Village.id == village_id))
    if user.role != Role.TOWNSHIP_REVIEWER or user.township_id != township_id:
        raise NotAllowed(_("Only a township reviewer of the village's township decides this."))


def _touch(model, ident: int, *where) -> bool:
    """An UPDATE that changes nothing but takes the row's write lock (serialises writers on the row)."""
    same = getattr(model, "updated_at", None) or model.state  # set to itself: no onupdate, no change
    result = db.session.execute(update(model).where(model.id == ident, *where)
                                .values({same.key: same}).execution_options(synchronize_session=False))
    return result.rowcount == 1


@_atomic
def nominate(clerk, post: Post, person_id: int, start_date: date, end_date: date, choice_reason: str = "",
             justification: str = "", today: date | None = None) -> Appointment:
    """Nominate a registered person of the village onto an approved post and post it on the notice board."""
    today = today or county_today()
    _ensure_clerk_of(clerk, post.village_id)
    if not _touch(Post, post.id, Post.state == rules.PostState.APPROVED):
        raise RuleViolation(problem_text("post_not_approved"), code="post_not_approved")
    _refuse(plan_rules.fill_problems(post.state, post.headcount, holders_of(post.id)))
    person = get_scoped(Person, person_id, clerk) if isinstance(person_id, int) else None  # like a path id
    if person is None or person.village_id != post.village_id:
        raise HiringRefused({"person_id": _("This person is not registered in the post's village.")})
    _touch(Household, person.household_id)
    _refuse(plan_rules.appointment_term_problems(start_date, end_date, post.start_date, post.end_date),
            {"start": "start_date", "end": "end_date"})
    found = candidates(post, clerk, today)
    row = found.row(person_id)
    if row.problems:
        raise HiringRefused({"person_id": _("%(name)s cannot be nominated: %(why)s", name=person.name,
                                            why="；".join(problem_text(p) for p in row.problems))})
    choice_reason, justification = (choice_reason or "").strip(), (justification or "").strip()
    below_top = hiring_rules.needs_reason_for_choice(found.order, person_id)
    _refuse(hiring_rules.written_reason_problems(row.conflicts, justification, below_top, choice_reason))
    related = ties([person_id]).nominee(person_id).related_ids
    appt = Appointment(
        post_id=post.id, village_id=post.village_id, person_id=person.id, household_id=person.household_id,
        state=rules.AppointmentState.NOMINATED.value, rank=row.rank,
        rank_reasons=",".join(row.reasons), choice_reason=choice_reason if below_top else "",
        conflicts=",".join(row.conflicts), justification=justification,
        conflict_person_ids=",".join(str(i) for i in sorted(related)), nominated_by=clerk.id,
        start_date=start_date, end_date=end_date)
    db.session.add(appt)
    db.session.flush()
    auditlog.record(clerk, "appointment.nominate", "appointment", appt.id, None, {
        "post_id": post.id, "person_id": person.id, "rank": row.rank, "reasons": row.reasons,
        "below_top": below_top, "choice_reason": appt.choice_reason, "conflicts": row.conflicts,
        "justification": justification, "start_date": start_date, "end_date": end_date})
    county_id = post.village.township.county_id
    end = hiring_rules.notice_end(today, current_policy(county_id, today), work_calendar(county_id))
    move_appointment(clerk, appt, rules.AppointmentAction.PUBLISH, notice_start=today, notice_end=end)
    db.session.commit()
    return appt


# ---- objections, approval, rejection, activation -----------------------------------------------------


def open_objections(appt_id: int) -> int:
    return len(db.session.execute(select(Objection.id).where(
        Objection.appointment_id == appt_id, Objection.state == rules.ObjectionState.OPEN.value)).all())


@_atomic
def record_objection(clerk, appt: Appointment, received_on: date, objector: str, content: str,
                     today: date | None = None) -> Objection:
    """An objection (异议) received during the notice, recorded by the village clerk."""
    today = today or county_today()
    _ensure_clerk_of(clerk, appt.village_id)
    if appt.state != rules.AppointmentState.IN_NOTICE:
        raise RuleViolation(_("Objections are recorded only while the nomination is on public notice."))
    if not (appt.notice_start <= received_on <= appt.notice_end) or received_on > today:
        raise HiringRefused({"received_on": _("The objection must be received during the notice (%(a)s to "
                                              "%(b)s), and not in the future.", a=date_label(appt.notice_start),
                                              b=date_label(appt.notice_end))})
    if not (content or "").strip():
        raise HiringRefused({"content": _("Write what the objection says.")})
    # Touch the appointment in its state: an approval racing this objection cannot slip past it.
    if not _touch(Appointment, appt.id, Appointment.state == rules.AppointmentState.IN_NOTICE.value):
        raise _changed_meanwhile()
    obj = Objection(appointment_id=appt.id, village_id=appt.village_id, received_on=received_on,
                    objector=(objector or "").strip(), content=content.strip(),
                    state=rules.ObjectionState.OPEN.value, recorded_by=clerk.id)
    db.session.add(obj)
    db.session.flush()
    auditlog.record(clerk, "objection.record", "objection", obj.id, None, {
        "appointment_id": appt.id, "received_on": received_on, "objector": obj.objector, "content": obj.content})
    db.session.commit()
    return obj


@_atomic
def decide_objection(reviewer, objection: Objection, decision: str, note: str) -> None:
    """The township upholds (the nomination is rejected) or dismisses an objection, once."""
    from portal.registry.kin import ensure_can_approve

    _ensure_township_of(reviewer, objection.village_id)
    appt = objection.appointment
    ensure_can_approve(reviewer, None, {appt.household_id}, {appt.person_id})
    if not (note or "").strip():
        raise HiringRefused({"note": _("Write the reason for the decision.")})
    action = rules.ObjectionAction(decision)
    _move_objection(reviewer, objection, action, decided_by=reviewer.id, decided_at=utcnow(),
                    decision_note=note.strip())
    appt = objection.appointment
    if action == rules.ObjectionAction.UPHOLD and appt.state != rules.AppointmentState.REJECTED:
        move_appointment(reviewer, appt, rules.AppointmentAction.REJECT, decided_by=reviewer.id,
                         decided_at=utcnow(), reject_reason=_("Objection upheld: %(note)s", note=note.strip()))
    db.session.commit()


def current_marks(appt: Appointment, viewer=None) -> list[str]:
    """优亲厚友 marks of a nomination recomputed from today's register: the nominee's ties to cadres, to
    the nominating clerk and to the reviewer looking at it (or the one who decided it)."""
    return current_marks_of([appt], viewer)[appt.id]


def current_marks_of(appts, viewer=None) -> dict[int, list[str]]:
    """current_marks for many nominations at once (a queue page): one read of the users, one of the ties."""
    from portal.accounts.models import User

    appts = list(appts)
    viewer_judges = getattr(viewer, "role", None) == Role.TOWNSHIP_REVIEWER
    user_ids = {a.nominated_by for a in appts} | ({a.decided_by for a in appts} if not viewer_judges else set())
    user_ids.discard(None)
    person_of = dict(db.session.execute(select(User.id, User.person_id).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    viewer_pid = getattr(viewer, "person_id", None) if viewer_judges else None
    known = ties([a.person_id for a in appts] + list(person_of.values()) + [viewer_pid])
    marks = {}
    for a in appts:
        nominator_pid = person_of.get(a.nominated_by)
        approver_pid = viewer_pid if viewer_judges else person_of.get(a.decided_by)
        marks[a.id] = hiring_rules.conflict_reasons(known.nominee(a.person_id), [
            known.handler("nominator", nominator_pid), known.handler("approver", approver_pid)])
    return marks


def approval_problems(reviewer, appt: Appointment, today: date) -> list[str]:
    """Why the township may not approve now (empty: it may): notice running, open objections."""
    problems = hiring_rules.can_approve_after_notice(today, appt.notice_end, open_objections(appt.id)) \
        if appt.notice_end else []
    texts = [problem_text(p) for p in problems]
    if getattr(reviewer, "role", None) == Role.TOWNSHIP_REVIEWER and appt.person_id in kin_of(reviewer.person_id):
        texts.append(_("You are related to the nominee; another reviewer must approve it."))
    return texts


@_atomic
def approve(reviewer, appt: Appointment, today: date | None = None) -> None:
    """The township approves after the notice with no open objection; never the nominator or kin."""
    from portal.registry.kin import ensure_can_approve

    today = today or county_today()
    _ensure_township_of(reviewer, appt.village_id)
    _expect(appt, rules.AppointmentAction.APPROVE)
    ensure_can_approve(reviewer, appt.nominated_by, {appt.household_id})
    # Judged now, from the register as it is today: a relation declared during the notice counts.
    related = ties([appt.person_id]).nominee(appt.person_id).related_ids
    if not hiring_rules.may_approve_conflicted(reviewer.person_id, related) \
            or appt.person_id in kin_of(reviewer.person_id):
        raise NotAllowed(_("You are related to the nominee; another reviewer must approve it."), code="conflicted")
    marks = ",".join(current_marks(appt, reviewer))
    problems = approval_problems(reviewer, appt, today)
    if problems:
        raise RuleViolation("；".join(problems), code="not_yet_approvable")
    still_open = exists().where(Objection.appointment_id == appt.id,
                                Objection.state == rules.ObjectionState.OPEN.value)
    move_appointment(reviewer, appt, rules.AppointmentAction.APPROVE, ~still_open,
                     decided_by=reviewer.id, decided_at=utcnow(), conflicts=marks,
                     conflict_person_ids=",".join(str(i) for i in sorted(related)))
    db.session.commit()


@_atomic
def reject(reviewer, appt: Appointment, reason: str) -> None:
    """The township refuses a nomination, with a written reason."""
    _ensure_township_of(reviewer, appt.village_id)
    if not (reason or "").strip():
        raise HiringRefused({"reason": _("Write the reason for the rejection.")})
    _expect(appt, rules.AppointmentAction.REJECT)
    move_appointment(reviewer, appt, rules.AppointmentAction.REJECT, decided_by=reviewer.id,
                     decided_at=utcnow(), reject_reason=reason.strip())
    db.session.commit()


def activate_due(today: date | None = None) -> int:
    """Approved appointments whose start date has come go on duty (called daily and when pages show)."""
    today = today or county_today()
    due = db.session.execute(select(Appointment).where(
        Appointment.state == rules.AppointmentState.APPROVED.value, Appointment.start_date <= today)).scalars().all()
    moved = 0
    for appt in due:
        try:
            move_appointment("system", appt, rules.AppointmentAction.ACTIVATE)
            moved += 1
        except Conflict:  # another worker activated it first
            continue
    if moved:
        db.session.commit()
    return moved
