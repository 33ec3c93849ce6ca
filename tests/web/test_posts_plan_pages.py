"""Post plan pages: the clerk drafts and submits, the township decides from its queue, the county sets
standards and quotas; the ledger and its Excel; scope and roles on every page."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest

from portal.posts.plans.rules import term_last_day
from tests.posts_plans_support import approved_plan, day_before_open, new_plan, setup_county, start


@pytest.fixture
def county(world, app):
    with app.app_context():
        setup_county()
    return world


def _form(**changes) -> dict:
    values = {"category": "cleaning", "title": "保洁员", "duties": "村道保洁", "workload_amount": "5",
              "workload_unit": "公里", "headcount": "2", "schedule": "full_time", "required_days": "",
              "subsidy": "800.00", "funding_source": "linkage_fund", "start_date": start().isoformat(),
              "end_date": term_last_day(start()).isoformat(), "need_reason": "村内道路长，需要专人每天打扫保洁"}
    return values | changes


def _post_id(resp) -> int:
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def test_clerk_drafts_submits_reviewer_sees_queue_and_approves(county, login):
    clerk = login("clerk")
    assert 'id="new-post"' in clerk.get("/posts/").get_data(as_text=True)
    assert clerk.get("/posts/new").status_code == 200
    post_id = _post_id(clerk.post("/posts/new", _form()))
    assert clerk.post(f"/posts/{post_id}/submit").status_code == 302
    reviewer = login("reviewer")
    queue = reviewer.get("/posts/?state=submitted").get_data(as_text=True)
    assert 'id="queue-totals"' in queue and "1,600.00" in queue  # 2 people × 800
    detail = reviewer.get(f"/posts/{post_id}").get_data(as_text=True)
    assert 'id="btn-approve"' in detail and 'id="return-form"' in detail
    reviewer.post(f"/posts/{post_id}/approve")
    detail = reviewer.get(f"/posts/{post_id}").get_data(as_text=True)
    assert 'id="btn-approve"' not in detail and "reviewer" in detail  # history names the decider
    assert clerk.post(f"/posts/{post_id}/submit").status_code == 302  # refused, flashed, no change


def test_an_over_standard_plan_shows_the_numbers_on_submit(county, login):
    clerk = login("clerk")
    post_id = _post_id(clerk.post("/posts/new", _form(subsidy="800.01")))
    page = clerk.post(f"/posts/{post_id}/submit", follow_redirects=True).get_data(as_text=True)
    assert "800.00" in page and "800.01" in page


def test_a_broken_form_keeps_the_typed_input(county, login):
    clerk = login("clerk")
    end = (term_last_day(start()) + timedelta(days=1)).isoformat()
    resp = clerk.post("/posts/new", _form(end_date=end, title="护路员X"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "护路员X" in html and "is-invalid" in html


def test_return_with_reason_then_the_clerk_sees_it_and_resubmits(county, login, app):
    clerk = login("clerk")
    post_id = _post_id(clerk.post("/posts/new", _form()))
    clerk.post(f"/posts/{post_id}/submit")
    reviewer = login("reviewer")
    assert reviewer.post(f"/posts/{post_id}/return", {"reason": ""}).status_code == 422
    reviewer.post(f"/posts/{post_id}/return", {"reason": "请写明保洁路段"})
    assert "请写明保洁路段" in clerk.get(f"/posts/{post_id}").get_data(as_text=True)
    assert "?state=returned" in clerk.get("/").get_data(as_text=True)  # home item for the clerk
    assert clerk.get(f"/posts/{post_id}/edit").status_code == 200
    _post_id(clerk.post(f"/posts/{post_id}/edit", _form(duties="主干道5公里")))
    clerk.post(f"/posts/{post_id}/submit")
    assert "?state=submitted" in reviewer.get("/").get_data(as_text=True)


def test_reviewer_of_another_township_and_other_villages_get_404(county, login, app):
    with app.app_context():
        post_id = new_plan().id
        from portal.accounts.models import User
        from portal.accounts.service import hash_password
        from portal.extensions import db

        db.session.add(User(username="reviewer_a2", full_name="柳河审核", password_hash=hash_password(
            "Test-password-1"), role="township_reviewer", locale="zh_CN", active=True, failed_logins=0,
            must_change_password=False, township_id=county.ids["a2"]))
        db.session.commit()
    for name in ("reviewer_a2", "clerk_b", "admin_b"):
        c = login(name)
        assert c.get(f"/posts/{post_id}").status_code == 404, name
        assert c.post(f"/posts/{post_id}/approve").status_code == 404, name
        assert c.get("/posts/999999").status_code == 404


def test_settings_page_sets_values_and_refuses_closed_months(world, login, app):
    admin = login("admin")
    page = admin.get("/posts/settings").get_data(as_text=True)
    assert 'id="standards"' in page and 'id="quotas"' in page and 'id="policy"' in page
    assert "/posts/settings" in admin.get("/").get_data(as_text=True)  # missing standards and quotas
    resp = admin.post("/posts/settings", {"std-category": "cleaning", "std-amount": "800",
                                          "std-effective_from": start().isoformat()})
    assert resp.status_code == 302
    resp = admin.post("/posts/settings", {"quota-village": str(world.ids["a1a"]), "quota-headcount": "6",
                                          "quota-effective_from": day_before_open().isoformat()})
    assert resp.status_code == 422 and "is-invalid" in resp.get_data(as_text=True)
    resp = admin.post("/posts/settings", {"set-key": "notice_working_days", "set-value": "7",
                                          "set-effective_from": start().isoformat()})
    assert resp.status_code == 302
    page = admin.get("/posts/settings").get_data(as_text=True)
    assert "¥800.00" in page and "<code>7</code>" in page
    for name in ("clerk", "reviewer", "auditor"):
        assert login(name).get("/posts/settings").status_code == 403


def test_ledger_page_and_excel_for_every_role(county, login, app):
    from openpyxl import load_workbook

    with app.app_context():
        approved_plan(title="护路员甲")
        new_plan("clerk_b", title="保洁员乙")
    for name, sees, not_sees in (("clerk", "护路员甲", "保洁员乙"), ("clerk_b", "保洁员乙", "护路员甲")):
        c = login(name)
        html = c.get("/posts/ledger").get_data(as_text=True)
        assert sees in html and not_sees not in html
    admin = login("admin")
    assert "保洁员乙" in admin.get(f"/posts/ledger?village_id={county.ids['a1b']}").get_data(as_text=True)
    assert admin.get(f"/posts/ledger?village_id={county.ids['b1a']}").status_code == 404
    resp = admin.get("/posts/ledger.xlsx")
    assert resp.status_code == 200
    titles = {r[1] for r in load_workbook(BytesIO(resp.data)).active.iter_rows(min_row=2, values_only=True)}
    assert titles == {"护路员甲", "保洁员乙"}
    resp = login("clerk").get("/posts/ledger.xlsx")
    titles = {r[1] for r in load_workbook(BytesIO(resp.data)).active.iter_rows(min_row=2, values_only=True)}
    assert titles == {"护路员甲"}


@pytest.mark.parametrize(("name", "seen"), [("clerk", {"a"}), ("clerk_b", {"b"}), ("reviewer", {"a", "b"}),
                                            ("auditor", {"a", "b"}), ("admin", {"a", "b"}), ("admin_b", set())])
def test_the_list_shows_only_the_scope(county, login, app, name, seen):
    with app.app_context():
        new_plan(title="岗位A号")
        new_plan("clerk_b", title="岗位B号")
    html = login(name).get("/posts/").get_data(as_text=True)
    assert {k for k in ("a", "b") if f"岗位{k.upper()}号" in html} == seen
    assert ('id="new-post"' in html) == name.startswith("clerk")
