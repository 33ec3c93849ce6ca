"""吃空饷 pay without duty: a payroll line that pays more than Rule 3 gives.

A payroll line is a copy made when the payroll was computed: it can be tampered with afterwards, or computed
from data that changed since. This detector re-checks each line against its own figures and against the
appointment and the register as they stand:
- over the rule: the line pays more than payroll.rules.pay_for_month gives for the subsidy, duty days,
  required days, window days and month days it records (at stake: the difference);
- outside the window: it pays more than the rule gives inside the appointment's real active window
  (attendance.rules.active_window: start to end of term or the day before the exit), its duty days capped at
  the window's days in the month (weekend marks inside the window are allowed; more duty days than the
  window has days are not); a month no day of which is inside the window pays nothing (at stake: the
  difference);
- after an exit or a death: it pays anything in a month that began on or after the appointment's exit
  (exited_on ≤ the month's first day), or after the person was recorded deceased (the audit log dates the
  register's `deceased` flag; a death recorded during the month is not counted, the month may have been
  worked) — at stake: all of it.
Which lines count: the duty lines of payrolls that were submitted, approved or paid. A draft or returned
payroll has paid nothing yet and is recomputed before it goes out, so its lines are not checked.
Subject: the payroll line; period: its month. Amount at stake: as above.

Set-based: every paid line of the period must be checked, so one scan of them keeps only the candidates —
above the rule by the arithmetic of its own figures (in floating point, a hair under the half fen the rounding
may add), of an appointment off duty all period, of a month the appointment's window misses a working day of
((appointment, month) pairs from one pass over the appointments against the run's months), or of a person now
marked deceased — with the appointment's dates; then the county's deceased people, their audit rows (only
when one of them has a candidate line), and the money columns of the lines that need the exact check
(Decimal, half-up: the pure rules.ghost_verdict). No per-holder query.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Float, Integer, and_, case, cast, literal, or_, select, true, tuple_, union_all

from portal.attendance.rules import active_window
from portal.attendance.service import ON_DUTY, county_calendar
from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, day_text, money_text, month_text, village_names
from portal.audit.detectors.people_common import chunks, county_date, paid_lines, person_history, sentences
from portal.audit.detectors.people_rules import GhostReason, LinePay, ghost_verdict, value_at
from portal.audit.rules import Month, Severity, SubjectType, months_between
from portal.core.calendar import WorkCalendar
from portal.core.masking import mask_id
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.posts.models import Appointment
from portal.registry.models import Person

# A line pays more than the rule exactly when its amount exceeds the unrounded pay by more than half a fen (the
# rule rounds half-up); the database tests "by more than SLACK", a hair less, in floating point (its error here
# is below 1e-9), so that no case is lost. Candidates are checked exactly (Decimal) after.
SLACK = Decimal("0.0049")
L, A = PayrollLine, Appointment


def _short_months(scope: Scope, calendar: WorkCalendar):
    """SELECT of (appointment id, month index) for each month of the run in which the appointment's active
    window misses a working day of the month (or it is not on duty at all). Only the lines of those months
    can pay for days outside the window: a window that holds every working day caps nothing the rule does
    not cap already. One pass over the county's appointments against a small table of the run's months
    (index, first and last working day)."""
    rows = []
    for month in months_between(scope.first, scope.last):
        days = calendar.month_working_days(month.year, month.month)
        first, last = (days[0], days[-1]) if days else (month.first, month.last)
        rows.append(select(literal(month.index(), Integer).label("idx"), literal(first, Date).label("first_day"),
                           literal(last, Date).label("last_day")))
    months = (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("run_months")
    return (select(A.id, months.c.idx).join(months, true())
            .where(A.village_id.in_(county_villages(scope.county_id)), A.id.not_in(_off_duty(scope)),
                   or_(A.start_date > months.c.first_day, A.end_date < months.c.last_day,
                       A.exited_on <= months.c.last_day)))


def _off_duty(scope: Scope):
    """SELECT of the county's appointments not on duty on any day of the run (not in an on-duty state, or
    their window lies wholly before or after it): any pay in the run's months is outside their window."""
    return select(A.id).where(A.village_id.in_(county_villages(scope.county_id)), or_(
        A.state.not_in(ON_DUTY), A.start_date > scope.last.last, A.end_date < scope.start,
        A.exited_on <= scope.start))


