"""The demo county: a fictional county (云溪县) with 3 townships, 12 villages, users of every role,
households and people with valid resident IDs. Deterministic, and idempotent: a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.service import hash_password
from portal.core import auditlog
from portal.core.access import Role
from portal.core.calendar import WorkCalendar
from portal.core.clock import county_today
from portal.core.types import utcnow
from portal.demo.audit import plant_after_payrolls, plant_before_payrolls, run_demo_audit
from portal.demo.duty import build_duty
from portal.demo.payroll import build_payrolls
from portal.demo.workshops import build_workshops
from portal.extensions import db
from portal.places.models import County, Township, Village
from portal.registry.models import Household, Person, Relationship
from portal.registry.rules import (
    EmploymentStatus,
    HouseholdCategory,
    LabourCapacity,
    MonitoredSubtype,
    with_check_digit,
)

DEMO_PASSWORD = "Yunxi-demo-2026"  # noqa: S105  (fictional demo county, printed by `make run`)
REGION = "422825"  # the six-digit prefix shared by the county's division codes and its residents' IDs
COUNTY = (f"{REGION}000000", "云溪县")
TOWNSHIPS = [
    ("101", "白石镇", ["青竹村", "石门村", "桃源村", "龙潭村"]),
    ("102", "柳河乡", ["柳岸村", "河湾村", "杏花村", "新田村"]),
    ("103", "松岭镇", ["松坪村", "岭上村", "云台村", "茶园村"]),
]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程")
GIVEN = list("建国秀英玉兰明华志强春梅海燕文杰桂芳德胜红霞永福丽娟金山小平晓东淑珍立新雪莲家豪思雨子轩")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    place: str


def resident_id(rng: random.Random, birth: date, male: bool, used: set[str]) -> str:
    """A valid 18-digit ID: region, birth date, sequence (odd for men), GB 11643 check digit."""
    while True:
        seq = rng.randrange(0, 499) * 2 + (1 if male else 0)
        number = with_check_digit(f"{REGION}{birth:%Y%m%d}{seq:03d}")
        if number not in used:
            used.add(number)
            return number


def _name(rng: random.Random, surname: str | None = None) -> str:
    return (surname or rng.choice(SURNAMES)) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _get_or_add(model, where: dict, **values):
    obj = db.session.execute(select(model).filter_by(**where)).scalar_one_or_none()
    if obj is not None:
        return obj, False
    obj = model(**where, **values)
    db.session.add(obj)
    db.session.flush()
    return obj, True


def build_demo() -> list[DemoLogin]:
    """Create whatever of the demo county is missing; return the demo logins."""
    rng = random.Random(20261122)
    changes: list[auditlog.Change] = []
    county, created = _get_or_add(County, {"code": COUNTY[0]}, name=COUNTY[1])
    if created:
        changes.append(auditlog.Change("create", "county", str(county.id), None, {"code": county.code}))
    logins = [DemoLogin("admin", Role.COUNTY_ADMIN, county.name),
              DemoLogin("auditor", Role.COUNTY_AUDITOR, county.name)]
    password = hash_password(DEMO_PASSWORD)
    _user("admin", "县管理员 周明", Role.COUNTY_ADMIN, password, changes, county_id=county.id)
    _user("auditor", "县审计员 孙丽", Role.COUNTY_AUDITOR, password, changes, county_id=county.id)
    calendar, today = WorkCalendar(), county_today()
    used_ids: set[str] = set()  # per run, so the same seed yields the same IDs every time
    clerk_no = 0
    for t_index, (t_code, t_name, villages) in enumerate(TOWNSHIPS, start=1):
        township, created = _get_or_add(Township, {"code": f"{REGION}{t_code}000"}, county_id=county.id,
                                        name=t_name)
        if created:
            changes.append(auditlog.Change("create", "township", str(township.id), None, {"code": township.code}))
        _user(f"reviewer{t_index}", f"{t_name}审核员", Role.TOWNSHIP_REVIEWER, password, changes,
              township_id=township.id)
        logins.append(DemoLogin(f"reviewer{t_index}", Role.TOWNSHIP_REVIEWER, t_name))
        for v_index, v_name in enumerate(villages, start=1):
            village, created = _get_or_add(Village, {"code": f"{REGION}{t_code}{200 + v_index:03d}"},
                                           township_id=township.id, name=v_name)
            if created:
                changes.append(auditlog.Change("create", "village", str(village.id), None, {"code": village.code}))
            clerk_no += 1
            _user(f"clerk{clerk_no:02d}", f"{v_name}经办员", Role.VILLAGE_CLERK, password, changes,
                  village_id=village.id)
            logins.append(DemoLogin(f"clerk{clerk_no:02d}", Role.VILLAGE_CLERK, f"{t_name} {v_name}"))
            _households(rng, village, used_ids, changes)
            _posts(village, county, changes, waiting=v_index == 1)
            build_duty(village, calendar, today, changes)
    auditlog.record_many("demo", changes)
    db.session.commit()
    plant_before_payrolls(county.id, today)
    build_payrolls(county.id, today)
    build_workshops(county.id, today)
    plant_after_payrolls(county.id, today)
    run_demo_audit(county.id, today)
    return logins


# Subsidy standards (元/月) of the demo county; the other categories get 800.
STANDARDS = {"cleaning": 800, "road_care": 900, "forest_care": 900, "river_care": 900, "elder_care": 1000}
DEMO_POSTS = (("cleaning", "保洁员", "村道、公共场所和垃圾收集点保洁", 6, "公里", 2),
              ("road_care", "护路员", "通村公路巡查、清障、边沟清理", 8, "公里", 1))
QUOTA = 6


WAITING_POST = ("forest_care", "护林员", "集体林巡护、防火宣传、病虫害报告", 3000, "亩", 1)


def _posts(village: Village, county: County, changes, waiting: bool = False) -> None:
    """From the first of the year: the county's standards, a quota of 6, two approved posts per village, and
    in the first village of each township a post plan submitted and waiting for the township reviewer."""
    from portal.posts.models import Post, SubsidyStandard, VillageQuota
    from portal.posts.plans.rules import term_last_day
    from portal.posts.rules import PostCategory

    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    start = date(date.today().year, 1, 1)  # noqa: DTZ011  (a demo date; any day of the year will do)
    for category in PostCategory:
        row, created = _get_or_add(SubsidyStandard, {"county_id": county.id, "category": category.value,
                                                     "effective_from": start},
                                   monthly_amount=Decimal(STANDARDS.get(category.value, 800)), created_by=admin.id)
        if created:
            changes.append(auditlog.Change("set_standard", "subsidy_standard", str(row.id), None,
                                           {"category": category, "monthly_amount": row.monthly_amount}))
    quota, created = _get_or_add(VillageQuota, {"village_id": village.id, "effective_from": start},
                                 headcount=QUOTA, created_by=admin.id)
    if created:
        changes.append(auditlog.Change("set_quota", "village_quota", str(quota.id), None, {"headcount": QUOTA}))
    clerk = db.session.execute(select(User).where(User.village_id == village.id)).scalars().first()
    reviewer = db.session.execute(select(User).where(User.township_id == village.township_id)).scalars().first()
    plans = [(*p, "approved") for p in DEMO_POSTS] + ([(*WAITING_POST, "submitted")] if waiting else [])
    for category, title, duties, amount, unit, headcount, state in plans:
        decided = {"decided_by": reviewer.id, "decided_at": utcnow()} if state == "approved" else {}
        post, created = _get_or_add(
            Post, {"village_id": village.id, "title": title}, category=category, duties=duties,
            workload_amount=Decimal(amount), workload_unit=unit, headcount=headcount, schedule="full_time",
            subsidy=Decimal(STANDARDS[category]), funding_source="linkage_fund", start_date=start,
            end_date=term_last_day(start), need_reason=f"{village.name}{duties}，需要专人负责", state=state,
            created_by=clerk.id, submitted_by=clerk.id, submitted_at=utcnow(), **decided)
        if created:
            changes.append(auditlog.Change("create", "post", str(post.id), None,
                                           {"title": title, "state": state, "headcount": headcount}))


def _user(username, full_name, role: Role, password, changes, **place) -> None:
    user, created = _get_or_add(User, {"username": username}, full_name=full_name, role=role.value,
                                password_hash=password, locale="zh_CN", active=True, failed_logins=0,
                                must_change_password=False, **place)
    if created:
        changes.append(auditlog.Change("create", "user", str(user.id), None, {"username": username, "role": role}))


CATEGORY_WEIGHTS = [(HouseholdCategory.LIFTED, 5), (HouseholdCategory.MONITORED, 3),
                    (HouseholdCategory.LOW_INCOME, 2), (HouseholdCategory.GENERAL, 2)]


def _households(rng: random.Random, village: Village, used_ids: set[str], changes) -> None:
    """Ten households a village: heads, spouses, grown children; a cadre household with a declared sibling."""
    cadre: Person | None = None
    for h_index in range(1, 11):
        category = rng.choices([c for c, _ in CATEGORY_WEIGHTS], [w for _, w in CATEGORY_WEIGHTS])[0]
        household, created = _get_or_add(
            Household, {"village_id": village.id, "number": f"{village.code[-6:]}{h_index:03d}"},
            category=category.value, risk_eliminated=False, address=f"{village.name}{h_index}组",
            monitored_subtype=rng.choice(list(MonitoredSubtype)).value
            if category is HouseholdCategory.MONITORED else None,
        )
        if created:
            changes.append(auditlog.Change("create", "household", str(household.id), None,
                                           {"number": household.number, "category": category}))
        surname = rng.choice(SURNAMES)
        members = [("head", True, rng.randint(1955, 1990))]
        members.append(("spouse", not members[0][1], members[0][2] + rng.randint(-3, 3)))
        if rng.random() < 0.7:
            members.append(("child", rng.random() < 0.5, min(members[0][2] + rng.randint(22, 30), 2006)))
        for m_index, (relation, male, year) in enumerate(members):
            birth = date(year, 1, 1) + timedelta(days=rng.randrange(0, 365))
            number = resident_id(rng, birth, male, used_ids)
            person, created = _person(rng, household, village, number, birth, male, relation,
                                      surname if relation != "spouse" else None)
            if created:
                changes.append(auditlog.Change("create", "person", str(person.id), None,
                                               {"household_id": household.id}))
            if h_index == 1 and m_index == 0:
                cadre = person
            if h_index == 2 and m_index == 0 and cadre is not None:
                rel, created = _get_or_add(Relationship, {"person_id": cadre.id, "relative_id": person.id},
                                           kind="sibling", village_id=village.id)
                if created:
                    changes.append(auditlog.Change("create", "relationship", str(rel.id), None,
                                                   {"kind": "sibling"}))


def _person(rng, household, village, number, birth, male, relation, surname):
    capacity = rng.choices(list(LabourCapacity), [5, 3, 2, 1])[0]
    status = rng.choices(list(EmploymentStatus), [2, 2, 2, 1, 1, 1, 3])[0]
    disabled = rng.random() < 0.12
    return _get_or_add(
        Person, {"id_number": number},
        household_id=household.id, village_id=village.id, name=_name(rng, surname), birth_date=birth,
        sex="M" if male else "F", relation_to_head=relation, labour_capacity=capacity.value,
        disabled=disabled, disability_grade=rng.randint(1, 4) if disabled else None,
        phone=f"13{rng.randrange(0, 10**9):09d}",
        bank_name="农村商业银行", bank_account=f"6228{rng.randrange(0, 10**15):015d}",
        employment_status=status.value,
        monthly_income=Decimal(rng.choice([0, 0, 800, 1500, 2600, 3800])).quantize(Decimal("0.01")),
        training_wish=rng.choice(["", "", "家政", "电工", "种养殖"]),
        willing_to_migrate=status is EmploymentStatus.UNEMPLOYED and rng.random() < 0.4,
        deceased=False, is_cadre=(household.number.endswith("001") and relation == "head"),
    )
