"""Attendance and payroll at county scale: 300 villages, 20 000 holders, a year of marks (about 5 million).

Builds the county in a temporary SQLite file (and, with PORTAL_BENCH_DATABASE_URL, in a throwaway PostgreSQL
database), then times:
- loading the year of marks (target ≤ 2 minutes), and reading the year back for the whole county;
- generating all 300 village payrolls of one month beside its floor, one INSERT … SELECT … GROUP BY (target
  ≤ 1.5× the floor; benchmarks.payroll_month), and the generation's peak memory (target < 300 MB);
- rendering the payroll sheet PDF of a 2 000-line township (target ≤ 2 s).
Not tests: the figures are printed. PORTAL_BENCH_HOLDERS scales the county down for a quick look.
"""

from __future__ import annotations

import os
import time
import zlib
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal

from benchmarks.registry_import import ROOT, on_both_databases

HOLDERS = int(os.environ.get("PORTAL_BENCH_HOLDERS", "20000"))
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 10, 30
BIG_VILLAGE = 80  # the grid benchmark's village: 80 holders
YEAR = 2025  # a whole past year: every day may carry a mark
MONTH = 10  # October: National Day holidays and adjusted weekend workdays
GRID_MONTH = 4  # April 2025: 22 working days
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华建国军平伟芳秀英兰红霞玉桂珍凤梅丽强磊洋勇艳杰娟涛超"


