"""Audit forms: the shape of input only; the period, the answer, the closing and the settings are checked by
audit.service and audit.settings, whose refusals come back on the field they name."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import MonthField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.audit.finding_labels import DECISION, SETTING
from portal.audit.findings import MAX_TEXT
from portal.audit.settings import SETTING_KEYS
from portal.posts.labels import FUNDING

LARGEST_AMOUNT = Decimal("1000000000")  # far above any budget or payroll; keeps Decimal arithmetic exact


def sane_amount(form, field) -> None:
    """A finite number of yuan of a sensible size (the rules decide the rest)."""
    value = field.data
    if value is not None and (not value.is_finite() or abs(value) > LARGEST_AMOUNT):
        raise ValidationError(_l("Enter an amount in yuan, such as 1234.50."))


class ChecklistField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RunForm(FlaskForm):
    """A run: whole months from..to (the service refuses a bad period) and the detectors to use."""

    first = MonthField(_l("From month"), validators=[DataRequired()])
    last = MonthField(_l("To month"), validators=[DataRequired()])
    detectors = ChecklistField(_l("Detectors"), validators=[DataRequired(message=_l("Choose at least one detector."))])


class RespondForm(FlaskForm):
    response = TextAreaField(_l("Explanation (what the township found)"),
                             validators=[DataRequired(), Length(max=MAX_TEXT)])
    action_taken = TextAreaField(_l("Action taken"), validators=[DataRequired(), Length(max=MAX_TEXT)])


class CloseForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice(k, v) for k, v in DECISION.items()],
                          validators=[InputRequired()])
    amount_recovered = DecimalField(_l("Amount recovered (yuan)"), places=2, default=Decimal("0.00"),
                                    validators=[InputRequired(), sane_amount])
    close_note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=MAX_TEXT)])


class ThresholdForm(FlaskForm):
    key = SelectField(_l("Setting"), choices=[SelectChoice(k, SETTING.get(k, k)) for k in SETTING_KEYS])
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=20)])
    effective_from = DateField(_l("Applies from"), validators=[DataRequired()])


class BudgetForm(FlaskForm):
    source = SelectField(_l("Funding source"), choices=[SelectChoice(str(k), v) for k, v in FUNDING.items()])
    amount = DecimalField(_l("Yearly budget (yuan)"), places=2, validators=[InputRequired(), sane_amount])
    effective_from = DateField(_l("Applies from"), validators=[DataRequired()])
