"""The demo county's leaks, planted so the county auditor has one real case of every detector to find.

Each case happens on its day of the story (portal.demo.story), in a village of its own so the cases do not
mix, and through the service a user would go through wherever that service lets the leak in. Months are
counted back from today (M1 = last month, M3 = three months ago), so the demo tells the same story whenever
it is built; a case whose months do not exist yet this year is left out.

- 石门村 岗在人不在: at the end of M6 the clerk records a cleaning holder as working outside the province;
  the holder is marked present on every working day all the same;
- 桃源村 一户多岗: a river-care post from M4 (planned and approved as usual), held by the spouse of a cleaning
  holder;
- 龙潭村 轮流坐庄: the road-care holder resigns from M6, the next one from M3, a third one follows;
- 河湾村 福利化: every holder present on every working day of M5, M4 and M3 (the same marks, a block);
- 杏花村 补录: M3's marks all saved on the 20th of the month after (its payroll is submitted the day after);
- 新田村 超标: the cleaning post's subsidy raised above the category standard after its approval;
- 岭上村 不符合条件仍领补: a holder's household recorded as 一般户 (general) in M6, still on the post;
- 云台村 共用账户: the clerk records a holder's bank account as another holder's;
- 茶园村 挤占挪用: the road-care post is charged to 光伏收益, whose budget for the year is ¥5,000.00
  (portal.demo.hiring);
- 青竹村 吃空饷: a paid line of M3 raised by ¥120.00 after the payroll was paid;
- 松坪村 重复享受: a full-time holder also employed by the village's workshop since M5;
- 优亲厚友: the cadres' relatives nominated to the cleaning posts (portal.demo.hiring); 拖欠: a payroll of
  柳河乡 approved and unpaid for over 30 days (portal.demo.payroll).
On the demo's day the auditor runs every detector over the year, a township answers one finding and the
auditor closes one with the amount recovered.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.audit.models import Finding
from portal.audit.rules import Month
from portal.core.clock import county_moment, county_today
from portal.demo.hiring import plan_post
from portal.demo.story import Story, clerk_of, register_household, register_person, reviewer_of, user
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.places.models import Village
from portal.posts.exits import service as exits
from portal.posts.hiring import rules as hiring_rules
from portal.posts.hiring import service as hiring
from portal.posts.hiring.register import ties
from portal.posts.models import Appointment, Post
from portal.registry.models import Household, Person

GHOST_EXTRA = Decimal("120.00")
GHOST_ANSWER = ("经核查，该月发放表在发放后被改动，多发 ¥120.00。", "已责令村委会追回多发补贴，并对经办人批评教育。")
SHARED_ANSWER = ("两人为同村亲戚，其中一人未办银行卡，借用对方账户。", "已督促本人办理社保卡，下月起分别发放。")
RIVER_POST = ("river_care", "护河员", "河道巡查、清漂、劝导", 4, "公里", 1)


def _holders(village: Village, title: str) -> list[Appointment]:
    return db.session.execute(select(Appointment).join(Post, Post.id == Appointment.post_id).where(
        Appointment.village_id == village.id, Post.title == title,
        Appointment.state.in_(("active", "exiting", "exited")))
        .order_by(Appointment.start_date, Appointment.id)).scalars().all()


def _post(village: Village, title: str) -> Post:
    return db.session.execute(select(Post).where(Post.village_id == village.id, Post.title == title)
                              .order_by(Post.id)).scalars().first()


# ---- cases kept through the services ---------------------------------------------------------------------


def _stand_in(story: Story, m6: Month) -> None:
    village = story.village("石门村")

    def step():
        holder = _holders(village, "保洁员")[0]
        register_person(clerk_of(village), holder.person, employment_status="migrant_out_of_province")
        moved = county_today()
        story.mark_rules.append(lambda a, day: "present" if a.id == holder.id and day >= moved else None)

    story.on(m6.last, step, hour=9)


def _rotation(story: Story, m6: Month, m3: Month) -> None:
    from portal.demo.hiring import fill

    village = story.village("龙潭村")

    def resign(effective: date):
        def step():
            on_duty = [a for a in _holders(village, "护路员") if a.state == "active"]
            if not on_duty:
                return
            holder = on_duty[-1]
            exit = exits.propose(clerk_of(village), holder, "resigned", "本人书面申请辞去护路员岗位", effective,
                                 county_today())
            story.on(story.working_day_from(county_today() + timedelta(days=1)), lambda: exits.approve(
                reviewer_of(village), db.session.get(exits.Exit, exit.id), county_today()), hour=11)
            story.on(effective, lambda: exits.finalize_due(county_today()), hour=0, minute=20)
            story.on(story.working_day_from(effective), lambda: fill(story, _post(village, "护路员").id,
                                                                     county_today(), places=1), hour=9)
        return step

    for month in (m6, m3):
        story.on(story.working_day_from(month.first - timedelta(days=20)), resign(month.first), hour=10)


def _batch_filled(story: Story, months: list[Month]) -> None:
    village_id = story.village("河湾村").id
    first, last = months[0].first, months[-1].last
    story.mark_rules.append(lambda a, day: "present" if a.village_id == village_id and first <= day <= last
                            else None)


def _late_marks(story: Story, m3: Month) -> None:
    village_id = story.village("杏花村").id
    saved = m3.next().first + timedelta(days=19)
    story.held_back[village_id] = (m3.first, m3.last, saved)
    story.payroll_days[(village_id, m3.year, m3.month)] = saved + timedelta(days=1)


def _ineligible(story: Story, m6: Month) -> None:
    village = story.village("岭上村")

    def step():
        household = db.session.get(Household, _holders(village, "保洁员")[-1].household_id)
        register_household(clerk_of(village), household, category="general", monitored_subtype=None)

    story.on(story.working_day_from(m6.last - timedelta(days=5)), step, hour=15)


def _shared_account(story: Story, m6: Month) -> None:
    village = story.village("云台村")

    def step():
        first, second = (db.session.get(Person, a.person_id) for a in _holders(village, "保洁员")[:2])
        register_person(clerk_of(village), second, bank_name=first.bank_name, bank_account=first.bank_account)

    story.on(story.working_day_from(m6.first + timedelta(days=9)), step, hour=11)


def _double_benefit(story: Story, m5: Month) -> None:
    from portal.workshops.certification import service as workshops
    from portal.workshops.models import Workshop

    village = story.village("松坪村")

    def step():
        workshop = db.session.execute(select(Workshop).where(Workshop.village_id == village.id)).scalars().first()
        if workshop is None:
            return
        holder = _holders(village, "保洁员")[0]
        workshops.add_employee(user(username="admin"), workshop, holder.person_id,
                               max(m5.first, workshop.certified_on), Decimal("1800.00"))

    story.on(story.working_day_from(m5.first), step, hour=14)


# ---- cases no service lets in: written to the tables directly, as a leak would be --------------------------


def _second_post_in_household(story: Story, m4: Month) -> None:
    """The hiring service refuses a second post for a household (一户一公岗), rightly: the spouse's appointment
    is written to the table directly, dated like a real one, with no audit row — the leak the audit finds."""
    village = story.village("桃源村")
    plan_post(story, village, RIVER_POST, story.working_day_from(m4.first - timedelta(days=40)), start=m4.first)

    def nominate():
        holder = _holders(village, "保洁员")[0]
        spouse = db.session.execute(select(Person).where(
            Person.household_id == holder.household_id, Person.id != holder.person_id)
            .order_by(Person.id)).scalars().first()
        if spouse is None:
            return
        today, post = county_today(), _post(village, "护河员")
        end = hiring_rules.notice_end(today, hiring.current_policy(story.county_id, today), story.calendar)
        decided = story.calendar.add_working_days(end, 1)
        db.session.add(Appointment(
            post_id=post.id, village_id=village.id, person_id=spouse.id, household_id=spouse.household_id,
            state="approved", rank=1, rank_reasons="", nominated_by=clerk_of(village).id,
            conflicts=",".join(hiring_rules.conflict_reasons(ties([spouse.id]).nominee(spouse.id))),
            justification="", notice_start=today, notice_end=end, decided_by=reviewer_of(village).id,
            decided_at=county_moment(decided, 10), start_date=m4.first, end_date=post.end_date))
        db.session.commit()
        story.on(m4.first, hiring.activate_due, hour=0, minute=30)
        story.on(story.working_day_from(m4.first), lambda: register_person(
            clerk_of(village), db.session.get(Person, spouse.id), employment_status="welfare_post"), hour=9)

    story.on(story.working_day_from(m4.first - timedelta(days=30)), nominate, hour=10)


def _over_standard(story: Story) -> None:
    """The plans service refuses a subsidy above the category standard on submit and on approval, and an
    approved post cannot be edited: the raise after approval is written to the table directly."""
    village = story.village("新田村")

    def step():
        _post(village, "保洁员").subsidy = Decimal("850.00")  # the standard for cleaning is 800
        db.session.commit()

    story.on(date(story.today.year - 1, 12, 20), step, hour=16)


def _ghost_pay(story: Story, m3: Month) -> None:
    """A paid payroll never changes through the payroll service: the raised line is written directly."""
    village = story.village("青竹村")

    def step():
        line = db.session.execute(select(PayrollLine).join(Payroll, Payroll.id == PayrollLine.payroll_id).where(
            Payroll.village_id == village.id, Payroll.year == m3.year, Payroll.month == m3.month,
            Payroll.state == "paid", PayrollLine.kind == "duty", PayrollLine.amount > 0)
            .order_by(PayrollLine.id)).scalars().first()
        if line is None:
            return
        line.amount += GHOST_EXTRA
        line.payroll.total += GHOST_EXTRA
        db.session.commit()

    story.on(m3.next().first + timedelta(days=24), step, hour=16)


def plant(story: Story) -> None:
    """Put every case whose months exist this year on the story's calendar (module docstring)."""
    m = {k: story.months_back(k) for k in range(1, 7)}
    _over_standard(story)
    if m[6]:
        _shared_account(story, m[6])
        _stand_in(story, m[6])
        _ineligible(story, m[6])
    if m[6] and m[3]:
        _rotation(story, m[6], m[3])
    if m[4]:
        _second_post_in_household(story, m[4])
    if m[5] and m[3]:
        _batch_filled(story, [m[5], m[4], m[3]])
    if m[3]:
        _late_marks(story, m[3])
        _ghost_pay(story, m[3])
    if m[5]:
        _double_benefit(story, m[5])


def run_demo_audit(story: Story) -> None:
    """On the demo's day: the auditor's first run over the year so far; one finding answered by its township,
    one closed."""
    from portal.audit import findings as service
    from portal.audit import runs

    last = story.months_back(1)
    if last is None:
        return

    def step():
        auditor = user(username="auditor")
        runs.run_audit(auditor, Month(story.today.year, 1), last)
        ghost = db.session.execute(select(Finding).where(Finding.detector == "ghost_pay")
                                   .order_by(Finding.id)).scalars().first()
        if ghost is not None:
            service.respond(user(township_id=ghost.township_id), ghost, *GHOST_ANSWER)
            service.close(auditor, db.session.get(Finding, ghost.id), "confirmed", GHOST_EXTRA,
                          "已追回多发的 ¥120.00，问题属实。")
        shared = db.session.execute(select(Finding).where(Finding.detector == "shared_account")
                                    .order_by(Finding.id)).scalars().first()
        if shared is not None:
            service.respond(user(township_id=shared.township_id), shared, *SHARED_ANSWER)

    story.on(story.today, step, hour=23)
