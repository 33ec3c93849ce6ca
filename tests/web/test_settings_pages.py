"""Settings people can use: a township's village quotas on one page beside their use; list settings typed in
Chinese on the posts settings page; every refusal names what is accepted; the saved date written as people do."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.core.auditlog import AuditEntry
from portal.extensions import db
from portal.posts import settings
from portal.posts.models import VillageQuota
from tests.posts_plans_support import approved_plan, day_before_open, new_plan, setup_county, start


def _row(html: str, village_id: int) -> str:
    return html.split(f'data-village="{village_id}"')[1].split("</tr>")[0]


def test_a_townships_quotas_stand_on_one_page_beside_their_use(world, login, app):
    with app.app_context():
        setup_county(quota=6)
        approved_plan(headcount=2)
        submitted = new_plan(headcount=3)
        from portal.posts.plans import service as plans
        from tests.posts_plans_support import user

        plans.submit(user("clerk"), submitted)
        new_plan(headcount=4)  # a draft counts against nothing
        db.session.remove()
    admin = login("admin")
    assert f"/posts/settings/quotas?township={world.ids['a1']}" in admin.get("/posts/settings").get_data(as_text=True)
    html = admin.get(f"/posts/settings/quotas?township={world.ids['a1']}").get_data(as_text=True)
    a1a, a1b = _row(html, world.ids["a1a"]), _row(html, world.ids["a1b"])
    assert re.search(r"data-quota>6<", a1a) and re.search(r"data-used>5<", a1a) and re.search(r"data-left>1<", a1a)
    assert re.search(r"data-used>0<", a1b) and re.search(r"data-left>6<", a1b)
    assert f'data-village="{world.ids["a2a"]}"' not in html  # another township's village
    assert f'name="tq-v{world.ids["a1a"]}"' in a1a and 'value="6"' in a1a

    day = start().isoformat()
    data = {f"tq-v{world.ids['a1a']}": "4", f"tq-v{world.ids['a1b']}": "6", "tq-effective_from": day}
    saved = admin.post(f"/posts/settings/quotas?township={world.ids['a1']}", data)
    assert saved.status_code == 302
    page = admin.get(saved.headers["Location"]).get_data(as_text=True)
    assert "超出 1" in _row(page, world.ids["a1a"])  # 5 in use, quota 4
    assert f"{start().year}年{start().month}月1日" in page and day not in page.split('id="quotas-form"')[0]
    with app.app_context():
        assert settings.quota_on(world.ids["a1a"], start()) == 4
        audited = db.session.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "set_quota")).all()
        assert len(audited) == 3  # two from the set-up, one change: a1b kept its 6
        db.session.remove()


def test_the_township_page_refuses_all_or_nothing_and_keeps_the_input(world, login, app):
    admin = login("admin")
    url = f"/posts/settings/quotas?township={world.ids['a1']}"
    bad = admin.post(url, {f"tq-v{world.ids['a1a']}": "5", f"tq-v{world.ids['a1b']}": "-1",
                           "tq-effective_from": start().isoformat()})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'value="-1"' in html and "invalid-feedback" in _row(html, world.ids["a1b"])
    closed = admin.post(url, {f"tq-v{world.ids['a1a']}": "5", "tq-effective_from": day_before_open().isoformat()})
    assert closed.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(VillageQuota.id)) is None
        db.session.remove()
    assert admin.get(f"/posts/settings/quotas?township={world.ids['b1']}").status_code == 404  # another county
    for name in ("clerk", "reviewer", "auditor"):
        assert login(name).get(url).status_code == 403


def test_a_list_setting_typed_in_chinese_is_saved_and_a_wrong_word_named(world, login, app):
    admin = login("admin")
    day = start().isoformat()
    ok = admin.post("/posts/settings", {"cat-categories": ["lifted", "monitored"], "cat-effective_from": day})
    assert ok.status_code == 302
    flashed = admin.get("/posts/settings").get_data(as_text=True)
    assert f"新值自{start().year}年{start().month}月1日起执行" in flashed
    with app.test_request_context():
        from flask_login import login_user

        from tests.posts_plans_support import user

        login_user(user("admin"))
        settings.set_setting(user("admin"), "eligible_categories", "脱贫户，监测户，低保/特困/低收入户", start())
        try:
            settings.set_setting(user("admin"), "eligible_categories", "脱贫户,困难户", start())
        except settings.RuleViolation as refused:
            assert "“困难户”" in refused.message and "脱贫户、监测户、低保/特困/低收入户、一般户" in refused.message
        else:
            raise AssertionError("困难户 was accepted")
        db.session.remove()
