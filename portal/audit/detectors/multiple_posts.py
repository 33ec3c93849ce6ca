"""一人多岗 / 一户多岗: one person on overlapping posts; a household above the county's posts-per-household limit.

- One person: two appointments in an on-duty state (approved, active, exiting, exited) whose active windows
  (start to end of term or the day before the exit) share a day within the run's period. Subject: the person;
  period: the calendar year. Amount at stake: the pay of the later post (by start) in the months the windows
  overlap, from the paid payroll lines (submitted, approved, paid) of that year.
- One household: more appointments on duty on one day of the year than the county's posts-per-household
  limit (posts.settings, default 1; the limit in force on the last day of the month the day lies in), the
  appointments held by two or more of its people (one person's own overlapping posts are the finding above).
  Checked on the run's first day, each day a post starts and the first day of each month. Subject: the
  household (as the appointment recorded it); period: the calendar year. Amount at stake: the pay of the posts
  above the limit (the latest to start) in the months the household was over it.

Set-based: one query for the period's appointments of people or households with more than one (two GROUP BY
subqueries), one for the pay of the posts found.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from portal.attendance.rules import active_window
from portal.attendance.service import ON_DUTY
from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, day_text, money_text, village_names, years_of
from portal.audit.detectors.people_common import listing, pay_by_month
from portal.audit.detectors.people_rules import check_days, crowded_days, overlapping_pairs, windows_overlap
from portal.audit.rules import Month, Severity, SubjectType, months_between
from portal.core.masking import mask_id
from portal.extensions import db
from portal.posts.models import Appointment, Post
from portal.registry.models import Household, Person

MAX_NAMED = 6
A = Appointment


def _appointments(scope: Scope) -> list:
    meets = and_(A.village_id.in_(county_villages(scope.county_id)), A.state.in_(ON_DUTY),
                 A.start_date <= scope.end, A.end_date >= scope.start)
    many_posts = select(A.person_id).where(meets).group_by(A.person_id).having(func.count(A.id) > 1)
    many_in_household = select(A.household_id).where(meets).group_by(A.household_id).having(func.count(A.id) > 1)
    return db.session.execute(
        select(A.id, A.person_id, A.household_id, A.village_id, A.post_id, A.state, A.start_date, A.end_date,
               A.exited_on, Person.name, Person.id_number, Post.title, Household.number)
        .join(Person, Person.id == A.person_id).join(Post, Post.id == A.post_id)
        .join(Household, Household.id == A.household_id)
        .where(meets, or_(A.person_id.in_(many_posts), A.household_id.in_(many_in_household)))
        .order_by(A.start_date, A.id)).all()


def _windows(rows, first: date, last: date) -> list[tuple]:
    """(row, (first, last day)) of each appointment's active window clipped to first..last (None dropped)."""
    out = []
    for r in rows:
        window = active_window(r.state, r.start_date, r.end_date, r.exited_on)
        inside = window.clip(first, last) if window is not None else None
        if inside is not None:
            out.append((r, (inside.start, inside.end)))
    return out


def _post(r, window) -> dict:
    return {"appointment_id": r.id, "post_id": r.post_id, "person_id": r.person_id, "name": r.name,
            "post": r.title, "from": window[0].isoformat(), "to": window[1].isoformat()}


def _person_hits(rows, year_first: date, year_last: date, run_first: date, run_last: date, names):
    """One person's overlapping posts in one calendar year: (hit facts, {appointment: months}) or None."""
    held = _windows(rows, year_first, year_last)
    pairs = [(i, j, shared) for i, j, shared in overlapping_pairs([w for _, w in held])
             if windows_overlap(shared, (run_first, run_last))]
    if not pairs:
        return None
    later: dict[int, set[Month]] = {}
    for _i, j, shared in pairs:
        later.setdefault(held[j][0].id, set()).update(months_between(Month.of(shared[0]), Month.of(shared[1])))
    first = held[0][0]
    involved = sorted({i for i, _, _ in pairs} | {j for _, j, _ in pairs})
    facts = {"person_id": first.person_id, "village_id": first.village_id, "name": first.name,
             "id": mask_id(first.id_number), "village": names.get(first.village_id, ""), "year": year_first.year,
             "count": len(involved), "posts": [_post(held[k][0], held[k][1]) for k in involved][:MAX_NAMED],
             "overlap": [min(s for _, _, (s, _e) in pairs).isoformat(), max(e for _, _, (_s, e) in pairs).isoformat()]}
    return facts, later


