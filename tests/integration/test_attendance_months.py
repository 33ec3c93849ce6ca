"""The per holder-month summary of marks (attendance_months), written by every save in the save's transaction:
counts, the day-by-day pattern, the save delays; rebuilt in bulk by the loaders and by the migration."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from portal.attendance import service
from portal.attendance import summary as summaries
from portal.attendance.models import AttendanceMark, AttendanceMonth
from portal.attendance.rules import Mark
from portal.attendance.service import Change
from portal.extensions import db
from tests.payroll_factories import make_holders, mark_month, user

TODAY = date(2026, 11, 22)  # a Sunday
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # 18:00 in the county on TODAY


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch):
    monkeypatch.setattr(service, "county_today", lambda: TODAY)
    monkeypatch.setattr(service, "utcnow", lambda: NOW)


def _save(world, changes, village="a1a"):
    return service.save_marks(user("clerk"), world.ids[village], changes, today=TODAY)


def _month(appointment_id, year=2026, month=11) -> AttendanceMonth | None:
    db.session.expire_all()
    return db.session.execute(select(AttendanceMonth).where(
        AttendanceMonth.appointment_id == appointment_id, AttendanceMonth.year == year,
        AttendanceMonth.month == month)).scalar_one_or_none()


def _row(m: AttendanceMonth) -> tuple:
    return (m.appointment_id, m.village_id, m.year, m.month, m.present, m.half, m.leave, m.absent, m.pattern,
            m.delays, m.max_delay)


# ---- pure ----------------------------------------------------------------------------------------


def test_the_pattern_is_four_day_masks_in_hex():
    assert summaries.pattern_of([]) == "0" * 32
    assert summaries.pattern_of([(1, "present")]) == "00000001" + "0" * 24
    assert summaries.pattern_of([(31, "absent"), (2, "half")]) == "00000000" "00000002" "00000000" "40000000"
    assert summaries.pattern_of([(3, "leave"), (1, "present")]) == summaries.pattern_of([(1, "present"),
                                                                                         (3, "leave")])


def test_delays_are_a_histogram_in_ascending_days():
    assert summaries.delays_text([]) == ""
    assert summaries.delays_text([8, 0, 0, 12, 8]) == "0:2,8:2,12:1"
    assert summaries.parse_delays("0:2,8:2,12:1") == {0: 2, 8: 2, 12: 1}
    assert summaries.parse_delays("") == {}


def test_a_save_delay_is_counted_in_county_days():
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Shanghai")
    day = date(2026, 11, 12)
    assert summaries.save_delay(day, datetime(2026, 11, 12, 15, 59, tzinfo=UTC), zone) == 0  # 23:59 county
    assert summaries.save_delay(day, datetime(2026, 11, 12, 16, 0, tzinfo=UTC), zone) == 1  # 00:00 next day
    assert summaries.save_delay(day, datetime(2026, 11, 11, 16, 0, tzinfo=UTC), zone) == 0  # the day itself
    assert summaries.save_delay(day, datetime(2026, 11, 1, 0, 0, tzinfo=UTC), zone) == 0  # before: never negative


# ---- written by the save ----------------------------------------------------------------------------


def test_a_save_writes_the_holder_month_summary(world, ctx):
    (a,) = make_holders(world, "a1a", 1)
    _save(world, [Change(a, date(2026, 11, 20), Mark.PRESENT), Change(a, date(2026, 11, 19), Mark.HALF),
                  Change(a, date(2026, 11, 18), Mark.ABSENT), Change(a, date(2026, 10, 30), Mark.LEAVE)])
    nov, octo = _month(a), _month(a, 2026, 10)
    assert (nov.village_id, nov.present, nov.half, nov.leave, nov.absent) == (world.ids["a1a"], 1, 1, 0, 1)
    assert nov.pattern == summaries.pattern_of([(20, "present"), (19, "half"), (18, "absent")])
    assert (nov.delays, nov.max_delay) == ("2:1,3:1,4:1", 4)
    assert (octo.leave, octo.delays, octo.max_delay) == (1, "23:1", 23)


def test_a_change_and_a_clear_update_the_summary(world, ctx):
    (a,) = make_holders(world, "a1a", 1)
    _save(world, [Change(a, date(2026, 11, d), Mark.PRESENT) for d in (16, 17, 18)])
    before = _month(a).pattern
    _save(world, [Change(a, date(2026, 11, 17), Mark.LEAVE), Change(a, date(2026, 11, 18), None)])
    m = _month(a)
    assert (m.present, m.leave, m.half, m.absent) == (1, 1, 0, 0)
    assert m.pattern == summaries.pattern_of([(16, "present"), (17, "leave")]) != before
    assert m.delays == "5:1,6:1"


def test_clearing_the_last_mark_of_a_month_deletes_its_summary(world, ctx):
    (a,) = make_holders(world, "a1a", 1)
    _save(world, [Change(a, date(2026, 11, 20), Mark.PRESENT), Change(a, date(2026, 10, 20), Mark.PRESENT)])
    _save(world, [Change(a, date(2026, 11, 20), None)])
    assert _month(a) is None
    assert _month(a, 2026, 10).present == 1  # the other month stays


def test_holders_with_identical_marks_on_identical_days_share_a_pattern(world, ctx):
    a, b, c = make_holders(world, "a1a", 3)
    days = [date(2026, 11, d) for d in (16, 17, 18, 19, 20)]
    _save(world, [Change(h, d, Mark.PRESENT) for h in (a, b, c) for d in days])
    _save(world, [Change(c, days[0], None), Change(c, date(2026, 11, 21), Mark.PRESENT)])  # one day moved
    pa, pb, pc = _month(a).pattern, _month(b).pattern, _month(c).pattern
    assert pa == pb
    assert pc != pa and _month(c).present == _month(a).present == 5  # same count, other days


def test_a_late_save_shows_in_the_delays(world, ctx):
    (a,) = make_holders(world, "a1a", 1)
    _save(world, [Change(a, date(2026, 11, 22), Mark.PRESENT), Change(a, date(2026, 11, 14), Mark.PRESENT),
                  Change(a, date(2026, 11, 15), Mark.PRESENT)])
    m = _month(a)
    assert (m.delays, m.max_delay) == ("0:1,7:1,8:1", 8)


def test_a_refused_save_leaves_the_summary_alone(world, ctx):
    (a,) = make_holders(world, "a1a", 1)
    _save(world, [Change(a, date(2026, 11, 20), Mark.PRESENT)])
    with pytest.raises(service.MarksRefused):
        _save(world, [Change(a, date(2026, 11, 19), Mark.PRESENT), Change(a, date(2026, 11, 30), Mark.PRESENT)])
    assert _month(a).present == 1


# ---- written in bulk ----------------------------------------------------------------------------------


def _mixed_marks(world):
    """Two villages' holders with marks of every kind saved at different delays (written directly)."""
    a, b = make_holders(world, "a1a", 2)
    (c,) = make_holders(world, "a1b", 1)
    rows = []
    for k, appointment_id in enumerate((a, b, c)):
        for d in range(1, 29):
            day = date(2026, 9 + d % 2, d)
            mark = ("present", "half", "leave", "absent")[(d + k) % 4]
            saved = datetime.combine(day, time(10), UTC) if d % 3 else datetime(2026, 11, 3, 17, tzinfo=UTC)
            rows.append({"appointment_id": appointment_id, "village_id": world.ids["a1b" if appointment_id == c
                                                                                     else "a1a"],
                         "day": day, "mark": mark, "set_by": None, "set_at": saved})
    db.session.execute(insert(AttendanceMark.__table__), rows)
    db.session.commit()
    return a, b, c


