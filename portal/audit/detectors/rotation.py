"""轮流坐庄 rotation: a post held by `rotation_people` (default 3) or more different people within
`rotation_months` (default 12) months, or passed back and forth between households (A → B → A).

- Many people: the appointments of one post (in an on-duty state: approved, active, exiting, exited) whose
  start days fall within `rotation_months` months of each other (two starts exactly that many months apart
  are not within) hold `rotation_people` or more different people. A post for several holders needs as many
  more people as it has further places (rules.rotation_threshold: three people filling a three-holder post
  at once are not a rotation). The settings are those in force on the last day of the month of the latest
  start in the group.
- Back and forth: by start order, a tenure of household A, then after it ended one of household B, then after
  that ended one of A again (rules.back_and_forth).
A pattern is found by the run whose period holds its latest start. Subject: the post; period: the calendar year
of that latest start. Amount at stake: none (the money was paid for work done; the finding is about who got it).

Set-based: one query for the appointments of the posts that could show a pattern (a GROUP BY over the county's
appointments: more appointments than places, or three or more with one ending before another starts).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from portal.attendance.rules import active_window
from portal.attendance.service import ON_DUTY
from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, day_text, village_names
from portal.audit.detectors.people_common import listing, sentences
from portal.audit.detectors.people_rules import back_and_forth, rotation_groups, rotation_threshold
from portal.audit.rules import Month, Severity, SubjectType
from portal.extensions import db
from portal.posts.models import Appointment, Post
from portal.registry.models import Household, Person

A = Appointment
MAX_NAMED = 8


def _appointments(scope: Scope) -> list:
    villages = county_villages(scope.county_id)
    count = func.count(A.id)
    sequential = func.min(func.coalesce(A.exited_on, A.end_date)) <= func.max(A.start_date)
    candidates = (select(A.post_id).join(Post, Post.id == A.post_id)
                  .where(A.village_id.in_(villages), A.state.in_(ON_DUTY), A.start_date <= scope.end)
                  .group_by(A.post_id, Post.headcount)
                  .having(or_(count > Post.headcount, and_(count >= 3, sequential))))
    return db.session.execute(
        select(A.id, A.post_id, A.person_id, A.household_id, A.village_id, A.state, A.start_date, A.end_date,
               A.exited_on, Person.name, Household.number, Post.title, Post.headcount)
        .join(Person, Person.id == A.person_id).join(Household, Household.id == A.household_id)
        .join(Post, Post.id == A.post_id)
        .where(A.post_id.in_(candidates), A.state.in_(ON_DUTY), A.start_date <= scope.end)
        .order_by(A.post_id, A.start_date, A.id)).all()


def _holder(r) -> dict:
    return {"appointment_id": r.id, "person_id": r.person_id, "household_id": r.household_id, "name": r.name,
            "household": r.number, "from": r.start_date.isoformat()}


def _patterns(rows, scope: Scope) -> dict[int, dict]:
    """One post's patterns whose latest start lies in the run's period, by the year of that start."""
    tenures = []
    for r in rows:
        window = active_window(r.state, r.start_date, r.end_date, r.exited_on)
        if window is not None:
            tenures.append((r, window))
    if len(tenures) < 2:
        return {}
    in_run = lambda day: scope.start <= day <= scope.end  # noqa: E731
    starts = [(w.start, r.person_id) for r, w in tenures]
    by_year: dict[int, dict] = {}
    settings = {}
    for k, (day, _person) in enumerate(starts):
        if in_run(day):
            policy = scope.policy_on(Month.of(day).last)
            settings[k] = (rotation_threshold(policy.rotation_people, rows[0].headcount), policy.rotation_months)
    for people, months in sorted(set(settings.values())):
        for group in rotation_groups(starts, people, months):
            k = group[-1]
            if settings.get(k) != (people, months):
                continue
            found = by_year.setdefault(starts[k][0].year, {})
            distinct = len({starts[i][1] for i in group})
            if distinct >= found.get("count", 0):
                found.update(count=distinct, months=months, people=[_holder(tenures[i][0]) for i in group][-MAX_NAMED:])
    for i, j, k in back_and_forth([(r.household_id, w.start, w.end) for r, w in tenures]):
        if in_run(tenures[k][1].start):
            found = by_year.setdefault(tenures[k][1].start.year, {})
            found["back_and_forth"] = [_holder(tenures[n][0]) for n in (i, j, k)]
    return by_year


def find(scope: Scope):
    rows = _appointments(scope)
    if not rows:
        return
    names = village_names(scope.county_id)
    by_post: dict[int, list] = {}
    for r in rows:
        by_post.setdefault(r.post_id, []).append(r)
    for post_id, held in by_post.items():
        for year, pattern in sorted(_patterns(held, scope).items()):
            head = held[0]
            facts = {"post_id": post_id, "village_id": head.village_id, "post": head.title,
                     "village": names.get(head.village_id, ""), "headcount": head.headcount, "year": year, **pattern}
            yield Hit(SubjectType.POST, post_id, date(year, 1, 1), date(year, 12, 31), head.village_id, facts=facts)


def _people_text(people: list[dict]) -> str:
    return listing(_("%(name)s (household %(household)s, from %(start)s)", name=p.get("name", ""),
                     household=p.get("household", ""), start=day_text(p["from"])) for p in people)


def describe(facts: dict) -> str:
    parts = []
    if facts.get("people"):
        parts.append(_("Post %(post)s of %(village)s had %(count)d different holders starting within %(months)d "
                       "months: %(people)s.", post=facts.get("post", ""), village=facts.get("village", ""),
                       count=facts.get("count", 0), months=facts.get("months", 0),
                       people=_people_text(facts["people"])))
    if facts.get("back_and_forth"):
        trio = facts["back_and_forth"]
        parts.append(_("Post %(post)s of %(village)s passed from household %(a)s to household %(b)s and back: "
                       "%(people)s.", post=facts.get("post", ""), village=facts.get("village", ""),
                       a=trio[0].get("household", ""), b=trio[1].get("household", ""), people=_people_text(trio)))
    return sentences(parts)


DETECTOR = register(Detector("rotation", _l("Post held in rotation"), Severity.MEDIUM, find, describe,
                             settings=("rotation_people", "rotation_months"), subject=SubjectType.POST))
