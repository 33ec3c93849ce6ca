"""Helpers for CLI commands: who acts, and places by code."""

from __future__ import annotations

import click
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.places import rules
from portal.places.models import County, Township, Village


def acting_user(username: str, role: str) -> User:
    """The user a command acts as (audited under their name); must exist with the given role."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or user.role != role or not user.active:
        raise click.ClickException(f"no active {role} named {username!r}")
    return user


def place_key_for_code(code: str) -> str:
    """The place selector value ("village:12") for a division code."""
    try:
        level = rules.level_of(code)
    except rules.CodeError as exc:
        raise click.ClickException(f"bad division code {code!r}") from exc
    model = {rules.Level.COUNTY: County, rules.Level.TOWNSHIP: Township, rules.Level.VILLAGE: Village}[level]
    place = db.session.execute(select(model).where(model.code == code)).scalar_one_or_none()
    if place is None:
        raise click.ClickException(f"no place with code {code}")
    return f"{level.value}:{place.id}"