def _all_rows():
    db.session.expire_all()
    return sorted(_row(m) for m in db.session.execute(select(AttendanceMonth)).scalars())


def test_the_bulk_rebuild_writes_what_the_refresh_writes(world, ctx):
    a, b, c = _mixed_marks(world)
    summaries.refresh_months([(h, 2026, m) for h in (a, b, c) for m in (9, 10)])
    db.session.commit()
    by_refresh = _all_rows()
    assert len(by_refresh) == 6 and any(r[-2].count(",") >= 2 for r in by_refresh)
    db.session.execute(AttendanceMonth.__table__.delete())
    db.session.commit()
    summaries.rebuild_months(None, date(2026, 9, 1), date(2026, 10, 31))
    db.session.commit()
    assert _all_rows() == by_refresh


def test_a_village_rebuild_touches_only_its_villages_and_months(world, ctx):
    a, b, c = _mixed_marks(world)
    summaries.rebuild_months(None, date(2026, 9, 1), date(2026, 10, 31))
    db.session.commit()
    db.session.execute(AttendanceMark.__table__.delete().where(AttendanceMark.appointment_id == a,
                                                               AttendanceMark.day >= date(2026, 10, 1)))
    db.session.execute(AttendanceMark.__table__.delete().where(AttendanceMark.appointment_id == c))
    summaries.rebuild_months([world.ids["a1a"]], date(2026, 10, 5), date(2026, 10, 6))  # whole October
    db.session.commit()
    assert [r[:4] for r in _all_rows()] == sorted([
        (a, world.ids["a1a"], 2026, 9), (b, world.ids["a1a"], 2026, 9), (b, world.ids["a1a"], 2026, 10),
        (c, world.ids["a1b"], 2026, 9), (c, world.ids["a1b"], 2026, 10)])  # a1b not rebuilt: stale, as asked