def _holders_per_village(villages: int) -> list[int]:
    counts = [HOLDERS // villages] * villages
    for i in range(HOLDERS - sum(counts)):
        counts[i] += 1
    if HOLDERS >= villages * 20:
        extra = BIG_VILLAGE - counts[0]
        counts[0] = BIG_VILLAGE
        for i in range(1, extra + 1):
            counts[-i] -= 1
    return counts


def build_county(app) -> dict:
    """Places, users, households, people, posts and active appointments, bulk-inserted."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.places.models import County, Township, Village
    from portal.posts.models import Appointment, Post
    from portal.registry.models import Household, Person
    from portal.registry.rules import with_check_digit

    now = datetime.now(UTC)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        county = County(code="422825000000", name="云溪县")
        db.session.add(county)
        townships = [Township(county=county, code=f"422825{101 + t:03d}000", name=f"第{t + 1}镇")
                     for t in range(TOWNSHIPS)]
        villages = [Village(township=tw, code=f"{tw.code[:9]}{201 + v:03d}", name=f"{tw.name}{v + 1}村")
                    for tw in townships for v in range(VILLAGES_PER_TOWNSHIP)]
        db.session.add_all(townships + villages)
        db.session.flush()
        admin = User(username="admin", full_name="县管理员", password_hash="!", role="county_admin",
                     county_id=county.id, locale="zh_CN", active=True, failed_logins=0, must_change_password=False)
        clerk = User(username="clerk", full_name="村经办员", password_hash="!", role="village_clerk",
                     village_id=villages[0].id, locale="zh_CN", active=True, failed_logins=0,
                     must_change_password=False)
        db.session.add_all([admin, clerk])
        db.session.flush()
        counts = _holders_per_village(len(villages))
        households, people, posts = [], [], []
        n = 0
        for village, count in zip(villages, counts, strict=True):
            for k in range(count):
                households.append({"village_id": village.id, "number": f"{n + 1:05d}", "category": "lifted",
                                   "risk_eliminated": False, "address": "", "created_at": now, "updated_at": now})
                born = date(1965, 1, 1) + timedelta(days=(n // 900) * 97)
                people.append({"village_id": village.id, "name": SURNAMES[n % 20] + GIVEN[n % 28] + GIVEN[n * 7 % 27],
                               "id_number": with_check_digit(f"422825{born:%Y%m%d}{n % 900 + 100:03d}"),
                               "birth_date": born, "sex": "M" if n % 2 else "F", "relation_to_head": "head",
                               "labour_capacity": "full", "disabled": False, "phone": "",
                               "bank_name": "农村商业银行", "bank_account": f"62258800{n:010d}",
                               "employment_status": "welfare_post", "monthly_income": Decimal("0.00"),
                               "training_wish": "", "willing_to_migrate": False, "deceased": False,
                               "is_cadre": False, "note": "", "created_at": now, "updated_at": now})
                if k % 10 == 0:
                    part_time = len(posts) % 7 == 6
                    posts.append({"village_id": village.id, "category": "cleaning", "title": f"保洁员{k // 10 + 1}组",
                                  "duties": "村道保洁", "workload_amount": Decimal("5"), "workload_unit": "km",
                                  "headcount": 10, "schedule": "part_time" if part_time else "full_time",
                                  "required_days": 12 if part_time else None,
                                  "subsidy": Decimal("500.00") if part_time else Decimal("800.00"),
                                  "funding_source": "linkage_fund", "start_date": date(YEAR, 1, 1),
                                  "end_date": date(YEAR, 12, 31), "need_reason": "按需设岗", "state": "approved",
                                  "created_by": clerk.id, "return_reason": "", "created_at": now, "updated_at": now})
                n += 1
        db.session.execute(insert(Household.__table__), households)
        hh_ids = db.session.execute(select(Household.id).order_by(Household.id)).scalars().all()
        for person, hh in zip(people, hh_ids, strict=True):
            person["household_id"] = hh
        db.session.execute(insert(Person.__table__), people)
        db.session.execute(insert(Post.__table__), posts)
        person_rows = db.session.execute(select(Person.id, Person.household_id, Person.village_id)
                                         .order_by(Person.id)).all()
        post_rows = db.session.execute(select(Post.id, Post.village_id).order_by(Post.id)).all()
        posts_by_village: dict[int, list[int]] = {}
        for post_id, village_id in post_rows:
            posts_by_village.setdefault(village_id, []).append(post_id)
        appointments, seen = [], {}
        for i, (person_id, hh, village_id) in enumerate(person_rows):
            k = seen[village_id] = seen.get(village_id, -1) + 1
            exited = date(YEAR, 7, 16) if i % 41 == 40 and i >= BIG_VILLAGE else None  # some leave mid-year
            appointments.append({"post_id": posts_by_village[village_id][k // 10], "village_id": village_id,
                                 "person_id": person_id, "household_id": hh,
                                 "state": "exited" if exited else "active", "rank": 1, "rank_reasons": "",
                                 "choice_reason": "", "conflicts": "", "justification": "",
                                 "conflict_person_ids": "", "nominated_by": clerk.id, "nominated_at": now,
                                 "reject_reason": "", "start_date": date(YEAR, 1, 1) + timedelta(days=i % 5),
                                 "end_date": date(YEAR, 12, 31), "exited_on": exited, "created_at": now})
        db.session.execute(insert(Appointment.__table__), appointments)
        db.session.commit()
        return {"county_id": county.id, "village_ids": [v.id for v in villages], "admin_id": admin.id,
                "clerk_id": clerk.id, "township_id": townships[0].id}


MARKS = ("present",) * 92 + ("half",) * 3 + ("leave",) * 3 + ("absent",) * 2


def year_of_marks(app, last: date | None = None):
    """(appointment_id, village_id, day, mark) for every working day of each holder's window (up to `last`),
    in chunks."""
    from sqlalchemy import select

    from portal.core.calendar import WorkCalendar
    from portal.extensions import db
    from portal.posts.models import Appointment

    days = WorkCalendar().working_days(date(YEAR, 1, 1), last or date(YEAR, 12, 31))
    with app.app_context():
        rows = db.session.execute(select(Appointment.id, Appointment.village_id, Appointment.start_date,
                                         Appointment.exited_on)).all()
    chunk = []
    for appointment_id, village_id, start, exited in rows:
        for day in days:
            if day < start or (exited is not None and day >= exited):
                continue
            chunk.append((appointment_id, village_id, day,
                          MARKS[zlib.crc32(f"{appointment_id}{day}".encode()) % 100]))
            if len(chunk) >= 100_000:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def load_marks(app, clerk_id: int, on_the_day: bool = False, last: date | None = None) -> int:
    """Write the year of marks with the driver's fastest path (COPY on PostgreSQL, executemany on SQLite), all
    saved at the year's end, or (`on_the_day`) each saved at 10:00 UTC on the day it records, as a village
    that keeps its attendance does (the audit's late-mark detector reads the difference)."""
    stamp = datetime(YEAR, 12, 31, 12, tzinfo=UTC)
    day_stamps: dict[date, datetime] = {}

    def saved(day: date) -> datetime:
        if not on_the_day:
            return stamp
        if day not in day_stamps:
            day_stamps[day] = datetime.combine(day, clock_time(10), UTC)
        return day_stamps[day]

    return write_marks(app, ([(a, v, d, m, clerk_id, saved(d)) for a, v, d, m in chunk]
                             for chunk in year_of_marks(app, last)))


def write_marks(app, chunks) -> int:
    """Write chunks of (appointment, village, day, mark, setter, saved at) rows with the driver's fastest path:
    COPY on PostgreSQL, executemany on SQLite (dates and stamps as SQLite's text, each stamp formatted once)."""
    from portal.extensions import db

    total = 0
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if db.engine.dialect.name == "postgresql":
                sql = "COPY attendance_marks (appointment_id, village_id, day, mark, set_by, set_at) FROM STDIN"
                with cursor.copy(sql) as copy:
                    for chunk in chunks:
                        for row in chunk:
                            copy.write_row(row)
                        total += len(chunk)
            else:
                sql = ("INSERT INTO attendance_marks (appointment_id, village_id, day, mark, set_by, set_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)")
                texts: dict[datetime, str] = {}
                for chunk in chunks:
                    rows = []
                    for a, v, d, m, setter, at in chunk:
                        ts = texts.get(at)
                        if ts is None:
                            ts = texts[at] = at.strftime("%Y-%m-%d %H:%M:%S.%f")
                        rows.append((a, v, d.isoformat(), m, setter, ts))
                    cursor.executemany(sql, rows)
                    total += len(chunk)
            raw.commit()
        finally:
            raw.close()
    return total


def _timed(label: str, fn, target: str = ""):
    started = time.perf_counter()
    result = fn()
    took = time.perf_counter() - started
    print(f"  {label:<52} {took:8.3f} s   {target}")
    return result, took


def run(url: str) -> None:
    from sqlalchemy import func, select

    from benchmarks.payroll_month import payroll_row
    from portal import create_app
    from portal.attendance.models import AttendanceMark
    from portal.extensions import db
    from portal.payroll import sheet_pdf
    from portal.payroll.models import Payroll
    from portal.places.models import Township

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    facts, _took = _timed(f"build the county ({HOLDERS:,} holders)", lambda: build_county(app))
    total, took = _timed("load the year of marks", lambda: load_marks(app, facts["clerk_id"]), "target ≤ 120 s")
    print(f"  -> {total:,} marks, {total / took:,.0f} marks/s")
    with app.app_context():
        from portal.attendance.summary import rebuild_months

        _timed("holder-month summaries of the year (bulk rebuild)",
               lambda: (rebuild_months(None, date(YEAR, 1, 1), date(YEAR, 12, 31)), db.session.commit()))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()

        def read_year():
            rows = db.session.execute(select(AttendanceMark.appointment_id, AttendanceMark.day, AttendanceMark.mark)
                                      .where(AttendanceMark.day >= date(YEAR, 1, 1),
                                             AttendanceMark.day <= date(YEAR, 12, 31))).all()
            return len(rows)

        _timed("read the year of marks back (whole county)", read_year)
        db.session.commit()
    payroll_row(app, url, facts, YEAR, MONTH)
    with app.app_context():
        lines = db.session.scalar(select(func.sum(Payroll.line_count)).where(Payroll.year == YEAR,
                                                                            Payroll.month == MONTH))
        print(f"  -> {lines:,} lines, total ¥{db.session.scalar(select(func.sum(Payroll.total))):,}")

        township = db.session.get(Township, facts["township_id"])
        payrolls = db.session.execute(select(Payroll).where(Payroll.year == YEAR, Payroll.month == MONTH,
                                                            Payroll.village_id.in_([v.id for v in township.villages]))
                                      .order_by(Payroll.village_id)).scalars().all()
        lines = sum(p.line_count for p in payrolls)
        pdf, took = _timed(f"township payroll sheet PDF ({lines:,} lines)",
                           lambda: sheet_pdf.township_sheet(township, YEAR, MONTH, payrolls), "target ≤ 2 s")
        print(f"  -> {len(pdf) / 1e6:.1f} MB")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    print(f"Attendance and payroll, {HOLDERS:,} holders in {TOWNSHIPS * VILLAGES_PER_TOWNSHIP} villages, "
          f"year {YEAR}")
    on_both_databases("portal-bench-payroll-", run)


if __name__ == "__main__":
    main()
