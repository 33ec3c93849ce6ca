"""超编超标 posts over the village quota, or subsidies over the category standard in force at the time.

Two kinds of finding, both about a state of affairs, so both take the calendar year as their period
(common.years_of) and look at every month of it that has begun, whatever part of the year the run covers:
- 超编 quota (subject: the village): on a month's last day (today for the current month) the village had more
  places than its quota in force that day (posts.settings.quota_on) — counting the headcount of its approved
  posts whose term covers the day (a closed post has no places), and the holders on duty that day (an
  appointment's active window: an exited holder no longer counts, one who joined mid-month does), whichever
  is larger (rules.quota_excess).
  A village without a quota is not checked. Amount at stake: none (the places above the quota cannot be told
  apart from the others).
- 超标 standard (subject: the post): the post's monthly subsidy is above its category's standard in force on
  a month's last day (posts.settings.standard_on) in a month of its term. A category without a standard is
  not checked. Amount at stake: what the post's paid lines (submitted, approved or paid payrolls) of those
  months paid above the standard (rules.excess_pay: amount × (subsidy − standard) / subsidy, so a full month
  is subsidy − standard); a month not yet paid adds nothing.

Set-based: the county's quotas, standards, approved posts and on-duty appointments are read once (a few
thousand rows); the paid lines are read only for the posts over their standard, by appointment.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from portal.attendance.rules import active_window
from portal.attendance.service import ON_DUTY
from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, money_text, month_text, village_names, years_of
from portal.audit.detectors.money_rules import excess_pay, quota_excess
from portal.audit.detectors.people_common import PAID_STATES
from portal.audit.rules import Month, Severity, SubjectType, months_between
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.posts.models import Appointment, Post, SubsidyStandard, VillageQuota

LIVE_POSTS = ("approved", "closed")  # posts paid under a standard (a closed one had its term and its pay)


class Dated:
    """A dated setting's values: the one in force on a day (latest effective_from not after it)."""

    def __init__(self, rows):
        rows = sorted(rows)
        self.days = [d for d, _v in rows]
        self.values = [v for _d, v in rows]

    def on(self, day: date):
        i = bisect_right(self.days, day)
        return self.values[i - 1] if i else None


class OnDuty:
    """Holders' active windows, counted on a day by two bisections."""

    def __init__(self, windows):
        self.starts = sorted(w.start for w in windows)
        self.ends = sorted(w.end for w in windows)

    def on(self, day: date) -> int:
        return bisect_right(self.starts, day) - bisect_left(self.ends, day)


def _checked_days(year_start: date, year_end: date, today: date) -> list[tuple[Month, date]]:
    """Each begun month of the year with the day it is judged on: its last day, or today."""
    last = min(Month.of(year_end), Month.of(today))
    return [(m, min(m.last, today)) for m in months_between(Month.of(year_start), last)]


def _quota_hits(scope: Scope, names: dict[int, str]):
    villages = county_villages(scope.county_id)
    quotas: dict[int, list] = {}
    for village_id, day, headcount in db.session.execute(
            select(VillageQuota.village_id, VillageQuota.effective_from, VillageQuota.headcount)
            .where(VillageQuota.village_id.in_(villages))):
        quotas.setdefault(village_id, []).append((day, headcount))
    if not quotas:
        return
    dated = {v: Dated(rows) for v, rows in quotas.items()}
    years = years_of(scope)
    lo, hi = years[0][0], years[-1][1]
    posts: dict[int, list[tuple[date, date, int]]] = {}
    for village_id, start, end, headcount in db.session.execute(
            select(Post.village_id, Post.start_date, Post.end_date, Post.headcount)
            .where(Post.village_id.in_(list(dated)), Post.state == "approved", Post.start_date <= hi,
                   Post.end_date >= lo)):
        posts.setdefault(village_id, []).append((start, end, headcount))
    windows: dict[int, list] = {}
    on_duty_state = case((Appointment.state == "exited", "exited"), else_="active")  # only exits end a window early
    grouped = (Appointment.village_id, on_duty_state, Appointment.start_date, Appointment.end_date,
               Appointment.exited_on)
    for village_id, state, start, end, exited_on, n in db.session.execute(  # holders sharing a term: one row
            select(*grouped, func.count()).where(
                Appointment.village_id.in_(list(dated)), Appointment.state.in_(ON_DUTY),
                Appointment.start_date <= hi, Appointment.end_date >= lo).group_by(*grouped)):
        window = active_window(state, start, end, exited_on)
        if window is not None:
            windows.setdefault(village_id, []).extend([window] * n)
    holders = {v: OnDuty(ws) for v, ws in windows.items()}
    nobody = OnDuty([])
    for year_start, year_end in years:
        days = _checked_days(year_start, year_end, scope.today)
        for village_id in sorted(dated):
            over = []
            for month, day in days:
                quota = dated[village_id].on(day)
                places = sum(h for s, e, h in posts.get(village_id, []) if s <= day <= e)
                on_duty = holders.get(village_id, nobody).on(day)
                excess = quota_excess(quota, places, on_duty)
                if excess:
                    over.append((month, quota, places, on_duty, excess))
            if not over:
                continue
            worst = max(over, key=lambda o: (o[4], o[0]))
            facts = {"kind": "quota", "village_id": village_id, "village": names.get(village_id, ""),
                     "year": year_start.year, "months": len(over), "first": str(over[0][0]),
                     "last": str(over[-1][0]), "worst": str(worst[0]), "quota": worst[1], "places": worst[2],
                     "on_duty": worst[3], "excess": worst[4]}
            yield Hit(SubjectType.VILLAGE, village_id, year_start, year_end, village_id, facts=facts)


