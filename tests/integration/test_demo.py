"""The demo county: complete, valid IDs, and a second run changes nothing.

The county is built once and checked part by part (a build takes seconds, twice that on PostgreSQL); each part
is a function of its own, named for what it holds."""

from datetime import date

from sqlalchemy import func, select
from stdnum.cn import ric

from portal.accounts.models import User
from portal.attendance.models import AttendanceMark
from portal.core.auditlog import AuditEntry, verify_chain
from portal.core.clock import county_today
from portal.demo.county import build_demo
from portal.extensions import db
from portal.payroll.models import Payroll
from portal.places.models import County, Township, Village
from portal.posts.models import Appointment, Post, SubsidyStandard, VillageQuota
from portal.registry.models import Household, Person, Relationship
from portal.workshops import queries
from portal.workshops.models import Assessment, MonthlyReport, Workshop, WorkshopEmployee

MODELS = (County, Township, Village, User, Household, Person, Relationship, AuditEntry, Post, SubsidyStandard,
          VillageQuota, Appointment, AttendanceMark, Payroll, Workshop, MonthlyReport)


def _counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def _a_county_with_every_role(logins):
    counts = _counts()
    assert (counts["County"], counts["Township"], counts["Village"]) == (1, 3, 12)
    roles = {r for (r,) in db.session.execute(select(User.role).distinct())}
    assert roles == {"village_clerk", "township_reviewer", "county_auditor", "county_admin"}
    assert len(logins) == counts["User"] == 17
    assert counts["Household"] == 120 and counts["Person"] > 240
    assert counts["Relationship"] == 12
    planted = 1 if county_today().month >= 5 else 0  # 桃源村's river-care post of the audit's 一户多岗 case
    assert (counts["SubsidyStandard"], counts["VillageQuota"], counts["Post"]) == (10, 12, 27 + planted)
    states = list(db.session.execute(select(Post.state)).scalars())
    assert (states.count("approved"), states.count("submitted")) == (24 + planted, 3)  # one waiting per township
    ids = db.session.execute(select(Person.id_number)).scalars().all()
    assert all(ric.is_valid(n) for n in ids)
    assert verify_chain().ok


def _people_have_derived_birth_dates_and_sex():
    from portal.registry.rules import parse_resident_id

    for person in db.session.execute(select(Person).limit(50)).scalars():
        parsed = parse_resident_id(person.id_number)
        assert (person.birth_date, person.sex) == (parsed.birth_date, parsed.sex.value)


def _holders_have_attendance_and_payrolls_in_every_state():
    from portal.payroll import arrears

    holders = db.session.execute(select(Appointment).where(Appointment.state == "active")).scalars().all()
    assert len(holders) >= 30
    marked = set(db.session.execute(select(AttendanceMark.appointment_id).distinct()).scalars())
    today = county_today()
    if today > date(today.year, 1, 2):
        assert {a.id for a in holders} <= marked  # every holder has marks since the posts began
    assert db.session.scalar(select(func.max(AttendanceMark.day))) < today  # never a mark on a future day
    states = set(db.session.execute(select(Payroll.state)).scalars())
    if today.month >= 4:  # the last month and two before it exist: every state is shown
        assert states == {"draft", "submitted", "returned", "approved", "paid"}
        admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        assert arrears.overdue(admin, today), "one village's payroll waits for payment past the deadline"
    workshops = {w.name: w.state for w in db.session.execute(select(Workshop)).scalars()}
    assert len(workshops) == 3 and workshops["柳岸竹编帮扶车间"] == "exiting"  # under 5 aided for 6 months
    assert verify_chain().ok


def _the_audit_finds_one_case_of_every_detector_or_more():
    """Each detector's planted case is found by the auditor's first run; one finding is answered by its
    township and one is closed with the amount recovered."""
    from portal.audit.detectors import all_detectors
    from portal.audit.models import AuditRun, Finding

    if county_today().month < 7:  # the cases need six ended months of this year
        return
    found = set(db.session.execute(select(Finding.detector)).scalars())
    assert found == set(all_detectors()) - {"field_check"}
    late = db.session.execute(select(Village.name).join(Finding, Finding.village_id == Village.id)
                              .where(Finding.detector == "late_marks")).scalars().all()
    assert late == ["杏花村"], "the other clerks save their marks every week, in time"
    favoured = {int(i) for i in db.session.execute(
        select(Finding.subject_id).where(Finding.detector == "favouritism")).scalars()}
    marked = set(db.session.execute(select(Appointment.id).where(Appointment.conflicts != "")).scalars())
    assert favoured == marked, "the holders the audit finds are those the nomination service marked"
    states = {s for (s,) in db.session.execute(select(Finding.state).distinct())}
    assert states == {"open", "responded", "closed"}
    assert db.session.scalar(select(func.count(AuditRun.id))) == 1


def _workshops_employ_aided_people_and_the_assessment_counts_only_them():
    """The demo's workshops tell the truth about 脱贫劳动力: every employee counted as aided comes from a lifted
    or monitored household and is no cadre, so last year's reward tier rests on aided employees only."""
    rows = db.session.execute(select(WorkshopEmployee.workshop_id, Household.category, Person.is_cadre)
                              .join(Person, Person.id == WorkshopEmployee.person_id)
                              .join(Household, Household.id == Person.household_id)).all()
    assert rows and {category for _w, category, _c in rows} <= {"lifted", "monitored"}
    assert not any(cadre for *_rest, cadre in rows)
    aided = {w.name: len(queries.aided_employees(w, *_last_month(w))) for w in
             db.session.execute(select(Workshop)).scalars()}
    states = {w.name: w.state for w in db.session.execute(select(Workshop)).scalars()}
    assert aided["青竹服饰帮扶车间"] >= 5 and states["青竹服饰帮扶车间"] == "normal"  # enough aided: no watch
    assert aided["柳岸竹编帮扶车间"] == 3 and states["柳岸竹编帮扶车间"] == "exiting"  # under 5 for 6 months
    for a in db.session.execute(select(Assessment)).scalars():
        stable = [int(i) for i in a.stable_person_ids.split(",") if i]
        categories = set(db.session.execute(select(Household.category).join(
            Person, Person.household_id == Household.id).where(Person.id.in_(stable))).scalars())
        assert categories <= {"lifted", "monitored"} and a.stable_aided == len(stable)


def _last_month(workshop):
    from portal.core.clock import county_today
    from portal.workshops.rules import month_of, previous_month

    return previous_month(month_of(county_today()))


def test_the_demo_county(ctx):
    logins = build_demo()
    _a_county_with_every_role(logins)
    _people_have_derived_birth_dates_and_sex()
    _holders_have_attendance_and_payrolls_in_every_state()
    _workshops_employ_aided_people_and_the_assessment_counts_only_them()
    _the_audit_finds_one_case_of_every_detector_or_more()
    from portal.audit.models import AuditRun, Finding

    first = _counts(), db.session.scalar(select(func.count(AuditRun.id))), db.session.scalar(
        select(func.count(Finding.id)))
    build_demo()  # a second build changes nothing: it neither plants again nor runs the audit again
    assert (_counts(), db.session.scalar(select(func.count(AuditRun.id))),
            db.session.scalar(select(func.count(Finding.id)))) == first
    assert verify_chain().ok
