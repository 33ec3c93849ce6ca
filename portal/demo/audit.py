"""The demo county's leaks, planted so the county auditor has one real case of every detector to find.

Each case is a change to the demo's records of the kind a leak leaves behind, written where it would happen
(the register, the posts, the marks, a payroll line), in a village of its own so the cases do not mix.
Months are counted back from today (M1 = last month, M3 = three months ago), so the demo tells the same
story whenever it is built; a case whose months do not exist yet this year is left out.

Before the payrolls are made (the lines then carry the case):
- 石门村 岗在人不在: a holder registered as working outside the province, marked present all the same;
- 桃源村 一户多岗: a new river-care post from M4, given to the spouse of a cleaning holder;
- 龙潭村 轮流坐庄: the road-care post held by three people in turn (to M6, M6–M3, from M3);
- 河湾村 福利化: every holder present on every working day of M5, M4 and M3 (the same marks, a block);
- 杏花村 补录: M3's marks all saved on the 20th of the month after;
- 新田村 超标: the cleaning post's subsidy set above the category standard;
- 岭上村 不符合条件仍领补: a holder's household registered as 一般户 (general), still on the post;
- 云台村 共用账户: two holders paid into one bank account;
- 茶园村 挤占挪用: the road-care post charged to 光伏收益, whose budget for the year is ¥5,000.00.
After the payrolls:
- 青竹村 吃空饷: a paid line of M3 raised by ¥120.00 after the payroll was paid;
- 松坪村 重复享受: a full-time holder also employed by the village's workshop since M5.
Already in the demo: 优亲厚友 (holders who are declared siblings of a village cadre) and 拖欠 (a payroll of
柳河乡 approved and unpaid for over 30 days).

Then the auditor runs every detector over the year, a township answers one finding and the auditor closes
one with the amount recovered. Idempotent: a county whose audit has run is left as it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete, insert, select, update

from portal.accounts.models import User
from portal.attendance.models import AttendanceMark
from portal.attendance.summary import rebuild_months
from portal.audit.models import AuditRun, Finding
from portal.audit.rules import Month
from portal.core.calendar import WorkCalendar
from portal.demo.duty import _mark, notice_dates
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.places.models import Township, Village
from portal.posts.models import Appointment, Post
from portal.registry.models import Household, Person
from portal.workshops.models import Workshop, WorkshopEmployee

GHOST_EXTRA = Decimal("120.00")
PV_BUDGET = Decimal("5000.00")


def _months_back(today: date, k: int) -> Month | None:
    """The month k months before today's (None when it falls before this year: the demo starts in January)."""
    index = Month.of(today).index() - k
    month = Month(index // 12, index % 12 + 1)
    return month if month.year == today.year else None


def _village(county_id: int, name: str) -> Village:
    return db.session.execute(select(Village).join(Township, Township.id == Village.township_id).where(
        Township.county_id == county_id, Village.name == name)).scalar_one()


def _holders(village: Village, title: str) -> list[Appointment]:
    return db.session.execute(select(Appointment).join(Post, Post.id == Appointment.post_id).where(
        Appointment.village_id == village.id, Post.title == title, Appointment.state.in_(("active", "exited")))
        .order_by(Appointment.start_date, Appointment.id)).scalars().all()


def _user(**where) -> User:
    return db.session.execute(select(User).filter_by(**where).order_by(User.id)).scalars().first()


def _marks_for(appointment: Appointment, first: date, last: date, calendar: WorkCalendar, today: date) -> None:
    """The demo's marks for an appointment's working days first..last (up to yesterday), saved on their day."""
    clerk = _user(village_id=appointment.village_id)
    rows = [{"appointment_id": appointment.id, "village_id": appointment.village_id, "day": day,
             "mark": _mark(appointment.id, day), "set_by": clerk.id,
             "set_at": datetime.combine(day, time(10), UTC)}
            for day in calendar.working_days(first, min(last, today - timedelta(days=1)))]
    if rows:
        db.session.execute(insert(AttendanceMark.__table__), rows)


def _eligible_people(village: Village, n: int) -> list[Person]:
    """People of the village from eligible households (not a cadre's) holding no post, able to work; one from
    each household."""
    taken = select(Appointment.household_id).where(Appointment.village_id == village.id)
    cadre = select(Person.household_id).where(Person.village_id == village.id, Person.is_cadre.is_(True))
    people = db.session.execute(select(Person).join(Household, Household.id == Person.household_id).where(
        Person.village_id == village.id, Household.category.in_(("lifted", "monitored", "low_income")),
        Person.labour_capacity.in_(("full", "half")), Person.deceased.is_(False),
        Person.household_id.not_in(taken), Person.household_id.not_in(cadre),
        Person.birth_date <= date(2006, 1, 1), Person.birth_date > date(1962, 1, 1))
        .order_by(Person.id)).scalars().all()
    chosen, households = [], set()
    for person in people:
        if person.household_id not in households:
            households.add(person.household_id)
            chosen.append(person)
    return chosen[:n]


def _appoint(post: Post, person: Person, start: date, exited_on: date | None = None) -> Appointment:
    clerk, reviewer = _user(village_id=post.village_id), _user(township_id=post.village.township_id)
    notice_start, notice_end, decided_on = notice_dates(post.village, start)
    appointment = Appointment(
        post_id=post.id, village_id=post.village_id, person_id=person.id, household_id=person.household_id,
        state="exited" if exited_on else "active", rank=1, rank_reasons="脱贫户优先", nominated_by=clerk.id,
        notice_start=notice_start, notice_end=notice_end, decided_by=reviewer.id,
        decided_at=datetime.combine(decided_on, time(2), UTC), start_date=start,
        end_date=post.end_date, exited_on=exited_on)
    db.session.add(appointment)
    person.employment_status = "welfare_post"
    db.session.flush()
    return appointment


# ---- before the payrolls ---------------------------------------------------------------------------------


def _absent_holder(county_id: int, today: date) -> None:
    holder = _holders(_village(county_id, "石门村"), "保洁员")[0]
    person = db.session.get(Person, holder.person_id)
    person.employment_status = "migrant_out_of_province"  # registered so, and marked present all the same


def _two_posts_one_household(county_id: int, today: date, calendar: WorkCalendar) -> None:
    start_month = _months_back(today, 4)
    if start_month is None:
        return
    village = _village(county_id, "桃源村")
    holder = _holders(village, "保洁员")[0]
    spouse = db.session.execute(select(Person).where(
        Person.household_id == holder.household_id, Person.id != holder.person_id)
        .order_by(Person.id)).scalars().first()
    if spouse is None:
        return
    first = _holders(village, "保洁员")[0].post
    post = Post(village_id=village.id, category="river_care", title="护河员", duties="河道巡查、清漂、劝导",
                workload_amount=Decimal("4"), workload_unit="公里", headcount=1, schedule="full_time",
                subsidy=Decimal("900.00"), funding_source="linkage_fund", start_date=start_month.first,
                end_date=first.end_date, need_reason="桃源村河道需要专人巡护", state="approved",
                created_by=first.created_by, submitted_by=first.created_by, submitted_at=first.submitted_at,
                decided_by=first.decided_by, decided_at=first.decided_at)
    db.session.add(post)
    db.session.flush()
    appointment = _appoint(post, spouse, start_month.first)
    _marks_for(appointment, start_month.first, today, calendar, today)


def _rotation(county_id: int, today: date, calendar: WorkCalendar) -> None:
    m6, m3 = _months_back(today, 6), _months_back(today, 3)
    if m6 is None or m3 is None:
        return
    village = _village(county_id, "龙潭村")
    first = _holders(village, "护路员")[0]
    people = _eligible_people(village, 2)
    if len(people) < 2:
        return
    second, third = people
    first.state, first.exited_on = "exited", m6.first
    db.session.execute(delete(AttendanceMark).where(AttendanceMark.appointment_id == first.id,
                                                    AttendanceMark.day >= m6.first))
    db.session.get(Person, first.person_id).employment_status = "unemployed"
    b = _appoint(first.post, second, m6.first, exited_on=m3.first)
    _marks_for(b, m6.first, m3.first - timedelta(days=1), calendar, today)
    c = _appoint(first.post, third, m3.first)
    _marks_for(c, m3.first, today, calendar, today)


def _batch_filled(county_id: int, today: date, calendar: WorkCalendar) -> None:
    months = [m for m in (_months_back(today, k) for k in (5, 4, 3)) if m is not None]
    if len(months) < 3:
        return
    village = _village(county_id, "河湾村")
    for month in months:
        db.session.execute(update(AttendanceMark).where(
            AttendanceMark.village_id == village.id, AttendanceMark.day >= month.first,
            AttendanceMark.day <= month.last).values(mark="present"))


def _late_marks(county_id: int, today: date) -> None:
    month = _months_back(today, 3)
    if month is None:
        return
    village = _village(county_id, "杏花村")
    saved = datetime.combine(month.next().first + timedelta(days=19), time(3), UTC)
    db.session.execute(update(AttendanceMark).where(
        AttendanceMark.village_id == village.id, AttendanceMark.day >= month.first,
        AttendanceMark.day <= month.last).values(set_at=saved))


def _over_standard(county_id: int) -> None:
    post = _holders(_village(county_id, "新田村"), "保洁员")[0].post
    post.subsidy = Decimal("850.00")  # the standard for cleaning is 800


def _ineligible(county_id: int) -> None:
    holder = _holders(_village(county_id, "岭上村"), "保洁员")[-1]
    db.session.get(Household, holder.household_id).category = "general"


def _shared_account(county_id: int) -> None:
    first, second = _holders(_village(county_id, "云台村"), "保洁员")[:2]
    db.session.get(Person, second.person_id).bank_account = db.session.get(Person, first.person_id).bank_account


def _funds(county_id: int, today: date) -> None:
    from portal.audit.settings import set_budget

    post = _holders(_village(county_id, "茶园村"), "护路员")[0].post
    post.funding_source = "pv_income"
    db.session.commit()
    set_budget(_user(username="admin"), "pv_income", PV_BUDGET, today.replace(day=1), today=today)


def plant_before_payrolls(county_id: int, today: date) -> None:
    """The cases the payroll lines will carry (see the module's docstring)."""
    if db.session.execute(select(AuditRun.id).where(AuditRun.county_id == county_id)).first() is not None:
        return
    if db.session.execute(select(Post.id).where(Post.title == "护河员")).first() is not None:
        return
    calendar = WorkCalendar()
    _absent_holder(county_id, today)
    _two_posts_one_household(county_id, today, calendar)
    _rotation(county_id, today, calendar)
    _batch_filled(county_id, today, calendar)
    _late_marks(county_id, today)
    _over_standard(county_id)
    _ineligible(county_id)
    _shared_account(county_id)
    # The register was taken in January: the records' own dates say so, which the audit reads.
    village_ids = select(Village.id).join(Township, Township.id == Village.township_id).where(
        Township.county_id == county_id)
    january = datetime.combine(date(today.year, 1, 1), time(1), UTC)
    db.session.execute(update(Person).where(Person.village_id.in_(village_ids)).values(created_at=january))
    db.session.execute(update(Household).where(Household.village_id.in_(village_ids)).values(created_at=january))
    db.session.flush()
    rebuild_months(None, date(today.year, 1, 1), today)
    db.session.commit()
    _funds(county_id, today)


# ---- after the payrolls ----------------------------------------------------------------------------------


def _ghost_pay(county_id: int, today: date) -> None:
    month = _months_back(today, 3)
    if month is None:
        return
    village = _village(county_id, "青竹村")
    line = db.session.execute(select(PayrollLine).join(Payroll, Payroll.id == PayrollLine.payroll_id).where(
        Payroll.village_id == village.id, Payroll.year == month.year, Payroll.month == month.month,
        Payroll.state == "paid", PayrollLine.kind == "duty", PayrollLine.amount > 0)
        .order_by(PayrollLine.id)).scalars().first()
    if line is None:
        return
    line.amount += GHOST_EXTRA
    line.payroll.total += GHOST_EXTRA


def _double_benefit(county_id: int, today: date) -> None:
    month = _months_back(today, 5)
    village = _village(county_id, "松坪村")
    workshop = db.session.execute(select(Workshop).where(Workshop.village_id == village.id)).scalars().first()
    if month is None or workshop is None:
        return
    holder = _holders(village, "保洁员")[0]
    db.session.add(WorkshopEmployee(workshop_id=workshop.id, village_id=village.id, person_id=holder.person_id,
                                    hire_date=max(month.first, workshop.certified_on), monthly_wage=Decimal("1800.00"),
                                    created_by=_user(village_id=village.id).id))


def plant_after_payrolls(county_id: int, today: date) -> None:
    if db.session.execute(select(AuditRun.id).where(AuditRun.county_id == county_id)).first() is not None:
        return
    _ghost_pay(county_id, today)
    _double_benefit(county_id, today)
    db.session.commit()


def run_demo_audit(county_id: int, today: date) -> None:
    """The auditor's first run over the year so far; one finding answered by its township, one closed."""
    from portal.audit import findings as service
    from portal.audit import runs

    if db.session.execute(select(AuditRun.id).where(AuditRun.county_id == county_id)).first() is not None:
        return
    last = _months_back(today, 1)
    if last is None:
        return
    auditor = _user(username="auditor")
    runs.run_audit(auditor, Month(today.year, 1), last, today=today)
    ghost = db.session.execute(select(Finding).where(Finding.detector == "ghost_pay")
                               .order_by(Finding.id)).scalars().first()
    if ghost is not None:
        reviewer = _user(township_id=ghost.township_id)
        service.respond(reviewer, ghost, "经核查，该月发放表在发放后被改动，多发 ¥120.00。",
                        "已责令村委会追回多发补贴，并对经办人批评教育。")
        service.close(auditor, db.session.get(Finding, ghost.id), "confirmed", GHOST_EXTRA,
                      "已追回多发的 ¥120.00，问题属实。")
    shared = db.session.execute(select(Finding).where(Finding.detector == "shared_account")
                                .order_by(Finding.id)).scalars().first()
    if shared is not None:
        service.respond(_user(township_id=shared.township_id), shared,
                        "两人为同村亲戚，其中一人未办银行卡，借用对方账户。", "已督促本人办理社保卡，下月起分别发放。")
