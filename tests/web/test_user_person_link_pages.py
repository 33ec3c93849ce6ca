"""The county admin links accounts to their people in the register through the user form and the CLI; the
home page names the accounts without a link."""

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.registry.models import Person


def _user(app, username):
    with app.app_context():
        return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _id_number(app, world, key="p_a1b"):
    with app.app_context():
        return db.session.get(Person, world.people[key]).id_number


def test_the_admin_home_names_unlinked_accounts_and_links_to_them(world, login):
    c = login("admin")
    html = c.get("/").get_data(as_text=True)
    assert "6 个账户未关联人员" in html and "/admin/users?unlinked=1" in html
    listed = c.get("/admin/users?unlinked=1").get_data(as_text=True)
    assert "reviewer2" in listed and "admin_b" not in listed and "未关联" in listed


def test_the_admin_links_a_user_by_resident_id_and_the_page_shows_it(world, login, app):
    c = login("admin")
    uid = _user(app, "reviewer").id
    form = c.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert 'name="resident_id"' in form and "未关联" in form
    resp = c.post(f"/admin/users/{uid}", data={
        "username": "reviewer", "full_name": "测试reviewer", "role": "township_reviewer",
        "place": f"township:{world.ids['a1']}", "locale": "zh_CN", "active": "y",
        "resident_id": _id_number(app, world).lower()})
    assert resp.status_code == 302
    assert _user(app, "reviewer").person_id == world.people["p_a1b"]
    page = c.get(f"/admin/users/{uid}").get_data(as_text=True)
    number = _id_number(app, world)
    assert "测试人p_a1b" in page and "石门村" in page and number not in page  # masked on the page
    assert "5 个账户未关联人员" in c.get("/").get_data(as_text=True)


def test_a_person_of_another_county_is_refused_on_the_form(world, login, app):
    c = login("admin")
    uid = _user(app, "clerk").id
    html = c.post(f"/admin/users/{uid}", data={
        "username": "clerk", "full_name": "测试clerk", "role": "village_clerk",
        "place": f"village:{world.ids['a1a']}", "locale": "zh_CN", "active": "y",
        "resident_id": _id_number(app, world, "p_b1a")}).get_data(as_text=True)
    assert "本县人员登记中没有该身份证号" in html
    assert _user(app, "clerk").person_id is None


def test_cli_creates_a_user_linked_to_their_person(world, app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "cli.rev", "--role", "township_reviewer", "--place", "422825101000", "--name", "命令行",
        "--password", "Cli-pass-12345", "--person", _id_number(app, world, "p_a1a")])
    assert result.exit_code == 0, result.output
    assert _user(app, "cli.rev").person_id == world.people["p_a1a"]
    refused = app.test_cli_runner().invoke(args=[
        "create-user", "cli.rev2", "--role", "township_reviewer", "--place", "422825101000", "--name", "命令行",
        "--password", "Cli-pass-12345", "--person", _id_number(app, world, "p_a1a")])
    assert refused.exit_code == 1 and "cli.rev" in refused.output
    assert _user(app, "cli.rev2") is None