def _standard_hits(scope: Scope, names: dict[int, str]):
    standards: dict[str, list] = {}
    for category, day, amount in db.session.execute(
            select(SubsidyStandard.category, SubsidyStandard.effective_from, SubsidyStandard.monthly_amount)
            .where(SubsidyStandard.county_id == scope.county_id)):
        standards.setdefault(category, []).append((day, Decimal(amount)))
    if not standards:
        return
    dated = {c: Dated(rows) for c, rows in standards.items()}
    years = years_of(scope)
    lo, hi = years[0][0], years[-1][1]
    posts = db.session.execute(
        select(Post.id, Post.village_id, Post.title, Post.category, Post.subsidy, Post.start_date, Post.end_date)
        .where(Post.village_id.in_(county_villages(scope.county_id)), Post.state.in_(LIVE_POSTS),
               Post.category.in_(list(dated)), Post.start_date <= hi, Post.end_date >= lo)
        .order_by(Post.id)).all()
    checked = [(start.year, month, month.first, month.last, day) for start, end in years
               for month, day in _checked_days(start, end, scope.today)]
    in_force = {c: [d.on(day) for _y, _m, _f, _l, day in checked] for c, d in dated.items()}
    over: dict[tuple[int, int], list[tuple[Month, Decimal]]] = {}
    for post in posts:
        subsidy = Decimal(post.subsidy)
        for (year, month, first, last, _day), standard in zip(checked, in_force[post.category], strict=True):
            if post.start_date <= last and post.end_date >= first and standard is not None and subsidy > standard:
                over.setdefault((post.id, year), []).append((month, standard))
    if not over:
        return
    post_ids = sorted({p for p, _y in over})
    paid: dict[tuple[int, int, int], list[tuple[Decimal, Decimal]]] = {}
    appointments = select(Appointment.id).where(Appointment.post_id.in_(post_ids))
    for post_id, year, month, subsidy, amount in db.session.execute(
            select(PayrollLine.post_id, Payroll.year, Payroll.month, PayrollLine.subsidy,
                   func.sum(PayrollLine.amount))
            .join(Payroll, Payroll.id == PayrollLine.payroll_id)
            .where(PayrollLine.appointment_id.in_(appointments), PayrollLine.kind == "duty",
                   Payroll.state.in_(PAID_STATES), Payroll.year.in_(sorted({y for _p, y in over})))
            .group_by(PayrollLine.post_id, Payroll.year, Payroll.month, PayrollLine.subsidy)):
        paid.setdefault((post_id, year, month), []).append((Decimal(subsidy), Decimal(amount or 0)))
    by_id = {p.id: p for p in posts}
    for (post_id, year), months in sorted(over.items()):
        post = by_id[post_id]
        excess = Decimal(0)
        for month, standard in months:
            for subsidy, amount in paid.get((post_id, month.year, month.month), []):
                excess += excess_pay(amount, subsidy, standard)
        facts = {"kind": "standard", "post_id": post_id, "village_id": post.village_id, "post": post.title,
                 "category": post.category, "village": names.get(post.village_id, ""), "year": year,
                 "subsidy": f"{Decimal(post.subsidy):.2f}", "standard": f"{min(s for _m, s in months):.2f}",
                 "months": len(months), "first": str(months[0][0]), "last": str(months[-1][0]),
                 "excess": f"{excess:.2f}"}
        yield Hit(SubjectType.POST, post_id, date(year, 1, 1), date(year, 12, 31), post.village_id, facts=facts,
                  amount=excess)


def find(scope: Scope):
    names = village_names(scope.county_id)
    yield from _quota_hits(scope, names)
    yield from _standard_hits(scope, names)


def describe(facts: dict) -> str:
    if facts.get("kind") == "quota":
        return _("%(village)s had more places than its quota in %(months)d months of %(year)d (%(first)s to "
                 "%(last)s). At the end of %(worst)s its quota was %(quota)d, its approved posts had %(places)d "
                 "places and %(on_duty)d holders were on duty: %(excess)d over.",
                 village=facts.get("village", ""), months=facts.get("months", 0), year=facts.get("year", 0),
                 first=month_text(facts.get("first", "2000-01")), last=month_text(facts.get("last", "2000-01")),
                 worst=month_text(facts.get("worst", "2000-01")), quota=facts.get("quota", 0),
                 places=facts.get("places", 0), on_duty=facts.get("on_duty", 0), excess=facts.get("excess", 0))
    return _("Post %(post)s of %(village)s pays a subsidy of %(subsidy)s a month, above its category's standard "
             "of %(standard)s, in %(months)d months of %(year)d (%(first)s to %(last)s). Paid above the standard: "
             "%(excess)s.", post=facts.get("post", ""), village=facts.get("village", ""),
             subsidy=money_text(facts.get("subsidy", "0")), standard=money_text(facts.get("standard", "0")),
             months=facts.get("months", 0), year=facts.get("year", 0),
             first=month_text(facts.get("first", "2000-01")), last=month_text(facts.get("last", "2000-01")),
             excess=money_text(facts.get("excess", "0")))


DETECTOR = register(Detector("over_limit", _l("Posts over quota or standard"), Severity.MEDIUM, find, describe,
                             subject=SubjectType.VILLAGE))
