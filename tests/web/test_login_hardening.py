"""Login (issue 12, point 7): the same work and answer for known and unknown users, locked and disabled told only
to whoever knows the password, throttles per client address and per account, a stronger password policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.conftest import PASSWORD, PortalClient

WRONG = "wrong-password-1"


def _login_from(app, address: str, username: str, password: str):
    c = PortalClient(app.test_client())
    c.http.environ_base["REMOTE_ADDR"] = address
    return c.login(username, password)


def test_unknown_and_known_users_cost_one_hash_of_the_same_kind(app):
    from portal.accounts import service

    with app.app_context():
        assert service.dummy_hash().split("$")[0] == service.hash_password("x").split("$")[0]


@pytest.mark.parametrize("state", ["locked", "disabled"])
def test_locked_and_disabled_are_told_only_after_the_password_checks_out(app, world, state):
    from portal.accounts.models import User
    from portal.core.types import utcnow
    from portal.extensions import db

    values = {"locked_until": utcnow() + timedelta(minutes=15)} if state == "locked" else {"active": False}
    with app.app_context():
        db.session.execute(update(User).where(User.username == "clerk").values(**values))
        db.session.commit()
    unknown = _login_from(app, "10.0.0.1", "nobody-here", WRONG).get_data(as_text=True)
    wrong = _login_from(app, "10.0.0.2", "clerk", WRONG).get_data(as_text=True)
    assert "用户名或密码错误" in wrong and "用户名或密码错误" in unknown
    assert "锁定" not in wrong and "停用" not in wrong
    right = _login_from(app, "10.0.0.3", "clerk", PASSWORD)
    assert right.status_code == 200
    assert ("锁定" if state == "locked" else "停用") in right.get_data(as_text=True)


def test_failures_are_throttled_per_account_and_client_address_not_for_everyone(app, world):
    for _ in range(10):
        assert _login_from(app, "10.0.1.1", "clerk", WRONG).status_code == 200
    assert _login_from(app, "10.0.1.1", "clerk", PASSWORD).status_code == 429  # this address, this account
    assert _login_from(app, "10.0.1.2", "clerk", PASSWORD).status_code == 302  # the clerk elsewhere gets in
    assert _login_from(app, "10.0.1.1", "clerk_b", PASSWORD).status_code == 302  # another account from here


def test_one_client_address_is_throttled_across_accounts(app, world):
    answers = [_login_from(app, "10.0.2.1", f"guess{i}", WRONG).status_code for i in range(35)]
    assert 429 in answers and answers[0] == 200
    assert _login_from(app, "10.0.2.9", "clerk", PASSWORD).status_code == 302


@pytest.mark.parametrize("password", ["Short-pw-1", "Password1234", "qwertyuiop12", "clerk-clerk-clerk-1",
                                      "111111111111a"])
def test_weak_or_common_passwords_are_refused(password):
    from portal.accounts.rules import password_problems

    assert password_problems(password, username="clerk", min_length=12)


@pytest.mark.parametrize("password", ["Yunxi-demo-2026", "Qingzhu-river-bend-77", "Own-pass-4567"])
def test_strong_passwords_pass(password):
    from portal.accounts.rules import password_problems

    assert password_problems(password, username="clerk", min_length=12) == []