def _candidates(scope: Scope, calendar: WorkCalendar):
    """The period's paid lines that may not add up: above the pay rule by its own figures (the arithmetic
    with a tolerance just under half a fen), in a month the appointment's window does not cover, or of a
    person now marked deceased; with the appointment's window. Each row says whether it is above the rule. Only
    whole numbers and dates here (duty days doubled): the money columns are read for the lines that need them."""
    pays_without_figures = and_(L.amount > 0, or_(L.required_days <= 0, L.month_days <= 0, L.duty_days <= 0,
                                                   L.window_days <= 0))
    # pay = min(S×D/R, S×W/M, S): above S is a plain comparison (whole fen both); the duty and window shares
    # can only be lower than S, and need arithmetic, when D < R or W < M — in floating point on both databases
    # (PostgreSQL's numeric arithmetic over every line of a county year costs a fifth of a second).
    amount = cast(L.amount, Float) - float(SLACK)
    subsidy = cast(L.subsidy, Float)
    above_rule = or_(L.amount > L.subsidy, pays_without_figures,
                     and_(L.duty_days < L.required_days,
                          amount * L.required_days > subsidy * cast(L.duty_days, Float)),
                     and_(L.window_days < L.month_days, amount * L.month_days > subsidy * L.window_days))
    month_index = Payroll.year * 12 + Payroll.month - 1
    deceased = select(Person.id).where(Person.village_id.in_(county_villages(scope.county_id)),
                                       Person.deceased.is_(True))
    return (paid_lines(scope, L.id, L.person_id, L.window_days, cast(L.duty_days * 2, Integer),
                       Payroll.year, Payroll.month, case((above_rule, 1), else_=0), A.state, A.start_date,
                       A.end_date, A.exited_on)
            .join(A, A.id == L.appointment_id)
            .where(or_(above_rule, L.appointment_id.in_(_off_duty(scope)),
                       tuple_(L.appointment_id, month_index).in_(_short_months(scope, calendar)),
                       and_(L.amount > 0, L.person_id.in_(deceased)))))


