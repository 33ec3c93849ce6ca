"""Account forms: the shape of input only; policy lives in rules.py and the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from portal.core.access import Role

ROLE_LABELS = {
    Role.VILLAGE_CLERK: _l("Village clerk"),
    Role.TOWNSHIP_REVIEWER: _l("Township reviewer"),
    Role.COUNTY_AUDITOR: _l("County auditor"),
    Role.COUNTY_ADMIN: _l("County administrator"),
}
LANGUAGE_CHOICES = [SelectChoice("zh_CN", "简体中文"), SelectChoice("en", "English")]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
    )


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=60)])


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(min=3, max=40),
                    Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only."))],
    )
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=60)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()])
    place = SelectField(_l("Place"), choices=[])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    resident_id = StringField(_l("Resident ID of the user's own register entry"),
                         validators=[Length(max=18)], filters=[lambda v: (v or "").strip().upper()])
    active = BooleanField(_l("Account active"), default=True)
    password = PasswordField(_l("Temporary password"), validators=[Length(max=200)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Temporary password"), validators=[DataRequired(), Length(max=200)])


class ConfirmForm(FlaskForm):
    """A button-only form: CSRF protection for one-click actions (unlock, revoke, logout)."""
