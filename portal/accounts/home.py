"""Home-page item of user administration: accounts not yet linked to their person in the register."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from portal.accounts import service
from portal.core.access import Role
from portal.core.home import Waiting, provides


@provides(Role.COUNTY_ADMIN)
def unlinked_accounts(user) -> list[Waiting]:
    """Without the link, segregation of duties cannot see who an official is related to."""
    count = service.unlinked_count(user)
    return [Waiting(_("%(n)d accounts not linked to a person", n=count), count,
                    url_for("accounts.users", unlinked="1"))]
