"""Readable names for audit-log actions and record types (unknown codes show as they are)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "create": _l("created"), "update": _l("changed"), "rename": _l("renamed"), "login": _l("logged in"),
    "logout": _l("logged out"), "login_failed": _l("failed login"), "lock": _l("locked"),
    "unlock": _l("unlocked"), "change_password": _l("changed password"), "reset_password": _l("reset password"),
    "set_locale": _l("changed language"), "revoke": _l("revoked"),
}
ENTITIES = {
    "user": _l("user"), "county": _l("county"), "township": _l("township"), "village": _l("village"),
    "household": _l("household"), "person": _l("person"), "relationship": _l("relationship"),
    "api_token": _l("API token"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def entity_label(code: str) -> str:
    return str(ENTITIES.get(code, code))
