"""A new person's employment status has no default: a preselected 外出务工-省外 would feed false 岗在人不在
signals, so the clerk must choose it; without a choice the person is refused, the input kept."""

import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.registry.models import Person
from tests.web.test_registry_pages import _new_household, _person_form


def test_the_new_person_form_preselects_no_employment_status(world, login):
    c = login("clerk")
    hid = _new_household(c)
    html = c.get(f"/registry/households/{hid}/people/new").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="employment_status".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option[^>]*>", select_html)
    assert 'value=""' in options[0] and "selected" not in select_html, select_html  # the blank shows first


def test_a_person_without_an_employment_status_is_refused(world, login, app):
    c = login("clerk")
    hid = _new_household(c)
    resp = c.post(f"/registry/households/{hid}/people/new", data=_person_form(employment_status=""))
    html = resp.get_data(as_text=True)
    assert resp.status_code in (200, 422) and 'value="李秀英"' in html
    assert "请选择此人的就业状态" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id)).where(Person.household_id == hid)) == 0
