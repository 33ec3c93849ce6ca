"""Foundation items for the home pages: accounts locked, places without a clerk or reviewer."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from portal.accounts import service as account_service
from portal.accounts import staffing
from portal.core.access import Role
from portal.core.home import Waiting, provides


@provides(Role.COUNTY_ADMIN)
def locked_accounts(user) -> list[Waiting]:
    count = len(account_service.list_users(user, locked=True))
    return [Waiting(_("Accounts locked after failed logins"), count, url_for("accounts.users", locked="1"), "danger")]


@provides(Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER)
def villages_without_clerk(user) -> list[Waiting]:
    return [Waiting(_("Villages without an active clerk account"), staffing.unstaffed_villages(user),
                    url_for("places.index", without="clerk"))]


@provides(Role.COUNTY_ADMIN)
def townships_without_reviewer(user) -> list[Waiting]:
    return [Waiting(_("Townships without an active reviewer account"), staffing.unstaffed_townships(user),
                    url_for("places.index", without="reviewer"))]