def find(scope: Scope):
    calendar = county_calendar(scope.county_id)
    rows = db.session.connection().execute(_candidates(scope, calendar)).all()  # Core rows: no ORM loading
    if not rows:
        return
    people = {row[0]: row[1] for row in db.session.execute(
        select(Person.id, Person.created_at).where(Person.village_id.in_(county_villages(scope.county_id)),
                                                   Person.deceased.is_(True)))}
    paid_to = {row[1] for row in rows}
    people = {p: created for p, created in people.items() if p in paid_to}
    history = person_history(people, "deceased") if people else {}  # read only for the dead among the lines
    months: dict[tuple[int, int], tuple[Month, date, date, list[date]]] = {}
    suspect = {}
    for line_id, person_id, window_days, duty2, year, month_no, above, state, start, end, exited_on in rows:
        facts = months.get((year, month_no))
        if facts is None:
            month = Month(year, month_no)
            facts = months[(year, month_no)] = (month, month.first, month.last,
                                                calendar.month_working_days(year, month_no))
        month, first, last, days = facts
        window = active_window(state, start, end, exited_on)
        inside = window.clip(first, last) if window is not None else None
        window_working = window_calendar = None
        if inside is not None:
            window_working = bisect_right(days, inside.end) - bisect_left(days, inside.start)
            window_calendar = (inside.end - inside.start).days + 1
        exited = exited_on is not None and exited_on <= first
        dead = person_id in people and value_at("deceased", history.get(person_id, []), first - timedelta(days=1),
                                                True, county_date(people[person_id])) is True
        if above or exited or dead or inside is None or window_days > window_working or duty2 > 2 * window_calendar:
            suspect[line_id] = (month, inside, window_working, window_calendar, exited, dead, exited_on)
        # else: within the rule by its own figures, and its window takes nothing off
    if not suspect:
        return
    names = village_names(scope.county_id)
    found = []
    for ids in chunks(suspect):
        for r in db.session.execute(
                select(L.id, L.payroll_id, L.village_id, L.appointment_id, L.person_id, L.post_id, L.person_name,
                       L.id_number, L.post_title, L.subsidy, L.duty_days, L.required_days, L.window_days,
                       L.month_days, L.amount).where(L.id.in_(ids))):
            month, inside, window_working, window_calendar, exited, dead, exited_on = suspect[r.id]
            verdict = ghost_verdict(LinePay(r.amount, r.subsidy, r.duty_days, r.required_days, r.window_days,
                                            r.month_days), window_working, window_calendar, exited, dead)
            if verdict.reasons:
                found.append((r, month, inside, window_working, verdict, exited_on))
    for r, month, inside, window_working, verdict, exited_on in sorted(found, key=lambda f: f[0].id):
        facts = {
            "payroll_id": r.payroll_id, "payroll_line_id": r.id, "person_id": r.person_id,
            "appointment_id": r.appointment_id, "post_id": r.post_id, "village_id": r.village_id,
            "name": r.person_name, "id": mask_id(r.id_number), "post": r.post_title,
            "village": names.get(r.village_id, ""), "month": str(month), "amount": f"{Decimal(r.amount):.2f}",
            "rule_pay": f"{verdict.rule_pay:.2f}", "window_pay": f"{verdict.window_pay:.2f}",
            "at_stake": f"{verdict.at_stake:.2f}", "duty_days": f"{Decimal(r.duty_days):.1f}",
            "required_days": r.required_days,
            "window": [inside.start.isoformat(), inside.end.isoformat()] if inside else None,
            "window_working_days": window_working or 0,
            "exited_on": exited_on.isoformat() if exited_on else None,
            "reasons": [str(reason) for reason in verdict.reasons],
        }
        yield Hit(SubjectType.PAYROLL_LINE, r.id, month.first, month.last, r.village_id, facts=facts,
                  amount=verdict.at_stake)


def describe(facts: dict) -> str:
    parts = [_("%(village)s's payroll of %(month)s paid %(name)s (%(id)s, %(post)s) %(amount)s.",
               village=facts.get("village", ""), month=month_text(facts.get("month", "2000-01")),
               name=facts.get("name", ""), id=facts.get("id", ""), post=facts.get("post", ""),
               amount=money_text(facts.get("amount", "0")))]
    reasons = facts.get("reasons", [])
    if GhostReason.OVER_RULE in reasons:
        parts.append(_("For the %(duty)s duty days the line records (of %(required)d required) the pay rule "
                       "gives %(pay)s.", duty=facts.get("duty_days", "0"), required=facts.get("required_days", 0),
                       pay=money_text(facts.get("rule_pay", "0"))))
    if GhostReason.OUTSIDE_WINDOW in reasons:
        window = facts.get("window")
        if window:
            parts.append(_("The appointment was on duty only from %(start)s to %(end)s that month (%(days)d "
                           "working days), for which the pay rule gives %(pay)s.", start=day_text(window[0]),
                           end=day_text(window[1]), days=facts.get("window_working_days", 0),
                           pay=money_text(facts.get("window_pay", "0"))))
        else:
            parts.append(_("The appointment was not on duty on any day of that month."))
    if GhostReason.EXITED in reasons and facts.get("exited_on"):
        parts.append(_("The holder had left the post on %(day)s, before the month began.",
                       day=day_text(facts["exited_on"])))
    if GhostReason.DECEASED in reasons:
        parts.append(_("The person was recorded as deceased before the month began."))
    parts.append(_("Paid without duty: %(amount)s.", amount=money_text(facts.get("at_stake", "0"))))
    return sentences(parts)


DETECTOR = register(Detector("ghost_pay", _l("Pay without duty"), Severity.HIGH, find, describe,
                             subject=SubjectType.PAYROLL_LINE))
