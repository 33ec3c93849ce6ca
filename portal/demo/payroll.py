"""The demo county's payrolls, drawn up by each village's clerk and decided by its township's reviewer through
the payroll service, on the days a real month would have them (portal.demo.story).

A month's payroll is generated and submitted on the 5th of the next month (the month's attendance then
locks), approved on the 8th and paid on the 15th. Every ended month of the year before last month is paid.
Last month shows every state: in the first township submitted (waiting for the reviewer) except one village
still drafting; in the second approved and waiting for payment; in the third one returned with a reason, one
draft and two not yet generated. One village of the second township also has two older months approved and
never paid, so the arrears (拖欠) show on the township's and county's home pages.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.core.clock import county_today
from portal.demo.story import Story, clerk_of, reviewer_of
from portal.extensions import db
from portal.payroll import service
from portal.payroll.models import Payroll
from portal.places.models import Village

RETURN_REASON = "10日、11日两天考勤与巡查记录不符，请核实后重新提交"


def _after_month(year: int, month: int, days: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt + timedelta(days=days - 1)


def _target(t_index: int, v_index: int, months_back: int) -> str | None:
    """The state the demo wants for a village's payroll `months_back` months ago (None: not generated)."""
    if months_back >= 2:
        overdue = t_index == 2 and v_index == 1 and months_back in (2, 3)
        return "approved" if overdue else "paid"
    return [["submitted", "submitted", "submitted", "draft"],
            ["approved", "approved", "submitted", "submitted"],
            ["returned", "draft", None, None]][t_index - 1][v_index - 1]


def _payroll(village_id: int, year: int, month: int) -> Payroll:
    return db.session.execute(select(Payroll).where(
        Payroll.village_id == village_id, Payroll.year == year, Payroll.month == month)).scalar_one()


def _draw_up(story: Story, village_id: int, year: int, month: int, target: str):
    """The step: the clerk generates the month's payroll and, unless it stays a draft, submits it; the
    township's later steps are put on the calendar."""

    def step():
        village = db.session.get(Village, village_id)
        clerk, reviewer = clerk_of(village), reviewer_of(village)
        payroll = service.generate(clerk, village_id, year, month, county_today())
        if target == "draft":
            return
        service.submit(clerk, payroll)
        submitted = county_today()
        if target == "returned":
            story.on(submitted + timedelta(days=3), lambda: service.return_(
                reviewer, _payroll(village_id, year, month), RETURN_REASON), hour=11)
        if target in ("approved", "paid"):
            story.on(max(submitted + timedelta(days=3), _after_month(year, month, 8)), lambda: service.approve(
                reviewer, _payroll(village_id, year, month), county_today()), hour=11)
        if target == "paid":
            story.on(max(submitted + timedelta(days=10), _after_month(year, month, 15)), lambda: (
                service.record_payment(reviewer, _payroll(village_id, year, month), county_today(),
                                       f"YX{year}{month:02d}{village.code[-3:]}")), hour=15)

    return step


def pay_the_year(story: Story) -> None:
    """Put every village's payrolls from January to last month on the story's calendar."""
    months, (year, month) = [], (story.today.year, story.today.month)
    while True:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        if year != story.today.year:
            break
        months.append((year, month))
    by_township: dict[int, list[Village]] = {}
    for village in story.villages():
        by_township.setdefault(village.township_id, []).append(village)
    for months_back, (year, month) in enumerate(months, start=1):
        for t_index, villages in enumerate(by_township.values(), start=1):
            for v_index, village in enumerate(villages, start=1):
                target = _target(t_index, v_index, months_back)
                if target is None:
                    continue
                day = story.payroll_days.get((village.id, year, month), _after_month(year, month, 5))
                story.on(day, _draw_up(story, village.id, year, month, target), hour=9)