def test_the_factory_keeps_the_summaries(world, ctx):
    ids = make_holders(world, "a1a", 2)
    mark_month(ids, 2026, 3, saved_after=9)
    rows = [_month(h, 2026, 3) for h in ids]
    assert rows[0].pattern == rows[1].pattern and rows[0].present == 22
    assert (rows[0].delays, rows[0].max_delay) == ("9:22", 9)
    assert db.session.scalar(select(func.count(AttendanceMonth.id))) == 2


# ---- the migration fills the table from the marks already kept ---------------------------------------------


def test_the_migration_summarises_existing_marks(app, tmp_path):
    """On a scratch SQLite database at 0004 with marks, upgrading to 0005 fills attendance_months."""
    from flask_migrate import upgrade

    from portal import create_app
    from tests.conftest import ROOT

    url = f"sqlite:///{tmp_path / 'scratch.db'}"
    scratch = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    with scratch.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="0004_workshops")
        db.engine.dispose()
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # marks alone stand for their holders here
        rows = [(7, 3, "2026-03-02", "present", "2026-03-02 10:00:00.000000"),
                (7, 3, "2026-03-03", "half", "2026-03-12 17:00:00.000000"),  # 01:00 on the 13th in the county
                (7, 3, "2026-04-01", "leave", "2026-04-01 01:00:00.000000"),
                (8, 3, "2026-03-02", "present", "2026-03-02 10:00:00.000000")]
        conn.execute(text("INSERT INTO attendance_marks (appointment_id, village_id, day, mark, set_by, set_at) "
                          "VALUES (:a, :v, :d, :m, NULL, :s)"),
                     [dict(zip("avdms", r, strict=True)) for r in rows])
        conn.commit()
    engine.dispose()
    with scratch.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        got = db.session.execute(text("SELECT appointment_id, village_id, year, month, present, half, leave, "
                                      "absent, pattern, delays, max_delay FROM attendance_months "
                                      "ORDER BY appointment_id, year, month")).all()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(r) for r in got] == [
        (7, 3, 2026, 3, 1, 1, 0, 0, summaries.pattern_of([(2, "present"), (3, "half")]), "0:1,10:1", 10),
        (7, 3, 2026, 4, 0, 0, 1, 0, summaries.pattern_of([(1, "leave")]), "0:1", 0),
        (8, 3, 2026, 3, 1, 0, 0, 0, summaries.pattern_of([(2, "present")]), "0:1", 0)]
