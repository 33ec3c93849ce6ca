"""Attendance pages: the clerk's day view (JSON taps and plain posts), the month grid (save, refusals, fill),
read-only grids for the township and county, scope, and the county's working-day calendar."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.attendance import overrides, service
from portal.attendance.models import AttendanceMark
from portal.core.auditlog import AuditEntry
from portal.core.workdays import WorkdayOverride
from portal.extensions import db
from tests.exit_factories import make_holder, user

TODAY = date(2026, 11, 22)  # a Sunday
FRIDAY = date(2026, 11, 20)
NAME = "测试人p_a1a"


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(service, "county_today", lambda: TODAY)
    monkeypatch.setattr(overrides, "county_today", lambda: TODAY)


def _holder(app, world, *args, **kw) -> int:
    with app.app_context():
        return make_holder(world, *args, **kw)


def _marks(app) -> dict[tuple[int, date], str]:
    with app.app_context():
        return {(m.appointment_id, m.day): m.mark for m in db.session.execute(select(AttendanceMark)).scalars()}


def _set(app, world, changes) -> None:
    with app.app_context():
        service.save_marks(user("clerk"), world.ids["a1a"], changes, today=TODAY)


def _tap(c, appt, day, mark):
    return c.http.post("/attendance/marks", json={"appointment_id": appt, "day": day.isoformat(), "mark": mark},
                       headers={"X-CSRFToken": c.csrf})


def _cell(html: str, appt: int, day: int) -> str:
    found = re.search(rf'<td class="([^"]*)"[^>]*>\s*<input name="c{appt}_{day}"([^>]*)>', html)
    assert found, f"no cell c{appt}_{day}"
    return found.group(1) + " |" + found.group(2)


# ---- the day view ---------------------------------------------------------------------------------


def test_day_view_lists_the_holders_with_four_buttons(app, world, login):
    appt = _holder(app, world)
    _holder(app, world, "p_a1b")  # another village's holder is not listed
    html = login("clerk").get(f"/attendance/day?day={FRIDAY.isoformat()}").get_data(as_text=True)
    assert NAME in html and "测试人p_a1b" not in html and "村庄保洁员" in html
    assert html.count(f'name="appointment_id" value="{appt}"') == 1
    assert all(f'value="{m}"' in html for m in ("present", "half", "leave", "absent"))
    assert 'id="att-marked">0<' in html and 'id="att-holders">1<' in html
    assert 'data-csrf="' in html and "js/attendance.js" in html
    assert 'id="next-day"' in html and 'id="prev-day"' in html


def test_day_view_defaults_to_today_and_has_no_next_day(app, world, login):
    _holder(app, world)
    html = login("clerk").get("/attendance/day").get_data(as_text=True)
    assert 'value="2026-11-22"' in html and 'id="next-day"' not in html


def test_a_json_tap_saves_and_answers_json(app, world, login):
    appt = _holder(app, world)
    c = login("clerk")
    resp = _tap(c, appt, FRIDAY, "half")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert body["ok"] is True and body["mark"] == "half" and (body["marked"], body["holders"]) == (1, 1)
    assert body["label"] and body["message"]
    assert _marks(app) == {(appt, FRIDAY): "half"}
    cleared = _tap(c, appt, FRIDAY, "").get_json()
    assert cleared["ok"] and cleared["mark"] is None and cleared["marked"] == 0
    assert _marks(app) == {}
    assert _tap(c, appt, FRIDAY, "absent").get_json()["mark"] == "absent"
    assert _tap(c, appt, FRIDAY, None).get_json()["mark"] is None  # null clears too
    assert _marks(app) == {}
    html = c.get(f"/attendance/day?day={FRIDAY.isoformat()}").get_data(as_text=True)
    assert 'id="att-marked">0<' in html


def test_a_refused_tap_answers_422_with_the_sentence(app, world, login):
    appt = _holder(app, world)
    resp = _tap(login("clerk"), appt, date(2026, 11, 23), "present")
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["ok"] is False and body["error"]["code"] == "future" and "2026年11月23日" in body["error"]["message"]
    assert _marks(app) == {}


def test_a_tap_without_the_csrf_header_is_refused(app, world, login):
    appt = _holder(app, world)
    c = login("clerk")
    resp = c.http.post("/attendance/marks", json={"appointment_id": appt, "day": "2026-11-20", "mark": "present"})
    assert resp.status_code in (302, 303, 400)
    assert _marks(app) == {}


def test_a_bad_tap_is_a_400(app, world, login):
    appt = _holder(app, world)
    c = login("clerk")
    assert _tap(c, appt, FRIDAY, "sick").status_code == 400
    resp = c.http.post("/attendance/marks", json={"appointment_id": appt, "day": "yesterday", "mark": "present"},
                       headers={"X-CSRFToken": c.csrf})
    assert resp.status_code == 400 and resp.get_json()["ok"] is False


def test_the_plain_form_post_saves_and_redirects_back(app, world, login):
    appt = _holder(app, world)
    c = login("clerk")
    resp = c.post("/attendance/marks", {"appointment_id": appt, "day": FRIDAY.isoformat(), "mark": "leave"})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/attendance/day?day=2026-11-20#h{appt}")
    assert _marks(app) == {(appt, FRIDAY): "leave"}
    html = c.get(f"/attendance/day?day={FRIDAY.isoformat()}").get_data(as_text=True)
    assert 'class="att-btn att-leave selected"' in html and 'aria-pressed="true"' in html


def test_the_plain_form_post_of_a_refused_day_flashes_the_sentence(app, world, login):
    appt = _holder(app, world)
    c = login("clerk")
    resp = c.post("/attendance/marks", {"appointment_id": appt, "day": "2026-11-25", "mark": "present"})
    assert resp.status_code == 303
    html = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "2026-11-25" in html and 'class="alert alert-danger"' in html
    assert _marks(app) == {}


def test_a_future_day_shows_its_reason_instead_of_buttons(app, world, login):
    _holder(app, world)
    html = login("clerk").get("/attendance/day?day=2026-11-24").get_data(as_text=True)
    assert 'id="day-refused" data-code="future"' in html and "2026-11-24" in html
    assert 'class="att-tap"' not in html


def test_a_locked_day_shows_its_reason_instead_of_buttons(app, world, login):
    _holder(app, world)
    with app.app_context():
        service.lock_month(user("clerk"), world.ids["a1a"], 2026, 10)
        db.session.commit()
    html = login("clerk").get("/attendance/day?day=2026-10-15").get_data(as_text=True)
    assert 'data-code="locked"' in html and 'class="att-tap"' not in html


def test_clerk_b_cannot_tap_another_villages_holder(app, world, login):
    appt = _holder(app, world)
    c = login("clerk_b")
    assert _tap(c, appt, FRIDAY, "present").status_code == 404
    assert NAME not in c.get(f"/attendance/day?day={FRIDAY.isoformat()}").get_data(as_text=True)
    assert _marks(app) == {}


@pytest.mark.parametrize("who", ["reviewer", "admin", "auditor"])
def test_other_roles_cannot_tap(app, world, login, who):
    appt = _holder(app, world)
    c = login(who)
    assert _tap(c, appt, FRIDAY, "present").status_code == 403
    assert c.get("/attendance/day").status_code == 302  # sent to the grid


# ---- the month grid -------------------------------------------------------------------------------


def test_grid_renders_shading_read_only_cells_late_marks_and_totals(app, world, login):
    late_starter = _holder(app, world, start=date(2026, 10, 12))
    _set(app, world, [service.Change(late_starter, date(2026, 10, 12), service.Mark.PRESENT),
                      service.Change(late_starter, date(2026, 10, 13), service.Mark.HALF)])
    html = login("clerk").get("/attendance/grid?month=2026-10").get_data(as_text=True)
    assert NAME in html and 'id="att-grid"' in html and 'class="att-grid editable"' in html
    assert 'id="d1" class="k-holiday"' in html  # National Day
    assert 'id="d10" class="k-adjusted"' in html  # a Saturday made a working day
    assert 'id="d11" class="k-weekend"' in html
    assert 'id="d12" class="k-work"' in html
    outside = _cell(html, late_starter, 11)
    assert " ro" in outside and " out" in outside and "readonly" in outside
    assert f'aria-describedby="w{late_starter}"' in outside and "2026年10月12日" in outside
    inside = _cell(html, late_starter, 12)
    assert "readonly" not in inside and 'value="√"' in inside
    assert " late" in inside and "测试clerk" in inside  # set on 2026-11-22, after the day: who and when
    assert 'data-t="present">1<' in html and 'data-t="half">1<' in html and 'data-t="duty">1.5<' in html
    assert 'data-t="required">18<' in html  # October 2026 has 18 working days
    assert html.count("<input name=\"c") == 31


def test_future_and_locked_cells_are_read_only_with_their_reason(app, world, login):
    appt = _holder(app, world)
    with app.app_context():
        service.lock_month(user("clerk"), world.ids["a1a"], 2026, 10)
        db.session.commit()
    c = login("clerk")
    november = c.get("/attendance/grid").get_data(as_text=True)
    assert "readonly" not in _cell(november, appt, 22)
    future = _cell(november, appt, 23)
    assert " ro" in future and 'aria-describedby="why-future"' in future and "2026年11月23日" in future
    assert 'id="why-future"' in november
    october = c.get("/attendance/grid?month=2026-10").get_data(as_text=True)
    locked = _cell(october, appt, 5)
    assert "readonly" in locked and 'aria-describedby="why-locked"' in locked
    assert 'id="month-locked"' in october


def test_grid_save_writes_the_changed_cells_and_flashes_the_count(app, world, login):
    appt = _holder(app, world)
    _set(app, world, [service.Change(appt, date(2026, 11, 2), service.Mark.PRESENT)])
    c = login("clerk")
    resp = c.post("/attendance/grid?month=2026-11", {
        "action": "save", f"c{appt}_2": "√", f"c{appt}_3": "1", f"c{appt}_4": "h", f"c{appt}_5": "假",
        f"c{appt}_6": "", f"c{appt}_25": ""})  # an untouched future cell is a no-op
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    assert _marks(app) == {(appt, date(2026, 11, d)): m for d, m in
                           ((2, "present"), (3, "present"), (4, "half"), (5, "leave"))}
    html = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert re.search(r'class="alert alert-success"[^>]*>[^<]*\b3\b', html)
    resp = c.post("/attendance/grid?month=2026-11", {"action": "save", f"c{appt}_5": "×", f"c{appt}_4": ""})
    assert resp.status_code == 303
    assert _marks(app)[(appt, date(2026, 11, 5))] == "absent" and (appt, date(2026, 11, 4)) not in _marks(app)


def test_grid_save_with_one_refused_cell_writes_nothing_and_keeps_the_typed_values(app, world, login):
    appt = _holder(app, world, start=date(2026, 11, 4))
    c = login("clerk")
    resp = c.post("/attendance/grid?month=2026-11", {
        "action": "save", f"c{appt}_3": "1", f"c{appt}_5": "2", f"c{appt}_6": "a"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert _marks(app) == {}
    assert 'id="grid-problems"' in html and "2026年11月3日" in html
    refused = _cell(html, appt, 3)
    assert " bad" in refused and 'aria-invalid="true"' in refused and 'value="√"' in refused
    assert "readonly" not in refused  # the clerk can clear what was refused
    assert f'aria-describedby="p{appt}_3"' in refused and f'<li id="p{appt}_3">' in html
    assert 'value="½"' in _cell(html, appt, 5) and 'data-o=""' in _cell(html, appt, 5)
    assert 'value="×"' in _cell(html, appt, 6) and " chg" in _cell(html, appt, 6)
    with app.app_context():
        assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "attendance.set")).first() is None


def test_grid_save_reads_the_cells_the_script_packs_into_one_field(app, world, login):
    """The page's script sends the changed cells as one JSON field; it counts as those cells posted one by one,
    and a refused cell in it keeps its typed text on the page like any other."""
    appt = _holder(app, world, start=date(2026, 11, 4))
    c = login("clerk")
    packed = json.dumps({f"c{appt}_4": "√", f"c{appt}_5": "h", f"c{appt}_6": "", f"c{appt}_40": "√", "x": "1"})
    resp = c.post("/attendance/grid?month=2026-11", {"action": "save", "cells": packed})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    assert _marks(app) == {(appt, date(2026, 11, 4)): "present", (appt, date(2026, 11, 5)): "half"}
    resp = c.post("/attendance/grid?month=2026-11", {"action": "save", "cells": json.dumps({f"c{appt}_3": "1"})})
    assert resp.status_code == 422 and 'value="√"' in _cell(resp.get_data(as_text=True), appt, 3)
    for broken in ("{", "[1, 2]", json.dumps({f"c{appt}_5": 3})):  # not cells: nothing is read from it
        resp = c.post("/attendance/grid?month=2026-11", {"action": "save", "cells": broken})
        assert resp.status_code == 303
    assert _marks(app)[(appt, date(2026, 11, 5))] == "half"


def test_grid_save_of_text_that_is_no_mark_is_refused(app, world, login):
    appt = _holder(app, world)
    resp = login("clerk").post("/attendance/grid?month=2026-11",
                               {"action": "save", f"c{appt}_3": "1", f"c{appt}_4": "zz"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert " bad" in _cell(html, appt, 4) and 'value="zz"' in _cell(html, appt, 4)
    assert _marks(app) == {}


def test_fill_a_range_without_js_fills_working_empty_cells_then_save_writes_them(app, world, login):
    a = _holder(app, world)
    b = _holder(app, world)
    _set(app, world, [service.Change(a, date(2026, 11, 3), service.Mark.LEAVE)])
    c = login("clerk")
    resp = c.post("/attendance/grid?month=2026-11", {
        "action": "fill", "who": "chosen", "h": str(a), "start": "2", "end": "8", "mark": "present",
        "only_working": "y", "only_empty": "y", f"c{a}_3": "假"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert _marks(app) == {(a, date(2026, 11, 3)): "leave"}  # filling saves nothing
    for day in (2, 4, 5, 6):
        assert 'value="√"' in _cell(html, a, day), day
    assert 'value="假"' in _cell(html, a, 3)  # not empty: kept
    assert 'value=""' in _cell(html, a, 7) and 'value=""' in _cell(html, a, 8)  # the weekend
    assert 'value=""' in _cell(html, b, 2)  # not ticked
    assert f'name="h" value="{a}" aria-label' in html and "checked" in html.split(f'name="h" value="{a}"')[1][:200]
    assert 'class="alert alert-info"' in html
    cells = {m.group(1): m.group(2) for m in re.finditer(r'<input name="(c\d+_\d+)" value="([^"]*)"', html)}
    resp = c.post("/attendance/grid?month=2026-11", {"action": "save", **cells})
    assert resp.status_code == 303
    assert _marks(app) == {(a, date(2026, 11, d)): ("leave" if d == 3 else "present") for d in (2, 3, 4, 5, 6)}


def test_fill_all_holders_including_weekends_and_overwriting(app, world, login):
    a, b = _holder(app, world), _holder(app, world)
    _set(app, world, [service.Change(a, date(2026, 11, 3), service.Mark.LEAVE)])
    html = login("clerk").post("/attendance/grid?month=2026-11", {
        "action": "fill", "who": "all", "start": "1", "end": "30", "mark": "absent"}).get_data(as_text=True)
    assert 'value="×"' in _cell(html, a, 1) and 'value="×"' in _cell(html, b, 7)  # a Sunday and a Saturday
    assert 'value="×"' in _cell(html, a, 3)  # overwritten
    assert 'value=""' in _cell(html, a, 23)  # the future is never filled


def test_reviewer_reads_a_village_grid_of_the_township_and_not_outside(app, world, login):
    appt = _holder(app, world)
    _set(app, world, [service.Change(appt, FRIDAY, service.Mark.PRESENT)])
    c = login("reviewer")
    pick = c.get("/attendance/grid").get_data(as_text=True)
    assert 'id="pick-village"' in pick and "青竹村" in pick and "石门村" in pick and "柳岸村" not in pick
    html = c.get(f"/attendance/grid?village={world.ids['a1a']}&month=2026-11").get_data(as_text=True)
    assert NAME in html and 'id="read-only"' in html and "<input name=\"c" not in html
    assert 'class="att-grid"' in html and 'data-t="present">1<' in html
    assert c.get(f"/attendance/grid?village={world.ids['a2a']}").status_code == 404
    assert c.get(f"/attendance/grid?village={world.ids['b1a']}").status_code == 404
    assert c.post(f"/attendance/grid?village={world.ids['a1a']}&month=2026-11",
                  {"action": "save", f"c{appt}_19": "1"}).status_code == 403
    assert c.post("/attendance/grid?month=2026-11", {"action": "save", f"c{appt}_19": "1"}).status_code == 403
    assert len(_marks(app)) == 1


@pytest.mark.parametrize(("who", "inside", "outside"), [("auditor", "a2a", "b1a"), ("admin", "a1b", "b1a"),
                                                        ("admin_b", "b1a", "a1a")])
def test_county_roles_read_grids_of_their_county(app, world, login, who, inside, outside):
    c = login(who)
    assert c.get(f"/attendance/grid?village={world.ids[inside]}").status_code == 200
    assert c.get(f"/attendance/grid?village={world.ids[outside]}").status_code == 404


def test_clerk_b_cannot_open_another_villages_grid(app, world, login):
    appt = _holder(app, world)
    c = login("clerk_b")
    assert c.get(f"/attendance/grid?village={world.ids['a1a']}").status_code == 404
    own = c.get("/attendance/grid").get_data(as_text=True)
    assert NAME not in own and "石门村" in own
    resp = c.post("/attendance/grid?month=2026-11", {"action": "save", f"c{appt}_19": "1"})
    assert resp.status_code == 422  # another village's holder: refused, nothing written
    assert _marks(app) == {}


def test_month_navigation_and_a_bad_month_falls_back_to_this_month(app, world, login):
    _holder(app, world)
    c = login("clerk")
    html = c.get("/attendance/grid?month=2026-01").get_data(as_text=True)
    assert "month=2025-12" in html and "month=2026-02" in html
    assert 'value="2026-11"' in c.get("/attendance/grid?month=2026-13").get_data(as_text=True)


def test_a_grid_save_is_one_row_in_the_audit_log(app, world, login):
    appt = _holder(app, world)
    login("clerk").post("/attendance/grid?month=2026-11", {"action": "save", f"c{appt}_19": "1", f"c{appt}_20": "2"})
    html = login("auditor").get("/audit/log?entity=village_attendance").get_data(as_text=True)
    assert f"{appt}/2026-11-19" in html and f"{appt}/2026-11-20" in html and "present" in html
    assert html.count("attendance.set") + html.count("village_attendance") >= 1


# ---- the home page --------------------------------------------------------------------------------


def test_home_shows_holders_not_marked_today_on_working_days(app, world, login, monkeypatch):
    appt = _holder(app, world)
    _holder(app, world)
    c = login("clerk")
    assert "/attendance/day?unmarked=1" not in c.get("/").get_data(as_text=True)  # TODAY is a Sunday
    monday = date(2026, 11, 23)
    monkeypatch.setattr(service, "county_today", lambda: monday)
    html = c.get("/").get_data(as_text=True)
    assert 'href="/attendance/day?unmarked=1" data-count="2"' in html  # the list of the two not marked
    _tap(c, appt, monday, "present")
    assert 'href="/attendance/day?unmarked=1" data-count="1"' in c.get("/").get_data(as_text=True)


# ---- the working-day calendar ---------------------------------------------------------------------


def test_calendar_page_shows_the_year_for_every_role(app, world, login):
    for who in ("clerk", "reviewer", "auditor", "admin"):
        html = login(who).get("/attendance/calendar?year=2026").get_data(as_text=True)
        assert 'id="year-calendar"' in html and "国庆节" in html
        assert ('id="override-form"' in html) is (who == "admin")


def test_admin_adds_and_removes_an_override(app, world, login):
    c = login("admin")
    resp = c.post("/attendance/calendar", {"day": "2026-12-07", "working": "0", "note": "暴雪停工"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    html = c.get("/attendance/calendar?year=2026").get_data(as_text=True)
    assert "暴雪停工" in html and 'class="k-holiday local"' in html
    with app.app_context():
        row = db.session.execute(select(WorkdayOverride)).scalar_one()
        assert (row.day, row.working, row.county_id) == (date(2026, 12, 7), False, world.ids["ca"])
    assert c.post("/attendance/calendar/remove", {"override_id": row.id}).status_code == 303
    with app.app_context():
        assert db.session.execute(select(WorkdayOverride)).first() is None
        actions = db.session.execute(select(AuditEntry.action).where(
            AuditEntry.entity_type == "workday_override").order_by(AuditEntry.seq)).scalars().all()
    assert actions == ["add_override", "remove_override"]


def test_an_override_in_a_closed_month_is_refused_on_the_page(app, world, login):
    c = login("admin")
    resp = c.post("/attendance/calendar", {"day": "2026-10-30", "working": "0", "note": ""})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "2026年11月1日" in html and "invalid-feedback" in html and 'value="2026-10-30"' in html
    with app.app_context():
        assert db.session.execute(select(WorkdayOverride)).first() is None


@pytest.mark.parametrize("who", ["clerk", "reviewer", "auditor", "admin_b"])
def test_other_roles_cannot_post_overrides(app, world, login, who):
    admin = login("admin")
    admin.post("/attendance/calendar", {"day": "2026-12-07", "working": "0", "note": ""})
    with app.app_context():
        row_id = db.session.execute(select(WorkdayOverride.id)).scalar_one()
    c = login(who)
    expected = 404 if who == "admin_b" else 403
    assert c.post("/attendance/calendar/remove", {"override_id": row_id}).status_code == expected
    if who != "admin_b":
        assert c.post("/attendance/calendar", {"day": "2026-12-08", "working": "0"}).status_code == 403
    with app.app_context():
        assert len(db.session.execute(select(WorkdayOverride)).all()) == 1


def test_index_sends_the_clerk_to_the_day_and_others_to_the_grid(app, world, login):
    assert login("clerk").get("/attendance/").headers["Location"].endswith("/attendance/day")
    assert login("reviewer").get("/attendance/").headers["Location"].endswith("/attendance/grid")