def _household_hits(rows, year_first: date, year_last: date, run_first: date, run_last: date, scope: Scope,
                    names):
    """One household above its limit in a calendar year, on some day of the run's period: (hit facts,
    {appointment: months}) or None."""
    first, last = year_first, min(year_last, scope.today)
    held = _windows(rows, first, last)
    windows = [w for _, w in held]
    limit_on = lambda day: scope.posts_policy_on(Month.of(day).last).posts_per_household  # noqa: E731
    crowded = [(day, open_now) for day, open_now in crowded_days(windows, check_days(windows, first, last), limit_on)
               if len({held[k][0].person_id for k in open_now}) > 1]
    if not any(run_first <= day <= run_last for day, _ in crowded):
        return None
    extra: dict[int, set[Month]] = {}
    for day, open_now in crowded:
        for k in open_now[limit_on(day):]:  # open_now is in start order: the latest to start are above it
            extra.setdefault(held[k][0].id, set()).add(Month.of(day))
    day, open_now = max(crowded, key=lambda c: (len(c[1]), -c[0].toordinal()))
    head = held[0][0]
    facts = {"household_id": head.household_id, "village_id": head.village_id, "household": head.number,
             "village": names.get(head.village_id, ""), "year": first.year, "day": day.isoformat(),
             "count": len(open_now), "limit": limit_on(day),
             "posts": [_post(held[k][0], held[k][1]) for k in open_now][:MAX_NAMED]}
    return facts, extra


def find(scope: Scope):
    rows = _appointments(scope)
    if not rows:
        return
    names = village_names(scope.county_id)
    by_person: dict[int, list] = {}
    by_household: dict[int, list] = {}
    for r in rows:
        by_person.setdefault(r.person_id, []).append(r)
        by_household.setdefault(r.household_id, []).append(r)
    found: list[tuple[str, int, date, date, dict, dict[int, set[Month]]]] = []
    for year_first, year_last in years_of(scope):
        run_first, run_last = max(year_first, scope.start), min(year_last, scope.end)
        if run_first > run_last:
            continue
        for person_id, held in by_person.items():
            if len(held) > 1 and (hit := _person_hits(held, year_first, year_last, run_first, run_last, names)):
                found.append((SubjectType.PERSON, person_id, year_first, year_last, *hit))
        for household_id, held in by_household.items():
            hit = len(held) > 1 and _household_hits(held, year_first, year_last, run_first, run_last, scope, names)
            if hit:
                found.append((SubjectType.HOUSEHOLD, household_id, year_first, year_last, *hit))
    if not found:
        return
    pay = pay_by_month({a for *_, months in found for a in months}, {f[2].year for f in found})
    for subject_type, subject_id, year_first, year_last, facts, months in found:
        at_stake = sum((pay.get((a, m.year, m.month), Decimal(0)) for a, ms in months.items() for m in ms),
                       Decimal("0.00"))
        facts["at_stake"] = f"{at_stake:.2f}"
        yield Hit(subject_type, subject_id, year_first, year_last, facts["village_id"], facts=facts, amount=at_stake)


def _posts_text(facts: dict) -> str:
    return listing((_("%(name)s on %(post)s from %(start)s to %(end)s", name=p.get("name", ""),
                      post=p.get("post", ""), start=day_text(p["from"]), end=day_text(p["to"]))
                    for p in facts.get("posts", [])), major=True)


def describe(facts: dict) -> str:
    if "household_id" in facts:
        return _("Household %(household)s of %(village)s held %(count)d posts at once on %(day)s, above the limit "
                 "of %(limit)d a household: %(posts)s. Pay of the posts above the limit in %(year)d: %(amount)s.",
                 household=facts.get("household", ""), village=facts.get("village", ""),
                 count=facts.get("count", 0), day=day_text(facts.get("day", "2000-01-01")),
                 limit=facts.get("limit", 1), posts=_posts_text(facts), year=facts.get("year", 0),
                 amount=money_text(facts.get("at_stake", "0")))
    overlap = facts.get("overlap") or ["2000-01-01", "2000-01-01"]
    return _("%(name)s (%(id)s, %(village)s) held %(count)d posts at once in %(year)d, overlapping from %(start)s to "
             "%(end)s: %(posts)s. Pay of the later post in the overlapping months: %(amount)s.",
             name=facts.get("name", ""), id=facts.get("id", ""), village=facts.get("village", ""),
             count=facts.get("count", 0), year=facts.get("year", 0), start=day_text(overlap[0]),
             end=day_text(overlap[1]), posts=_posts_text(facts), amount=money_text(facts.get("at_stake", "0")))


DETECTOR = register(Detector("multiple_posts", _l("Several posts for one person or household"), Severity.MEDIUM,
                             find, describe, settings=("posts_per_household",), subject=SubjectType.PERSON))
