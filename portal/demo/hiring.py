"""The demo county's posts and holders, made through the settings, plans and hiring services as the county,
the villages and the townships would, on the days they would (portal.demo.story).

- 1 December of last year: the county admin sets the subsidy standards and a quota of 6 for every village,
  both from 1 January; the clerks draft and submit two posts a village the next day (保洁员 ×2, 护路员 ×1, a
  year from 1 January); the township's reviewer approves them the day after.
- From 8 December: each clerk nominates from the portal's ranked candidates, one place at a time (the list
  is ranked again after each nomination). The first cleaning place goes to a declared relative of the
  village cadre where the register has an eligible one — the favour the county audit is there to find: the
  nomination service marks it 优亲厚友 and the clerk writes the justification and why the top-ranked
  candidate was passed over. Other places go to the top-ranked candidate with no tie to a cadre.
- Each nomination is approved by the township's reviewer on the first working day after its notice; the
  daily run puts it on duty on its start date, and the clerk records the holder as 公益岗位 in the register.
- Two days before the demo's day, the first village of each township submits a forest-care post from next
  month, waiting for the township reviewer.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.audit.settings import set_budget
from portal.core.clock import county_today
from portal.demo.story import Story, clerk_of, register_person, reviewer_of, user
from portal.extensions import db
from portal.places.models import Village
from portal.posts.hiring import rules as hiring_rules
from portal.posts.hiring import service as hiring
from portal.posts.models import Appointment, Post
from portal.posts.plans import service as plans
from portal.posts.plans.rules import term_last_day
from portal.posts.rules import PostCategory
from portal.posts.settings import set_quota, set_standard

# Subsidy standards (元/月) of the demo county; the other categories get 800.
STANDARDS = {"cleaning": 800, "road_care": 900, "forest_care": 900, "river_care": 900, "elder_care": 1000}
QUOTA = 6
DEMO_POSTS = (("cleaning", "保洁员", "村道、公共场所和垃圾收集点保洁", 6, "公里", 2),
              ("road_care", "护路员", "通村公路巡查、清障、边沟清理", 8, "公里", 1))
WAITING_POST = ("forest_care", "护林员", "集体林巡护、防火宣传、病虫害报告", 3000, "亩", 1)
PV_BUDGET = Decimal("5000.00")
PV_VILLAGE = "茶园村"  # its road-care post is charged to 光伏收益, whose yearly budget is small (挤占挪用)
JUSTIFICATION = "经村民代表会议评议，该户确属困难家庭，本人能胜任岗位"
FAVOUR = "经村两委研究，优先安排该村民上岗"
PASSED_OVER = "排名靠前的村民已在帮扶车间就业、刚辞去本岗位或与村干部有亲属关系，依规另选"


def plan_data(village: Village, post: tuple, start: date, funding: str = "linkage_fund") -> plans.PlanData:
    category, title, duties, amount, unit, headcount = post
    return plans.PlanData(
        category=category, title=title, duties=duties, workload_amount=Decimal(amount), workload_unit=unit,
        headcount=headcount, schedule="full_time", required_days=None, subsidy=Decimal(STANDARDS[category]),
        funding_source=funding, start_date=start, end_date=term_last_day(start),
        need_reason=f"{village.name}{duties}，需要专人负责")


def plan_post(story: Story, village: Village, post: tuple, day: date, funding: str = "linkage_fund",
              start: date | None = None, approve: bool = True) -> None:
    """The clerk drafts and submits a post on `day`; the township approves it the next working day."""
    start = start or date(story.today.year, 1, 1)

    def submit():
        clerk = clerk_of(village)
        made = plans.create_plan(clerk, plan_data(village, post, start, funding))
        plans.submit(clerk, made)
        if approve:
            story.on(story.working_day_from(day + timedelta(days=1)),
                     lambda: plans.approve(reviewer_of(village), db.session.get(Post, made.id)), hour=15)

    story.on(day, submit, hour=9)


def _choose(post: Post, clerk, favour: bool) -> tuple[int, str, str] | None:
    """(person, why not the top-ranked, justification) for the next place of `post`, or None: the top-ranked
    candidate who is free (not working in a workshop), has not held the post before and has no tie to a cadre —
    or, when `favour`, a declared relative of the cadre."""
    found = hiring.candidates(post, clerk)
    top = found.ranked[0].person.id if found.ranked else None
    held = set(db.session.execute(select(Appointment.person_id).where(Appointment.post_id == post.id)).scalars())
    free = [row for row in found.ranked if row.person.employment_status != "workshop" and row.person.id not in held]
    if favour:
        for row in free:
            if row.conflicts == ["cadre_relative"]:
                return row.person.id, FAVOUR if row.person.id != top else "", JUSTIFICATION
    for row in free:
        if not row.conflicts:
            return row.person.id, "" if row.person.id == top else PASSED_OVER, ""
    return None


def fill(story: Story, post_id: int, day: date, places: int | None = None, start: date | None = None,
         favour: bool = False) -> None:
    """On `day` the clerk nominates for the post's open places, from `start` (else the term's start, or the day
    after the approval when that is later); each is approved after its notice and goes on duty on its start."""

    def nominate():
        post = db.session.get(Post, post_id)
        clerk, today = clerk_of(post.village), county_today()
        county_id = post.village.township.county_id
        notice_end = hiring_rules.notice_end(today, hiring.current_policy(county_id, today), story.calendar)
        decided = story.calendar.add_working_days(notice_end, 1)  # the reviewer decides the day after
        first = start or max(post.start_date, decided + timedelta(days=1))
        for n in range(places or plans.vacancies(post)):
            chosen = _choose(post, clerk, favour and n == 0)
            if chosen is None:
                return
            person_id, choice_reason, justification = chosen
            appt = hiring.nominate(clerk, post, person_id, first, post.end_date, choice_reason, justification)
            story.on(decided, _approve(appt.id), hour=10)
            story.on(first, hiring.activate_due, hour=0, minute=30)
            story.on(story.working_day_from(first), _on_duty(appt.id), hour=9)

    story.on(day, nominate, hour=10)


def _approve(appt_id: int):
    def step():
        appt = db.session.get(Appointment, appt_id)
        hiring.approve(reviewer_of(appt.post.village), appt)
    return step


def _on_duty(appt_id: int):
    def step():
        appt = db.session.get(Appointment, appt_id)
        register_person(clerk_of(appt.post.village), appt.person, employment_status="welfare_post")
    return step


def plan_the_year(story: Story) -> None:
    """Standards, quotas, the budget of 光伏收益, every village's posts and their holders (module docstring)."""
    year = story.today.year
    first, december = date(year, 1, 1), date(year - 1, 12, 1)

    def county_settings():
        admin = user(username="admin")
        for category in PostCategory:
            set_standard(admin, category.value, Decimal(STANDARDS.get(category.value, 800)), first)
        for village in story.villages():
            set_quota(admin, village.id, QUOTA, first)
        set_budget(admin, "pv_income", PV_BUDGET, first)

    story.on(december, county_settings, hour=9)
    for v_index, village in enumerate(story.villages()):
        for post in DEMO_POSTS:
            funding = "pv_income" if village.name == PV_VILLAGE and post[0] == "road_care" else "linkage_fund"
            plan_post(story, village, post, december + timedelta(days=1), funding)
        if v_index % 4 == 0:  # the first village of each township: a plan waiting for the township
            day = max(story.today - timedelta(days=2), first)
            start = (story.today.replace(day=1) + timedelta(days=32)).replace(day=1)
            plan_post(story, village, WAITING_POST, day, start=start, approve=False)
    story.on(story.working_day_from(december + timedelta(days=7)), lambda: _fill_all(story), hour=9)


def _fill_all(story: Story) -> None:
    """Every approved post of the county gets its holders nominated (today, one village after the other)."""
    for village in story.villages():
        posts = db.session.execute(select(Post.id, Post.category).where(
            Post.village_id == village.id, Post.state == "approved").order_by(Post.id)).all()
        for post_id, category in posts:
            fill(story, post_id, county_today(), favour=category == "cleaning")
