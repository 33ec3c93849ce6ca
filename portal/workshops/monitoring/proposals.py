"""The two writes the monitoring and the exit workflow share: moving a workshop's state, and creating an
exit proposal. Neither commits: they are steps inside a use case's transaction."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal.core import auditlog
from portal.core.cas import compare_and_set
from portal.core.errors import Conflict
from portal.extensions import db
from portal.workshops import rules
from portal.workshops.labels import state_label
from portal.workshops.models import Workshop, WorkshopExit
from portal.workshops.queries import first_day
from portal.workshops.rules import ExitState, WorkshopAction, WorkshopState

WORKSHOP_FIELDS = ("state", "watch_condition", "watch_since", "exited_on")
EXIT_FIELDS = ("state", "condition", "started_in", "met_in", "reason", "evidence", "proposed_on", "notice_start",
               "notice_end", "effective_on", "decided_by", "decision_note")


def move_workshop(actor, workshop: Workshop, action: WorkshopAction, **values) -> None:
    """One move of the workshop's state (compare-and-set), audited; the caller commits."""
    before = auditlog.snapshot(workshop, WORKSHOP_FIELDS)
    compare_and_set(Workshop, workshop, rules.next_workshop_state(workshop.state, action), **values)
    auditlog.record(actor, f"workshop.{action}", "workshop", workshop.id, before,
                    auditlog.snapshot(workshop, WORKSHOP_FIELDS))


def create_exit(actor, workshop: Workshop, condition: str, reason: str, evidence: str, today: date,
                run: rules.Run | None = None) -> WorkshopExit:
    """Propose the workshop's exit (actor None: the portal) and move the workshop to `exiting`; a workshop
    with an exit under way, or exited, is refused. A monitored run is named on the proposal, once per run."""
    if workshop.state not in (WorkshopState.NORMAL, WorkshopState.WATCH):
        raise Conflict(_("This workshop is %(state)s: no new exit can be proposed.",
                         state=state_label(workshop.state)), code="exit_open")
    move_workshop(actor or "system", workshop, WorkshopAction.PROPOSE_EXIT)
    proposal = WorkshopExit(
        workshop_id=workshop.id, village_id=workshop.village_id, condition=str(condition),
        started_in=first_day(run.started) if run else None, met_in=first_day(run.met_in) if run else None,
        reason=reason, evidence=evidence, proposed_by=getattr(actor, "id", None), proposed_on=today,
        state=ExitState.PROPOSED.value)
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("An exit was already proposed for this condition of the workshop."),
                       code="exit_exists") from None
    auditlog.record(actor or "system", "workshop_exit.propose", "workshop_exit", proposal.id, None,
                    {"workshop_id": workshop.id, **auditlog.snapshot(proposal, EXIT_FIELDS)})
    return proposal
