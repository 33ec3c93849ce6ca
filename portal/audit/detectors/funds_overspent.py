"""挤占挪用 funds overspent: payrolls charged to a funding source beyond the yearly budget the county set for it.

- Spent: every line (duty pay and adjustments) of the county's payrolls of the year that were submitted,
  approved or paid, charged to the funding source of the line's post (Post.funding_source). A draft or returned
  payroll has committed nothing yet. A payroll's money counts in its own year and month.
- Budget: the county's yearly budget of the source (audit.settings.budgets_for: the value in force on the
  year's last day, or today during the year). A source without a budget is not checked.
- Flagged: spent above the budget (rules.overrun); the evidence names the month in which the spending, added up
  month by month, went above it (rules.budget_crossing).

Subject: the county's funding source (subject type county, subject id the source's code: one finding per
source and year); period: the calendar year (common.years_of; computed over the whole year so that runs over
parts of it agree). Amount at stake: the overrun. The finding belongs to no village or township: only the
county sees it.

Set-based, per year: the county's posts and its paid payrolls' totals (a few thousand rows); the lines are read
only for villages whose posts draw on several sources (one GROUP BY over those villages' lines, by post and
month).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, money_text, month_text, years_of
from portal.audit.detectors.money_rules import budget_crossing, overrun
from portal.audit.detectors.people_common import PAID_STATES
from portal.audit.rules import Month, Severity, SubjectType
from portal.audit.settings import budgets_for
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.posts.labels import FUNDING
from portal.posts.models import Post


def _spending(villages, year: int, wanted: set[str]) -> dict[str, dict[int, Decimal]]:
    """Source → month → what the year's paid payrolls charged to it. A village whose posts all share one source
    charges it its payrolls' totals (kept equal to the sum of their lines); only the payrolls of villages with
    posts of several sources are split by their lines' posts."""
    sources: dict[int, set[str]] = {}
    post_source: dict[int, str] = {}
    for post_id, village_id, source in db.session.execute(
            select(Post.id, Post.village_id, Post.funding_source).where(Post.village_id.in_(villages))):
        sources.setdefault(village_id, set()).add(source)
        post_source[post_id] = source
    spent: dict[str, dict[int, Decimal]] = {}

    def add(source, month, amount):
        if source in wanted:
            per = spent.setdefault(source, {})
            per[month] = per.get(month, Decimal(0)) + Decimal(amount or 0)

    committed = (Payroll.village_id.in_(villages), Payroll.year == year, Payroll.state.in_(PAID_STATES))
    mixed = []
    for village_id, month, total in db.session.execute(
            select(Payroll.village_id, Payroll.month, Payroll.total).where(*committed)):
        if len(sources.get(village_id, ())) == 1:
            add(next(iter(sources[village_id])), month, total)
        else:
            mixed.append(village_id)
    if mixed:
        for post_id, month, total in db.session.execute(
                select(PayrollLine.post_id, Payroll.month, func.sum(PayrollLine.amount))
                .join(Payroll, Payroll.id == PayrollLine.payroll_id)
                .where(*committed, Payroll.village_id.in_(sorted(set(mixed))))
                .group_by(PayrollLine.post_id, Payroll.month)):
            add(post_source.get(post_id), month, total)
    return spent


def find(scope: Scope):
    villages = county_villages(scope.county_id)
    for start, end in years_of(scope):
        budgets = budgets_for(scope.county_id, start.year, scope.today)
        if not budgets:
            continue
        for source, per in sorted(_spending(villages, start.year, set(budgets)).items()):
            budget, spent = budgets[source], sum(per.values(), Decimal(0))
            over = overrun(budget, spent)
            if over <= 0:
                continue
            crossed = budget_crossing(budget, [(Month(start.year, m), t) for m, t in per.items()])
            facts = {"source": source, "year": start.year, "budget": f"{budget:.2f}", "spent": f"{spent:.2f}",
                     "overrun": f"{over:.2f}", "crossed": str(crossed) if crossed else None}
            yield Hit(SubjectType.COUNTY, source, start, end, None, facts=facts, amount=over)


def describe(facts: dict) -> str:
    source = facts.get("source", "")
    text = _("In %(year)d the payrolls charged %(spent)s to the funding source %(source)s, whose yearly budget "
             "is %(budget)s: %(overrun)s over budget.", year=facts.get("year", 0),
             spent=money_text(facts.get("spent", "0")), source=FUNDING.get(source, source),
             budget=money_text(facts.get("budget", "0")), overrun=money_text(facts.get("overrun", "0")))
    if facts.get("crossed"):
        text += " " + _("The spending went above the budget with the payrolls of %(month)s.",
                        month=month_text(facts["crossed"]))
    return text


DETECTOR = register(Detector("funds_overspent", _l("Funds overspent"), Severity.HIGH, find, describe,
                             subject=SubjectType.COUNTY))
