"""The county admin links a reviewer's account to their person in the register, in a real Chromium; the
reviewer, whose cousin is on public notice for a post, is refused the approval with the reason, and the
nomination shows the recomputed 优亲厚友 mark."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.posts.hiring import service as hiring
from tests.browser.test_login import log_in
from tests.browser.test_post_journey import clean, set_today
from tests.hiring_factory import make_person, make_post, relate, user

pytestmark = pytest.mark.browser

NOMINATED, AFTER = date(2026, 3, 2), date(2026, 3, 10)


def test_admin_links_a_user_and_the_related_reviewer_is_refused(app, world, live_server, open_page,
                                                                monkeypatch):
    with app.app_context():
        post = make_post(world)
        nominee = make_person(world, category="monitored", capacity="weak", disabled=True, name="王小梅")
        reviewer_self = make_person(world, "a1b", name="审核员赵刚")
        relate(reviewer_self, nominee, "cousin")
        appt = hiring.nominate(user("clerk"), post, nominee.id, date(2026, 4, 1), date(2026, 12, 31),
                               today=NOMINATED)
        appt_id, resident_id = appt.id, reviewer_self.id_number
        db.session.remove()
    set_today(monkeypatch, AFTER)

    admin = open_page()
    log_in(admin, live_server, "admin")
    gap = admin.get_by_role("link", name=re.compile("6 个账户未关联人员"))
    expect(gap).to_be_visible()
    gap.click()
    expect(admin).to_have_url(re.compile(r"/admin/users\?unlinked=1$"))
    admin.get_by_role("link", name="reviewer", exact=True).click()
    admin.get_by_label("本人身份证号（关联人员登记）").fill(resident_id)
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator(".alert-success")).to_contain_text("reviewer")
    admin.get_by_role("link", name="reviewer", exact=True).click()
    expect(admin.locator("#linked-person")).to_contain_text("审核员赵刚")
    assert resident_id not in admin.content()  # the ID shows masked
    admin.goto(f"{live_server}/")
    expect(admin.get_by_role("link", name=re.compile("5 个账户未关联人员"))).to_be_visible()
    clean(admin)

    reviewer = open_page()
    log_in(reviewer, live_server, "reviewer")
    reviewer.goto(f"{live_server}/posts/appointments/{appt_id}")
    expect(reviewer.locator("#conflicts")).to_contain_text("审核人的亲属")
    expect(reviewer.locator("#not-yet")).to_contain_text("亲属或同户关系")
    approve = reviewer.locator("#decision").get_by_role("button", name="审核通过")
    expect(approve).to_be_disabled()
    approve.evaluate("button => button.form.submit()")  # past the disabled button: the server refuses too
    expect(reviewer.locator(".alert-danger")).to_contain_text("您与拟聘人员存在亲属或同户关系，须由其他审核员审批。")
    expect(reviewer.locator("#state")).to_have_text("公示中")
