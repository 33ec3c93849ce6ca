"""County admins create users and reset passwords; a temporary password must be changed."""

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.auditlog import AuditEntry
from portal.extensions import db
from tests.conftest import PortalClient


def _user(app, username):
    with app.app_context():
        return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def test_admin_creates_a_clerk_bound_to_a_village(world, login, app):
    c = login("admin")
    form = c.get("/admin/users/new").get_data(as_text=True)
    assert f'value="village:{world.ids["a1a"]}"' in form and "<optgroup" in form
    assert f'value="village:{world.ids["b1a"]}"' not in form  # another county's village is not offered
    resp = c.post("/admin/users/new", data={
        "username": "clerk.new", "full_name": "新经办员", "role": "village_clerk",
        "place": f"village:{world.ids['a1b']}", "locale": "zh_CN", "password": "Temp-pass-123"})
    assert resp.status_code == 302
    user = _user(app, "clerk.new")
    assert user.village_id == world.ids["a1b"] and user.must_change_password
    assert user.password_hash != "Temp-pass-123"
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.entity_type == "user",
                                                            AuditEntry.action == "create")).scalar_one()
        assert '"username":"clerk.new"' in entry.after and "Temp-pass" not in entry.after


def test_the_place_must_match_the_role_and_typed_input_is_kept(world, login, app):
    c = login("admin")
    resp = c.post("/admin/users/new", data={
        "username": "rev.x", "full_name": "错层级", "role": "township_reviewer",
        "place": f"village:{world.ids['a1a']}", "locale": "zh_CN", "password": "Temp-pass-123"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请为该角色选择相应层级的区划" in html
    assert 'value="rev.x"' in html and 'value="错层级"' in html
    assert _user(app, "rev.x") is None


def test_a_foreign_place_id_is_refused(world, login, app):
    c = login("admin")
    c.post("/admin/users/new", data={
        "username": "sneaky", "full_name": "x", "role": "village_clerk",
        "place": f"village:{world.ids['b1a']}", "locale": "zh_CN", "password": "Temp-pass-123"})
    assert _user(app, "sneaky") is None


def test_duplicate_username_and_weak_password_are_refused(world, login, app):
    c = login("admin")
    base = {"full_name": "x", "role": "village_clerk", "place": f"village:{world.ids['a1a']}", "locale": "zh_CN"}
    html = c.post("/admin/users/new", data={**base, "username": "clerk", "password": "Temp-pass-123"}) \
        .get_data(as_text=True)
    assert "用户名 clerk 已被占用" in html
    html = c.post("/admin/users/new", data={**base, "username": "weak", "password": "short"}).get_data(as_text=True)
    assert "至少 10 位" in html and _user(app, "weak") is None


def test_temporary_password_must_be_changed_first(world, login, app):
    admin = login("admin")
    admin.post("/admin/users/new", data={
        "username": "fresh", "full_name": "新人", "role": "township_reviewer",
        "place": f"township:{world.ids['a1']}", "locale": "zh_CN", "password": "Temp-pass-123"})
    c = PortalClient(app.test_client())
    assert c.login("fresh", "Temp-pass-123").status_code == 302
    resp = c.get("/places/")
    assert resp.status_code == 302 and "/account" in resp.headers["Location"]
    page = c.get("/account").get_data(as_text=True)
    assert "临时密码" in page
    c.post("/account", data={"pw-csrf_token": c.csrf, "pw-current_password": "Temp-pass-123",
                             "pw-new_password": "Own-pass-4567", "pw-confirm": "Own-pass-4567"})
    assert c.get("/places/").status_code == 200


def test_reset_password_ends_sessions_and_clears_the_lock(world, login, app):
    victim = login("clerk")
    with app.app_context():  # locked (an account locked before, or by hand in the database)
        from sqlalchemy import update

        from portal.accounts.models import User
        from portal.core.types import utcnow
        from portal.extensions import db

        db.session.execute(update(User).where(User.username == "clerk_b")
                           .values(locked_until=utcnow() + timedelta(minutes=15)))
        db.session.commit()
    admin = login("admin")
    assert "已锁定" in admin.get("/admin/users").get_data(as_text=True)
    clerk_id = _user(app, "clerk").id
    resp = admin.post(f"/admin/users/{clerk_id}/reset", data={"reset-csrf_token": admin.csrf,
                                                              "reset-password": "Reset-pass-999"})
    assert resp.status_code == 302
    assert victim.get("/").status_code == 302  # the clerk's session ended
    assert _user(app, "clerk").must_change_password
    locked_id = _user(app, "clerk_b").id
    assert admin.post(f"/admin/users/{locked_id}/unlock").status_code == 302
    assert _user(app, "clerk_b").locked_until is None
    assert PortalClient(app.test_client()).login("clerk_b").status_code == 302


def test_disabling_a_user_ends_their_sessions(world, login, app):
    victim = login("clerk")
    admin = login("admin")
    uid = _user(app, "clerk").id
    resp = admin.post(f"/admin/users/{uid}", data={
        "username": "clerk", "full_name": "测试clerk", "role": "village_clerk",
        "place": f"village:{world.ids['a1a']}", "locale": "zh_CN"})  # 'active' unchecked
    assert resp.status_code == 302
    assert victim.get("/").status_code == 302
    assert PortalClient(app.test_client()).login("clerk").status_code == 200


def test_admin_cannot_disable_themselves(world, login, app):
    admin = login("admin")
    uid = _user(app, "admin").id
    html = admin.post(f"/admin/users/{uid}", data={
        "username": "admin", "full_name": "x", "role": "county_admin",
        "place": f"county:{world.ids['ca']}", "locale": "zh_CN"}).get_data(as_text=True)
    assert "不能停用自己" in html
    assert _user(app, "admin").active


def test_user_list_filters(world, login):
    html = login("admin").get("/admin/users?role=village_clerk").get_data(as_text=True)
    assert "clerk_b" in html and ">reviewer<" not in html
    html = login("admin").get("/admin/users?q=reviewer2").get_data(as_text=True)
    assert "reviewer2" in html and "clerk_b" not in html


def test_cli_creates_a_user(world, app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "cli.clerk", "--role", "village_clerk", "--place", "422825101202", "--name", "命令行",
        "--password", "Cli-pass-12345"])
    assert result.exit_code == 0, result.output
    assert _user(app, "cli.clerk").village_id == world.ids["a1b"]
