"""Hiring forms: the shape of input; the rules are in hiring_rules and the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class NominateForm(FlaskForm):
    person_id = SelectField(_l("Candidate"), coerce=int, validators=[DataRequired()])
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date"), validators=[DataRequired()])
    choice_reason = TextAreaField(_l("Reason for not choosing the top-ranked candidate"),
                                  validators=[Optional(), Length(max=2000)])
    justification = TextAreaField(_l("Justification of a conflict of interest"),
                                  validators=[Optional(), Length(max=2000)])


class ObjectionForm(FlaskForm):
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    objector = StringField(_l("Objector (may be left blank)"), validators=[Optional(), Length(max=60)])
    content = TextAreaField(_l("What the objection says"), validators=[DataRequired(), Length(max=4000)])


class DecideForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[SelectChoice("dismiss", _l("Dismiss the objection")),
                                                    SelectChoice("uphold", _l("Uphold it: reject the nomination"))])
    note = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for rejection"), validators=[DataRequired(), Length(max=2000)])


class ActionForm(FlaskForm):
    """A button with its CSRF token (approve)."""
