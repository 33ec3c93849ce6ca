"""The demo county: a fictional county (云溪县) with 3 townships, 12 villages, users of every role,
households and people with valid resident IDs (the register, loaded as a bulk import would, dated early last
year), and then its year told through the services users go through, each step on its day
(portal.demo.story: posts and holders, attendance, payrolls, workshops, the audit's planted cases and the
auditor's first run). Deterministic, and idempotent: a second run adds nothing.
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
from portal.core.clock import county_moment, county_today, told
from portal.demo.audit import plant, run_demo_audit
from portal.demo.duty import keep_attendance
from portal.demo.hiring import plan_the_year
from portal.demo.payroll import pay_the_year
from portal.demo.story import Story
from portal.demo.workshops import open_workshops
from portal.extensions import db
from portal.places.models import County, Township, Village
from portal.posts.models import Post
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
    """Create whatever of the demo county is missing; tell its year once (portal.demo.story); return the logins."""
    today = county_today()
    with told(county_moment(date(today.year - 1, 1, 10), 9)):  # the register was taken early last year
        county, logins = _register()
    if db.session.execute(select(Post.id).join(Village, Village.id == Post.village_id).join(
            Township, Township.id == Village.township_id).where(Township.county_id == county.id)).first():
        return logins  # the story has been told
    from portal.attendance.service import county_calendar

    story = Story(county.id, today, county_calendar(county.id))
    plant(story)  # first: the planted cases tell the clerks and the payrolls what to do differently
    plan_the_year(story)
    keep_attendance(story)
    pay_the_year(story)
    open_workshops(story)
    run_demo_audit(story)
    story.run()
    return logins


def _register() -> tuple[County, list[DemoLogin]]:
    """The county, its townships and villages, the users of every role and the labour register (idempotent)."""
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
    auditlog.record_many("demo", changes)
    db.session.commit()
    return county, logins


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
