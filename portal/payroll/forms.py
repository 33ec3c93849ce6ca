"""Payroll forms: the shape of input; Rule 3's checks are in the rules and the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import MonthField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (recompute, submit, approve, remove)."""


class GenerateForm(FlaskForm):
    village_id = HiddenField(validators=[DataRequired()])
    year = IntegerField(validators=[InputRequired(), NumberRange(2000, 2100)])
    month = IntegerField(validators=[InputRequired(), NumberRange(1, 12)])


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("What the village must correct"), validators=[DataRequired(), Length(max=2000)])


class PaymentForm(FlaskForm):
    paid_on = DateField(_l("Payment date"), validators=[DataRequired()])
    bank_reference = StringField(_l("Bank reference"), validators=[DataRequired(), Length(max=60)])


class AdjustmentForm(FlaskForm):
    appointment = SelectField(_l("Holder and post"), coerce=int, validators=[InputRequired()])
    adjusts = MonthField(_l("Month corrected"), validators=[DataRequired()])
    amount = DecimalField(_l("Amount (元, negative to recover)"), places=2, validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
