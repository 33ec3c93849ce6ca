"""The labour register pages: the clerk adds and edits; refusals keep input; masking per role."""

from sqlalchemy import func, select

from portal.core.auditlog import AuditEntry
from portal.extensions import db
from portal.registry.models import Household, Person, Relationship
from portal.registry.rules import with_check_digit

NEW_ID = with_check_digit("42282519850315004")  # a woman born 15 March 1985


def _person_form(**over):
    data = {"name": "李秀英", "id_number": NEW_ID, "relation_to_head": "head", "labour_capacity": "half",
            "employment_status": "unemployed", "monthly_income": "0", "phone": "13812345678",
            "bank_name": "农村商业银行", "bank_account": "6228480402564890018"}
    data.update(over)
    return data


def _new_household(c, number="101201099", category="monitored", subtype="marginal"):
    resp = c.post("/registry/households/new", data={"number": number, "category": category,
                                                    "monitored_subtype": subtype, "address": "青竹村3组"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    return int(resp.headers["Location"].rstrip("/").split("/")[-1])


def test_clerk_adds_a_household_with_two_members(world, login, app):
    c = login("clerk")
    hid = _new_household(c)
    assert c.post(f"/registry/households/{hid}/people/new", data=_person_form()).status_code == 302
    second = with_check_digit("42282520100601003")
    resp = c.post(f"/registry/households/{hid}/people/new",
                  data=_person_form(name="张小明", id_number=second, relation_to_head="child",
                                    labour_capacity="full", phone="", bank_name="", bank_account=""))
    assert resp.status_code == 302
    html = c.get(f"/registry/households/{hid}").get_data(as_text=True)
    assert "李秀英" in html and "张小明" in html
    with app.app_context():
        p = db.session.execute(select(Person).where(Person.id_number == NEW_ID)).scalar_one()
        assert (str(p.birth_date), p.sex, p.village_id) == ("1985-03-15", "F", world.ids["a1a"])
        actions = db.session.execute(select(AuditEntry.entity_type, AuditEntry.action)).all()
        assert ("household", "create") in actions and actions.count(("person", "create")) == 2
        entry = db.session.execute(select(AuditEntry.after).where(AuditEntry.entity_type == "person")).first()[0]
        assert NEW_ID not in entry  # the audit log keeps personal data masked too


def test_a_bad_check_digit_is_refused_and_input_kept(world, login, app):
    c = login("clerk")
    hid = _new_household(c)
    bad = NEW_ID[:-1] + ("1" if NEW_ID[-1] != "1" else "2")
    html = c.post(f"/registry/households/{hid}/people/new", data=_person_form(id_number=bad)).get_data(as_text=True)
    assert "校验码错误" in html or "check digit" in html
    assert 'value="李秀英"' in html and f'value="{bad}"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id)).where(Person.household_id == hid)) == 0


def test_a_duplicate_id_names_the_village_and_masks_the_id(world, login, app):
    with app.app_context():
        existing = db.session.get(Person, world.people["p_b1a"]).id_number  # lives in county B's 北坡村
    c = login("clerk")
    hid = _new_household(c)
    html = c.post(f"/registry/households/{hid}/people/new",
                  data=_person_form(id_number=existing)).get_data(as_text=True)
    assert "北坡村" in html
    assert existing[:4] + "**********" + existing[-4:] in html


def test_monitored_household_needs_its_type(world, login):
    c = login("clerk")
    resp = c.post("/registry/households/new", data={"number": "101201098", "category": "monitored",
                                                    "monitored_subtype": ""})
    assert resp.status_code == 200 and "监测户须选择类型" in resp.get_data(as_text=True)
    resp = c.post("/registry/households/new", data={"number": "101201098", "category": "lifted",
                                                    "monitored_subtype": "marginal"})
    assert "只有监测户有类型" in resp.get_data(as_text=True)


def test_duplicate_household_number_in_the_village(world, login):
    c = login("clerk")
    _new_household(c, "101201097")
    resp = c.post("/registry/households/new", data={"number": "101201097", "category": "lifted"})
    assert "101201097" in resp.get_data(as_text=True) and resp.status_code == 200


def test_edit_person_marks_cadre_and_moves_household(world, login, app):
    c = login("clerk")
    h1, h2 = _new_household(c, "H1", "lifted", ""), _new_household(c, "H2", "lifted", "")
    c.post(f"/registry/households/{h1}/people/new", data=_person_form())
    with app.app_context():
        pid = db.session.execute(select(Person.id).where(Person.id_number == NEW_ID)).scalar_one()
    resp = c.post(f"/registry/people/{pid}/edit", data=_person_form(is_cadre="y", household=str(h2),
                                                                      employment_status="in_county"))
    assert resp.status_code == 302
    with app.app_context():
        p = db.session.get(Person, pid)
        assert p.is_cadre and p.household_id == h2 and p.employment_status == "in_county"


def test_relationships_are_declared_and_listed_both_ways(world, login, app):
    c = login("clerk")
    hid = _new_household(c)
    c.post(f"/registry/households/{hid}/people/new", data=_person_form())
    with app.app_context():
        pid = db.session.execute(select(Person.id).where(Person.id_number == NEW_ID)).scalar_one()
    other = world.people["p_a1a"]
    resp = c.post(f"/registry/people/{pid}/relatives", data={"relative": str(other), "kind": "sibling"})
    assert resp.status_code == 302
    assert "测试人p_a1a" in c.get(f"/registry/people/{pid}").get_data(as_text=True)
    assert "李秀英" in c.get(f"/registry/people/{other}").get_data(as_text=True)
    c.post(f"/registry/people/{other}/relatives", data={"relative": str(pid), "kind": "sibling"})
    assert "已经声明" in c.get(f"/registry/people/{other}").get_data(as_text=True)
    # a person of another village cannot be picked
    resp = c.post(f"/registry/people/{pid}/relatives", data={"relative": str(world.people["p_a1b"]),
                                                             "kind": "sibling"})
    assert resp.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Relationship.id))) == 1


