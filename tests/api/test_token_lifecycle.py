"""API tokens end with the password and the account, wait for a pending password change, expire (issue 12, 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.api.conftest import bearer
from tests.conftest import PASSWORD

NEW_PASSWORD = "Qingzhu-river-bend-77"


def _user(username: str):
    from portal.accounts.models import User
    from portal.extensions import db

    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _me(api, token: str) -> int:
    return api.get("/api/v1/me", headers=bearer(token)).status_code


def test_a_password_change_revokes_the_users_tokens(app, world, make_token, api):
    from portal.accounts import service

    token = make_token("clerk")
    assert _me(api, token) == 200
    with app.test_request_context():
        service.change_password(_user("clerk"), PASSWORD, NEW_PASSWORD, None)
    assert _me(api, token) == 401


def test_an_admin_reset_revokes_the_users_tokens(app, world, make_token, api):
    from portal.accounts import service

    token = make_token("clerk")
    with app.test_request_context():
        service.reset_password(_user("admin"), _user("clerk"), NEW_PASSWORD)
    assert _me(api, token) == 401


def test_disabling_a_user_revokes_their_tokens_for_good(app, world, make_token, api):
    from portal.accounts import service
    from portal.accounts.models import ApiToken
    from portal.extensions import db

    token = make_token("clerk")
    with app.test_request_context():
        clerk = _user("clerk")
        data = service.UserInput(clerk.username, clerk.full_name, clerk.role_enum, service.place_key(clerk))
        service.update_user(_user("admin"), clerk, data, active=False)
        service.update_user(_user("admin"), _user("clerk"), data, active=True)  # enabled again: tokens stay dead
        assert all(t.revoked_at is not None for t in db.session.execute(select(ApiToken)).scalars())
    assert _me(api, token) == 401


def test_no_token_and_no_api_while_a_password_change_is_pending(app, world, make_token, api):
    from portal.accounts import service
    from portal.accounts.models import User
    from portal.core.errors import NotAllowed
    from portal.extensions import db

    token = make_token("clerk")
    with app.app_context():
        db.session.execute(update(User).where(User.username == "clerk").values(must_change_password=True))
        db.session.commit()
    assert _me(api, token) == 403
    with app.test_request_context(), pytest.raises(NotAllowed):
        service.create_token(_user("clerk"), "script")


def test_a_token_expires_after_the_county_lifetime_default_90_days(app, world, make_token, api):
    from portal.accounts.models import ApiToken
    from portal.extensions import db

    token = make_token("clerk")
    with app.app_context():
        row = db.session.execute(select(ApiToken)).scalar_one()
        assert (row.expires_at - row.created_at) == timedelta(days=90)
        row.expires_at = row.created_at - timedelta(seconds=1)
        db.session.commit()
    assert _me(api, token) == 401


def test_the_county_sets_the_token_lifetime(app, world, make_token):
    from portal.accounts import settings
    from portal.accounts.models import ApiToken
    from portal.core.clock import county_today
    from portal.extensions import db

    with app.test_request_context():
        settings.set_setting(_user("admin"), settings.TOKEN_DAYS, "30", county_today())
    make_token("clerk")
    with app.app_context():
        row = db.session.execute(select(ApiToken)).scalar_one()
        assert (row.expires_at - row.created_at) == timedelta(days=30)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "4000"])
def test_a_token_lifetime_out_of_range_is_refused(app, world, value):
    from portal.accounts import settings
    from portal.core.clock import county_today
    from portal.core.errors import RuleViolation

    with app.test_request_context(), pytest.raises(RuleViolation):
        settings.set_setting(_user("admin"), settings.TOKEN_DAYS, value, county_today())


def test_the_account_page_shows_expiry_and_last_use(app, world, login, make_token, api):
    token = make_token("clerk")
    api.get("/api/v1/me", headers=bearer(token))
    html = login("clerk").get("/account").get_data(as_text=True)
    assert 'class="token-expires"' in html and 'class="token-last-used"' in html


def test_the_county_admin_sets_the_token_lifetime_from_the_command_line(app, world):
    from portal.accounts import settings
    from portal.core.clock import county_today

    result = app.test_cli_runner().invoke(args=["token-lifetime", "45"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert settings.token_days(world.ids["ca"], county_today()) == 45
    assert app.test_cli_runner().invoke(args=["token-lifetime", "0"]).exit_code != 0
