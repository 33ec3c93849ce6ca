"""List settings are chosen from checkboxes, not typed codes: the posts feature's eligible household
categories and the workshops' aided household categories."""

import re

from portal.core import settings as county_settings
from portal.core.clock import county_today
from portal.extensions import db
from portal.posts import settings as post_settings
from portal.workshops import settings as ws_settings


def _checkboxes(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*value="([a-z_]+)"', html) or \
        re.findall(rf'<input[^>]*value="([a-z_]+)"[^>]*name="{name}"', html)


def test_eligible_categories_are_checkboxes_on_the_posts_settings_page(world, login, app):
    admin = login("admin")
    page = admin.get("/posts/settings").get_data(as_text=True)
    assert sorted(_checkboxes(page, "cat-categories")) == ["general", "lifted", "low_income", "monitored"]
    assert 'value="eligible_categories"' not in page  # no longer typed into the generic form
    day = county_settings.first_open_day(county_today()).isoformat()
    resp = admin.post("/posts/settings", {"cat-categories": ["lifted", "monitored"], "cat-effective_from": day})
    assert resp.status_code == 302
    with app.app_context():
        policy = post_settings.policy_for(world.ids["ca"], county_today())
        assert {str(c) for c in policy.eligible_categories} == {"lifted", "monitored"}
        db.session.remove()
    none = admin.post("/posts/settings", {"cat-effective_from": day})
    assert none.status_code == 422


def test_aided_categories_are_checkboxes_on_the_workshop_settings_page(world, login, app):
    admin = login("admin")
    page = admin.get("/workshops/settings").get_data(as_text=True)
    assert sorted(_checkboxes(page, "cat-categories")) == ["lifted", "low_income", "monitored"]
    assert 'value="workshop_aided_categories"' not in page
    day = county_settings.first_open_day(county_today()).isoformat()
    resp = admin.post("/workshops/settings", {"cat-categories": ["lifted", "monitored", "low_income"],
                                              "cat-effective_from": day})
    assert resp.status_code == 302
    with app.app_context():
        assert ws_settings.policy_for(world.ids["ca"], county_today()).aided_categories == {
            "lifted", "monitored", "low_income"}
