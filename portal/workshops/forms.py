"""Workshop forms: the shape of input only; Rule 5's checks are in workshops.checks and the service, whose
refusals come back on the field they name."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.core.checkboxes import CheckboxesField
from portal.registry.labels import CATEGORY as HOUSEHOLD_CATEGORY
from portal.registry.rules import HouseholdCategory
from portal.workshops.labels import CONDITION, FIELDS, SETTING
from portal.workshops.policy import AIDED_CHOICES, MAX_EMPLOYEES, MAX_MONEY, Tier
from portal.workshops.rules import ExitCondition


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (publish, approve, compute)."""


class WorkshopForm(FlaskForm):
    """The workshop's fields as the county admin types them (Rule 5); the credit code is checked by the service."""

    name = StringField(FIELDS["name"], validators=[DataRequired(), Length(max=80)])
    enterprise = StringField(FIELDS["enterprise"], validators=[DataRequired(), Length(max=100)])
    credit_code = StringField(FIELDS["credit_code"], validators=[DataRequired(), Length(max=40)],
                              description=_l("18 characters, as on the business licence."))
    address = StringField(FIELDS["address"], validators=[DataRequired(), Length(max=200)])
    industry = StringField(FIELDS["industry"], validators=[DataRequired(), Length(max=60)],
                           description=_l("For example: garment processing, bamboo weaving, food processing."))
    certified_on = DateField(FIELDS["certified_on"], validators=[DataRequired()])
    accident_insurance = BooleanField(_l("The employees have accident insurance"))
    other_employees = IntegerField(FIELDS["other_employees"], default=0, validators=[InputRequired()],
                                   description=_l("Employees who are not in the labour register."))


class CertifyForm(WorkshopForm):
    village = SelectField(FIELDS["village_id"], coerce=int, validators=[InputRequired()])


class EmployeeForm(FlaskForm):
    person_id = SelectField(FIELDS["person_id"], coerce=int, validators=[InputRequired()], validate_choice=False)
    hire_date = DateField(FIELDS["hire_date"], validators=[DataRequired()])
    monthly_wage = DecimalField(_l("Monthly wage (yuan)"), places=2, validators=[InputRequired()])
    leave_date = DateField(_l("Leave date (last day at work, if known)"), validators=[Optional()])


class EmploymentForm(FlaskForm):
    """Correcting an employment record."""

    hire_date = DateField(FIELDS["hire_date"], validators=[DataRequired()])
    leave_date = DateField(_l("Leave date (last day at work)"), validators=[Optional()])
    monthly_wage = DecimalField(_l("Monthly wage (yuan)"), places=2, validators=[InputRequired()])


class EndForm(FlaskForm):
    leave_date = DateField(_l("Last day at work"), validators=[DataRequired()])


class ReportForm(FlaskForm):
    """The monthly report (月调度); the aided employees are not typed: they come from the records."""

    operating = RadioField(_l("Production"), choices=[SelectChoice("1", _l("Operating")),
                                                      SelectChoice("0", _l("Halted production"))],
                           validators=[InputRequired()], default="1")
    total_employees = IntegerField(_l("Total employees at the month's end"), validators=[InputRequired()])
    wages_paid = DecimalField(_l("Wages paid in the month (yuan)"), places=2, validators=[InputRequired()])
    output_value = DecimalField(_l("Output value in the month (yuan)"), places=2, validators=[InputRequired()])
    violation = BooleanField(_l("A violation of laws or regulations was found"))
    violation_note = TextAreaField(_l("What was found"), validators=[Length(max=2000)])


class ProposeExitForm(FlaskForm):
    condition = SelectField(FIELDS["condition"], choices=[SelectChoice(str(c), CONDITION[c]) for c in ExitCondition])
    reason = TextAreaField(FIELDS["reason"], validators=[DataRequired(), Length(max=2000)])
    evidence = TextAreaField(FIELDS["evidence"], validators=[Length(max=2000)],
                             description=_l("Reports, inspection records, documents on file."))


class ApproveExitForm(FlaskForm):
    effective_on = DateField(_l("Effective date (first day no longer a workshop)"), validators=[DataRequired()])
    note = TextAreaField(FIELDS["note"], validators=[Length(max=2000)])


class RejectExitForm(FlaskForm):
    note = TextAreaField(_l("Why the workshop stays"), validators=[DataRequired(), Length(max=2000)])


class PaymentForm(FlaskForm):
    paid_on = DateField(FIELDS["paid_on"], validators=[DataRequired()])
    bank_reference = StringField(FIELDS["bank_reference"], validators=[DataRequired(), Length(max=60)])


# Chosen from checkboxes (CategoriesForm) or filled into a table (TiersForm), not typed into SettingForm.
LIST_SETTINGS = ("workshop_aided_categories", "workshop_tiers")
TIER_ROWS = 6  # a county has four tiers; two empty rows to add more


class TierRowForm(Form):
    """One row of the tier table; a row left empty is no tier."""

    minimum = IntegerField(_l("Stable aided employees, at least"),
                           validators=[Optional(), NumberRange(1, MAX_EMPLOYEES)])
    reward = DecimalField(_l("Reward per year (yuan)"), places=2,
                          validators=[Optional(), NumberRange(Decimal("0.01"), MAX_MONEY)])


class TiersForm(FlaskForm):
    """The reward tier table as rows to fill in: lowest tier first, empty rows ignored."""

    tiers = FieldList(FormField(TierRowForm), min_entries=TIER_ROWS, max_entries=TIER_ROWS)
    effective_from = DateField(FIELDS["effective_from"], validators=[DataRequired()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for row in self.tiers:
            minimum, reward = row.form.minimum, row.form.reward
            if (minimum.data is None) != (reward.data is None) and not (minimum.errors or reward.errors):
                empty = minimum if minimum.data is None else reward
                empty.errors = [*empty.errors, _l("Fill in both columns of the tier, or neither.")]
                ok = False
        return ok

    def tier_list(self) -> list[Tier]:
        """The filled rows as tiers (the policy checks their order)."""
        return [Tier(r.form.minimum.data, r.form.reward.data) for r in self.tiers
                if r.form.minimum.data is not None and r.form.reward.data is not None]


class SettingForm(FlaskForm):
    key = SelectField(FIELDS["key"], choices=[SelectChoice(k, v) for k, v in SETTING.items()
                                             if k not in LIST_SETTINGS])
    value = StringField(FIELDS["value"], validators=[DataRequired(), Length(max=200)])
    effective_from = DateField(FIELDS["effective_from"], validators=[DataRequired()])


class CategoriesForm(FlaskForm):
    """The household categories whose members count as aided employees (脱贫劳动力), ticked."""

    categories = CheckboxesField(SETTING["workshop_aided_categories"], choices=[
        SelectChoice(c, HOUSEHOLD_CATEGORY[HouseholdCategory(c)]) for c in AIDED_CHOICES])
    effective_from = DateField(FIELDS["effective_from"], validators=[DataRequired()])
