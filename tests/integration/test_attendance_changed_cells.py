"""A save writes only the cells whose mark changes, audits them in one compact row from which every cell's before
and after reads back, and keeps the holder-month summaries equal to what a rebuild from the marks writes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.attendance import overrides, service, summary
from portal.attendance.models import AttendanceMark, AttendanceMonth
from portal.attendance.rules import Mark
from portal.attendance.service import Change, MarksRefused
from portal.core.auditlog import AuditEntry
from portal.extensions import db
from tests.exit_factories import make_holder, user

TODAY = date(2026, 11, 22)  # a Sunday
FIRST, SECOND = datetime(2026, 11, 22, 2, tzinfo=UTC), datetime(2026, 11, 22, 3, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(service, "county_today", lambda: TODAY)
    monkeypatch.setattr(overrides, "county_today", lambda: TODAY)


def _save(world, changes, at: datetime, monkeypatch, **kw):
    monkeypatch.setattr(service, "utcnow", lambda: at)
    return service.save_marks(user("clerk"), world.ids["a1a"], changes, today=TODAY, **kw)


def _stored() -> dict[tuple[int, date], tuple[str, datetime]]:
    db.session.expire_all()
    return {(m.appointment_id, m.day): (m.mark, m.set_at) for m in db.session.execute(select(AttendanceMark)).scalars()}


def _audit() -> list[AuditEntry]:
    return list(db.session.execute(select(AuditEntry).where(AuditEntry.action == "attendance.set")
                                   .order_by(AuditEntry.seq)).scalars())


def _summaries() -> list[tuple]:
    db.session.expire_all()
    return [(r.appointment_id, r.year, r.month, r.present, r.half, r.leave, r.absent, r.pattern, r.delays,
             r.max_delay) for r in db.session.execute(select(AttendanceMonth).order_by(
                 AttendanceMonth.appointment_id, AttendanceMonth.year, AttendanceMonth.month)).scalars()]


def test_only_the_changed_cells_are_written(world, ctx, monkeypatch):
    a, b = make_holder(world), make_holder(world)
    days = [date(2026, 11, d) for d in (16, 17, 18, 19, 20)]
    _save(world, [Change(h, d, Mark.PRESENT) for h in (a, b) for d in days], FIRST, monkeypatch)
    again = [Change(h, d, Mark.PRESENT) for h in (a, b) for d in days]  # the whole grid posted back …
    again[1] = Change(a, days[1], Mark.HALF)  # … with two cells changed and one cleared
    again[7] = Change(b, days[2], Mark.ABSENT)
    again[9] = Change(b, days[4], None)
    result = _save(world, again, SECOND, monkeypatch)
    assert (result.changed, result.unchanged) == (3, 7)
    stored = _stored()
    assert stored[(a, days[1])] == ("half", SECOND) and stored[(b, days[2])] == ("absent", SECOND)
    assert (b, days[4]) not in stored
    untouched = {k: v for k, v in stored.items() if k not in {(a, days[1]), (b, days[2])}}
    assert len(untouched) == 7 and all(v == ("present", FIRST) for v in untouched.values())  # not rewritten


def test_a_save_that_changes_nothing_writes_nothing(world, ctx, monkeypatch):
    a = make_holder(world)
    _save(world, [Change(a, date(2026, 11, 20), Mark.LEAVE)], FIRST, monkeypatch)
    result = _save(world, [Change(a, date(2026, 11, 20), Mark.LEAVE), Change(a, date(2026, 11, 19), None)], SECOND,
                   monkeypatch)
    assert (result.changed, result.unchanged) == (0, 2)
    assert _stored() == {(a, date(2026, 11, 20)): ("leave", FIRST)} and len(_audit()) == 1


def test_a_posted_grid_passes_its_read_only_cells_unchanged_and_is_refused_for_a_changed_one(world, ctx,
                                                                                             monkeypatch):
    a = make_holder(world, start=date(2026, 11, 18))
    grid = [Change(a, date(2026, 11, 17), None),  # before the holder's start, empty: as it was
            Change(a, date(2026, 11, 25), None),  # the future, empty: as it was
            Change(a, date(2026, 11, 18), Mark.PRESENT)]
    assert _save(world, grid, FIRST, monkeypatch, only_changes=True).changed == 1
    with pytest.raises(MarksRefused) as err:  # one call, one mark: every cell asked for is checked
        _save(world, grid, FIRST, monkeypatch)
    assert {c.code for c in err.value.cells} == {"outside_window", "future"}
    with pytest.raises(MarksRefused) as err:
        _save(world, [*grid, Change(a, date(2026, 11, 25), Mark.HALF)], SECOND, monkeypatch, only_changes=True)
    assert [(c.day, c.code) for c in err.value.cells] == [(date(2026, 11, 25), "future")]
    assert _stored() == {(a, date(2026, 11, 18)): ("present", FIRST)}


def test_the_compact_audit_row_holds_every_changed_cell_before_and_after(world, ctx, monkeypatch):
    a, b = make_holder(world), make_holder(world)
    _save(world, [Change(a, date(2026, 10, 30), Mark.PRESENT), Change(a, date(2026, 11, 2), Mark.HALF),
                  Change(b, date(2026, 11, 3), Mark.LEAVE)], FIRST, monkeypatch)
    _save(world, [Change(a, date(2026, 10, 30), Mark.ABSENT),  # changed, in October
                  Change(a, date(2026, 11, 2), None),  # cleared
                  Change(a, date(2026, 11, 4), Mark.PRESENT),  # new
                  Change(b, date(2026, 11, 3), Mark.LEAVE),  # unchanged: not in the row
                  Change(b, date(2026, 11, 20), None)], SECOND, monkeypatch)  # nothing to clear: not in the row
    rows = _audit()
    assert len(rows) == 2
    before, after = json.loads(rows[1].before), json.loads(rows[1].after)
    assert sorted(after) == sorted(before) == [f"{a}/2026-10", f"{a}/2026-11"]  # one key per holder-month
    assert len(after[f"{a}/2026-10"]) == 31 and len(after[f"{a}/2026-11"]) == 30
    assert service.cells_of_audit(before, after) == {
        (a, date(2026, 10, 30)): ("present", "absent"), (a, date(2026, 11, 2)): ("half", None),
        (a, date(2026, 11, 4)): (None, "present")}
    first = service.cells_of_audit(json.loads(rows[0].before), json.loads(rows[0].after))
    assert first == {(a, date(2026, 10, 30)): (None, "present"), (a, date(2026, 11, 2)): (None, "half"),
                     (b, date(2026, 11, 3)): (None, "leave")}


def test_older_audit_rows_keyed_by_cell_still_read_back():
    assert service.cells_of_audit({"7/2026-11-19": "half", "7/2026-11-20": None},
                                  {"7/2026-11-19": "leave", "7/2026-11-20": "present"}) == {
        (7, date(2026, 11, 19)): ("half", "leave"), (7, date(2026, 11, 20)): (None, "present")}


def test_a_whole_grid_save_is_one_short_audit_row(world, ctx, monkeypatch):
    holders = [make_holder(world) for _ in range(4)]
    cells = [Change(h, date(2026, 11, d), Mark.PRESENT) for h in holders for d in range(2, 21)]
    _save(world, cells, FIRST, monkeypatch)
    (row,) = _audit()
    assert len(json.loads(row.after)) == 4  # a string per holder, not an entry per cell
    assert len(service.cells_of_audit(json.loads(row.before), json.loads(row.after))) == len(cells)


def test_the_summaries_stay_what_a_rebuild_writes_after_partial_saves(world, ctx, monkeypatch):
    a, b = make_holder(world), make_holder(world)
    october = [date(2026, 10, d) for d in range(8, 31)]
    _save(world, [Change(h, d, Mark.PRESENT) for h in (a, b) for d in october], FIRST, monkeypatch)
    _save(world, [Change(a, date(2026, 10, 9), Mark.HALF), Change(a, date(2026, 10, 12), None),
                  Change(b, date(2026, 11, 2), Mark.ABSENT)], SECOND, monkeypatch)
    _save(world, [Change(b, date(2026, 11, 2), None)], SECOND, monkeypatch)  # November loses its only mark
    refreshed = _summaries()
    assert [(r[0], r[2]) for r in refreshed] == [(a, 10), (b, 10)]
    assert refreshed[0][3:7] == (len(october) - 2, 1, 0, 0)
    summary.rebuild_months([world.ids["a1a"]], date(2026, 10, 1), date(2026, 11, 30))
    db.session.commit()
    assert _summaries() == refreshed


def test_the_summaries_are_right_in_a_zone_with_summer_time(world, ctx, app, monkeypatch):
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "Europe/Berlin")  # SQLite refreshes in Python
    a = make_holder(world)
    late = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # 26 October in Berlin: a day after the 25th
    _save(world, [Change(a, date(2026, 10, 23), Mark.PRESENT), Change(a, date(2026, 10, 25), Mark.HALF)], late,
          monkeypatch)
    zone = summary.county_zone()
    expected = summary.summarise([(date(2026, 10, 23), "present", late), (date(2026, 10, 25), "half", late)], zone)
    row = db.session.execute(select(AttendanceMonth)).scalar_one()
    assert (row.present, row.half, row.pattern, row.delays, row.max_delay) == (
        1, 1, expected["pattern"], expected["delays"], expected["max_delay"])
    assert row.delays == "1:1,3:1"
