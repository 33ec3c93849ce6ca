"""Payroll pages: the clerk's months, the township queue with its totals, a payroll and its actions, a line's
days, arrears and the home-page items; refusals shown with the input kept; another place's payroll is a 404."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.payroll import service
from portal.payroll.models import Payroll, PayrollLine
from tests.payroll_factories import TODAY, get_payroll, make_holders, make_payroll, mark_month, user


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(service, "county_today", lambda: TODAY)


def _in(app, fn, *args, **kw):
    with app.app_context():
        return fn(*args, **kw)


def _payroll(app, payroll_id: int) -> Payroll:
    with app.app_context():
        payroll = get_payroll(payroll_id)
        db.session.expunge(payroll)
        return payroll


def _lines(app, payroll_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.execute(select(PayrollLine.id).where(PayrollLine.payroll_id == payroll_id)
                                       .order_by(PayrollLine.id)).scalars())


def _holders(app, world, village="a1a", n=2, mark="present"):
    with app.app_context():
        ids = make_holders(world, village, n)
        mark_month(ids, 2026, 10, mark)
        return ids


# ---- the clerk ------------------------------------------------------------------------------------------


def test_clerk_sees_twelve_months_and_generates_an_ended_one(app, world, login):
    _holders(app, world)
    clerk = login("clerk")
    html = clerk.get("/payroll/").get_data(as_text=True)
    october = re.search(r'id="month-2026-10".*?</tr>', html, re.S).group(0)
    november = re.search(r'id="month-2026-11".*?</tr>', html, re.S).group(0)
    assert 'action="/payroll/generate"' in october and "disabled" not in october
    assert "disabled" in november and "2026年12月1日" in november
    assert html.count('id="month-') == 12
    resp = clerk.post("/payroll/generate", {"village_id": world.ids["a1a"], "year": 2026, "month": 10})
    assert resp.status_code == 302
    payroll_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    page = clerk.get(f"/payroll/{payroll_id}").get_data(as_text=True)
    assert page.count('data-line="') == 2 and "¥1,200.00" in page and 'id="village-actions"' in page
    assert "4228**********" in page  # masked IDs only
    again = clerk.post("/payroll/generate", {"village_id": world.ids["a1a"], "year": 2026, "month": 10})
    assert again.status_code == 302 and "month=2026-10" in again.headers["Location"]
    assert str(payroll_id) in clerk.get(again.headers["Location"]).get_data(as_text=True)  # the conflict names it


def test_the_current_month_cannot_be_generated_through_the_page(app, world, login):
    _holders(app, world)
    clerk = login("clerk")
    resp = clerk.post("/payroll/generate", {"village_id": world.ids["a1a"], "year": 2026, "month": 11},
                      follow_redirects=True)
    assert "alert-danger" in resp.get_data(as_text=True) and "2026年12月1日" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Payroll.id)) is None


def test_clerk_cannot_generate_for_another_village_nor_approve(app, world, login):
    payroll_id = _in(app, make_payroll, world, state="submitted")
    clerk = login("clerk")
    assert clerk.post("/payroll/generate", {"village_id": world.ids["a1b"], "year": 2026,
                                            "month": 10}).status_code == 404
    assert clerk.post(f"/payroll/{payroll_id}/approve").status_code == 403
    assert login("auditor").post("/payroll/generate", {"village_id": world.ids["a1a"], "year": 2026,
                                                       "month": 10}).status_code == 403


# ---- the whole journey through the pages ------------------------------------------------------------------


def test_submit_return_approve_pay_through_the_pages(app, world, login):
    payroll_id = _in(app, make_payroll, world, state="draft")
    clerk, reviewer = login("clerk"), login("reviewer")
    assert clerk.post(f"/payroll/{payroll_id}/submit").status_code == 302
    assert _payroll(app, payroll_id).state == "submitted"
    page = reviewer.get(f"/payroll/{payroll_id}").get_data(as_text=True)
    assert 'id="decide"' in page and 'id="village-actions"' not in page
    resp = reviewer.post(f"/payroll/{payroll_id}/return", {"return-reason": "  "})
    assert resp.status_code == 400 and "invalid-feedback" in resp.get_data(as_text=True)
    assert reviewer.post(f"/payroll/{payroll_id}/return", {"return-reason": "张三10月8日考勤待核"}).status_code == 302
    page = clerk.get(f"/payroll/{payroll_id}").get_data(as_text=True)
    assert 'id="return-reason"' in page and "张三10月8日考勤待核" in page
    assert clerk.post(f"/payroll/{payroll_id}/submit").status_code == 302
    assert reviewer.post(f"/payroll/{payroll_id}/approve").status_code == 302
    assert _payroll(app, payroll_id).approved_on == TODAY
    page = reviewer.get(f"/payroll/{payroll_id}").get_data(as_text=True)
    assert 'id="payment"' in page
    resp = reviewer.post(f"/payroll/{payroll_id}/pay", {"pay-paid_on": "2026-11-23", "pay-bank_reference": "REF-8841"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "invalid-feedback" in html and 'value="REF-8841"' in html
    assert 'value="2026-11-23"' in html
    resp = reviewer.post(f"/payroll/{payroll_id}/pay", {"pay-paid_on": "2026-11-22", "pay-bank_reference": "REF-8841"})
    assert resp.status_code == 302
    paid = _payroll(app, payroll_id)
    assert (paid.state, paid.paid_on, paid.bank_reference) == ("paid", TODAY, "REF-8841")
    page = reviewer.get(f"/payroll/{payroll_id}").get_data(as_text=True)
    assert 'id="paid"' in page and "REF-8841" in page and 'id="payment"' not in page and 'id="decide"' not in page
    again = reviewer.post(f"/payroll/{payroll_id}/approve")
    assert again.status_code == 409 and "alert-danger" in again.get_data(as_text=True)


def test_adjustments_through_the_page_keep_the_input_on_refusal(app, world, login):
    def setup():
        october = make_payroll(world, holders=1, state="paid")
        appointment_id = db.session.scalar(select(PayrollLine.appointment_id).where(PayrollLine.payroll_id == october))
        mark_month([appointment_id], 2026, 11)
        return service.generate(user("clerk"), world.ids["a1a"], 2026, 11, date(2026, 12, 1)).id, appointment_id

    november, appointment_id = _in(app, setup)
    clerk = login("clerk")
    form = {"adj-appointment": appointment_id, "adj-adjusts": "2026-10", "adj-amount": "0",
            "adj-reason": "补发10月漏记"}
    resp = clerk.post(f"/payroll/{november}/adjustments", form)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "invalid-feedback" in html and "补发10月漏记" in html
    assert clerk.post(f"/payroll/{november}/adjustments", {**form, "adj-amount": "66.67"}).status_code == 302
    page = clerk.get(f"/payroll/{november}").get_data(as_text=True)
    assert 'id="adjustments"' in page and "¥66.67" in page
    line_id = _lines(app, november)[-1]
    assert clerk.post(f"/payroll/{november}/adjustments/{line_id}/remove").status_code == 302
    assert len(_lines(app, november)) == 1


# ---- the queue ----------------------------------------------------------------------------------------------


def test_the_reviewer_queue_has_every_village_with_totals_and_the_missing(app, world, login):
    def setup():
        a = make_payroll(world, "a1a", holders=2, state="submitted")
        make_holders(world, "a1b", 3)  # a1b: holders but no payroll yet
        return a

    payroll_id = _in(app, setup)
    html = login("reviewer").get("/payroll/?month=2026-10").get_data(as_text=True)
    assert 'id="waiting"' in html and f"/payroll/{payroll_id}" in html
    assert re.search(r'id="total-villages">\s*1 / 2', html)
    assert "¥1,200.00" in re.search(r'id="total-amount">[^<]*', html).group(0)
    assert 'id="shown-lines">2<' in html
    missing = re.search(r'id="missing".*?</section>', html, re.S).group(0)
    assert "石门村" in missing and 'action="/payroll/generate"' in missing and ">3<" in missing
    filtered = login("reviewer").get("/payroll/?month=2026-10&state=approved").get_data(as_text=True)
    assert f'href="/payroll/{payroll_id}#decide"' not in filtered
    default = login("reviewer").get("/payroll/").get_data(as_text=True)  # the previous month by default
    assert 'value="2026-10"' in default


def test_county_roles_read_the_queue_by_township_without_actions(app, world, login):
    payroll_id = _in(app, make_payroll, world, state="submitted")
    for username in ("auditor", "admin"):
        c = login(username)
        html = c.get(f"/payroll/?month=2026-10&township={world.ids['a1']}").get_data(as_text=True)
        assert f"/payroll/{payroll_id}" in html and "柳岸村" not in html and 'action="/payroll/generate"' not in html
        whole = c.get("/payroll/?month=2026-10").get_data(as_text=True)
        assert "柳岸村" in whole  # every township's villages, missing ones included
        page = c.get(f"/payroll/{payroll_id}").get_data(as_text=True)
        assert 'id="decide"' not in page and 'id="village-actions"' not in page
    assert login("admin_b").get(f"/payroll/?month=2026-10&township={world.ids['a1']}").status_code == 200
    assert "青竹村" not in login("admin_b").get("/payroll/?month=2026-10").get_data(as_text=True)


# ---- scope ------------------------------------------------------------------------------------------------


def test_another_places_payroll_and_lines_are_404(app, world, login):
    payroll_id = _in(app, make_payroll, world, "a1a", state="draft")
    other_id = _in(app, make_payroll, world, "a1b", state="draft")
    line_id, other_line = _lines(app, payroll_id)[0], _lines(app, other_id)[0]
    for username in ("clerk_b", "admin_b"):
        c = login(username)
        assert c.get(f"/payroll/{payroll_id}").status_code == 404, username
        assert c.get(f"/payroll/{payroll_id}/lines/{line_id}").status_code == 404, username
    assert login("clerk_b").post(f"/payroll/{payroll_id}/submit").status_code == 404
    clerk = login("clerk")
    assert clerk.get(f"/payroll/{payroll_id}/lines/{other_line}").status_code == 404  # a line of another payroll
    assert clerk.get(f"/payroll/{other_id}").status_code == 404
    for username in ("reviewer2", "auditor", "admin"):
        assert login(username).get(f"/payroll/{payroll_id}/lines/{line_id}").status_code == 200, username


# ---- a line's days ----------------------------------------------------------------------------------------


def test_a_line_opens_to_its_daily_marks_and_the_formula(app, world, login):
    def setup():
        ids = make_holders(world, n=1)
        mark_month(ids, 2026, 10, days=[date(2026, 10, d) for d in (8, 9, 10, 12)])
        mark_month(ids, 2026, 10, "half", days=[date(2026, 10, 13)])
        return service.generate(user("clerk"), world.ids["a1a"], 2026, 10, TODAY).id

    payroll_id = _in(app, setup)
    line_id = _lines(app, payroll_id)[0]
    html = login("reviewer").get(f"/payroll/{payroll_id}/lines/{line_id}").get_data(as_text=True)
    assert html.count('data-day="2026-10-') == 31
    assert "600.00 × 4.5 / 18" in html and "600.00 × 18 / 18" in html and "150.0000" in html
    assert re.search(r'id="line-amount">¥150.00<', html)
    row = re.search(r'data-day="2026-10-13".*?</tr>', html, re.S).group(0)
    assert "半天" in row or "Half day" in row
    assert "badge" in row  # the factory set it today, long after the day: a late change is shown
    assert 'id="window"' in html


# ---- arrears and the home page ------------------------------------------------------------------------------


def test_overdue_payrolls_are_listed_and_on_the_home_pages(app, world, login):
    payroll_id = _in(app, make_payroll, world, year=2026, month=9, state="approved", today=date(2026, 10, 10))
    for username in ("reviewer", "admin", "auditor"):
        c = login(username)
        html = c.get("/payroll/arrears").get_data(as_text=True)
        assert f'data-payroll="{payroll_id}"' in html and ">13" in html, username  # 43 days since approval
        home = c.get("/", follow_redirects=True).get_data(as_text=True)  # the auditor's: the desk
        assert 'href="/payroll/arrears"' in home and "text-bg-danger" in home, username
        # the home page names the payroll, its days overdue and the stage it waits in (payment, since approval)
        assert "青竹村 2026年9月" in home and "逾期 13 天" in home and "乡镇待发放已 43 天" in home, username
    assert f'data-payroll="{payroll_id}"' not in login("admin_b").get("/payroll/arrears").get_data(as_text=True)


def test_home_items_for_clerk_and_reviewer(app, world, login):
    _holders(app, world)
    home = login("clerk").get("/").get_data(as_text=True)
    assert 'href="/payroll/?state=missing"' in home  # October ended without a payroll
    _in(app, make_payroll, world, "a1b", state="submitted")
    home = login("reviewer").get("/").get_data(as_text=True)
    assert 'href="/payroll/?waiting=submitted#waiting"' in home


@pytest.mark.parametrize("username", ["clerk", "reviewer", "reviewer2", "auditor", "admin"])
def test_every_payroll_page_renders_for_every_role_of_the_scope(app, world, login, username):
    payroll_id = _in(app, make_payroll, world, state="approved")
    line_id = _lines(app, payroll_id)[0]
    c = login(username)
    for url in ("/payroll/", "/payroll/?month=2026-10&state=approved", "/payroll/?state=missing",
                f"/payroll/{payroll_id}", f"/payroll/{payroll_id}/lines/{line_id}", "/payroll/arrears"):
        resp = c.get(url)
        assert resp.status_code == 200, (username, url)
        assert 'lang="zh-CN"' in resp.get_data(as_text=True)
    page = c.get(f"/payroll/{payroll_id}").get_data(as_text=True)
    assert ('id="payment"' in page) == username.startswith("reviewer")
    assert ('id="file-bank-csv"' in page) == (username in ("reviewer", "reviewer2", "admin"))