FULL_ID_PARTS = ("19700101", "19710101")  # the middle digits of the world's people


def test_township_and_county_read_masked_and_cannot_edit(world, login, app):
    with app.app_context():
        full = db.session.get(Person, world.people["p_a1a"]).id_number
    for user in ("reviewer", "auditor"):
        c = login(user)
        for url in ("/registry/", f"/registry/people/{world.people['p_a1a']}",
                    f"/registry/households/{db_household(app, world)}"):
            html = c.get(url).get_data(as_text=True)
            assert full not in html, (user, url)
            assert full[:4] + "**********" + full[-4:] in html or url.startswith("/registry/households"), url
        assert c.get("/registry/households/new").status_code == 403
        assert c.get(f"/registry/people/{world.people['p_a1a']}/edit").status_code == 403
        resp = c.post(f"/registry/people/{world.people['p_a1a']}/reveal/id_number")
        assert full not in resp.get_data(as_text=True) and full not in c.get(resp.headers.get("Location", "/"))\
            .get_data(as_text=True)


def db_household(app, world):
    with app.app_context():
        return db.session.get(Person, world.people["p_a1a"]).household_id


def test_reveal_one_record_for_the_clerk_and_admin_is_audited(world, login, app):
    with app.app_context():
        full = db.session.get(Person, world.people["p_a1a"]).id_number
    for user in ("clerk", "admin"):
        c = login(user)
        page = c.get(f"/registry/people/{world.people['p_a1a']}").get_data(as_text=True)
        assert full not in page
        html = c.post(f"/registry/people/{world.people['p_a1a']}/reveal/id_number").get_data(as_text=True)
        assert f'id="revealed-id_number">{full}<' in html
    with app.app_context():
        reveals = db.session.execute(select(AuditEntry).where(AuditEntry.action == "reveal")).scalars().all()
        assert [(r.actor_name, r.entity_id) for r in reveals] == [("clerk", str(world.people["p_a1a"]))] * 1 + \
            [("admin", str(world.people["p_a1a"]))]


def test_other_villages_register_is_404_for_a_clerk(world, login):
    c = login("clerk")
    assert c.get(f"/registry/people/{world.people['p_a1b']}").status_code == 404
    assert c.post(f"/registry/people/{world.people['p_a1b']}/reveal/id_number").status_code == 404
    assert c.get(f"/registry/people/{world.people['p_a1b']}/edit").status_code == 404
    assert "测试人p_a1b" not in c.get("/registry/").get_data(as_text=True)


def test_list_filters_and_search_by_full_id(world, login, app):
    with app.app_context():
        full = db.session.get(Person, world.people["p_a1a"]).id_number
    c = login("admin")
    html = c.get(f"/registry/?q={full}").get_data(as_text=True)
    assert "测试人p_a1a" in html and "测试人p_a1b" not in html
    html = c.get("/registry/?capacity=weak").get_data(as_text=True)
    assert "测试人p_a1a" not in html
    html = c.get(f"/registry/?village_id={world.ids['a1b']}").get_data(as_text=True)
    assert "测试人p_a1b" in html and "测试人p_a1a" not in html
    assert "测试人p_b1a" not in c.get("/registry/").get_data(as_text=True)  # county B


def test_household_list_counts_members(world, login, app):
    with app.app_context():
        number = db.session.get(Household, db_household(app, world)).number
    html = login("reviewer").get("/registry/households").get_data(as_text=True)
    assert number in html and "H-p_a1b" in html and "H-p_b1a" not in html
