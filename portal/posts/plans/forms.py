"""Forms of post plans and county settings: shape of input only; Rule 1 is in plans/rules.py."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.core.checkboxes import CheckboxesField
from portal.posts import labels
from portal.posts.labels import SETTINGS
from portal.posts.plans.service import PlanData
from portal.posts.settings import MAX_QUOTA
from portal.registry.labels import CATEGORY as HOUSEHOLD_CATEGORY


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(k.value, text) for k, text in mapping.items()]


class PostForm(FlaskForm):
    category = SelectField(_l("Post category"), choices=_choices(labels.CATEGORY))
    title = StringField(_l("Post title"), validators=[DataRequired(), Length(max=60)])
    duties = TextAreaField(_l("Duties"), validators=[DataRequired(), Length(max=2000)])
    workload_amount = DecimalField(_l("Workload"), places=2, validators=[InputRequired(), NumberRange(0, 10**7)])
    workload_unit = StringField(_l("Workload unit"), validators=[DataRequired(), Length(max=20)])
    headcount = IntegerField(_l("Headcount"), default=1, validators=[InputRequired(), NumberRange(1, 1000)])
    schedule = SelectField(_l("Schedule"), choices=_choices(labels.SCHEDULE))
    required_days = IntegerField(_l("Required days a month"), validators=[Optional(), NumberRange(1, 31)])
    subsidy = DecimalField(_l("Monthly subsidy (yuan)"), places=2,
                           validators=[InputRequired(), NumberRange(0, 10**6)])
    funding_source = SelectField(_l("Funding source"), choices=_choices(labels.FUNDING))
    start_date = DateField(_l("Term start"), validators=[InputRequired()])
    end_date = DateField(_l("Term end"), validators=[InputRequired()])
    need_reason = TextAreaField(_l("Need reason"), validators=[DataRequired(), Length(max=2000)])

    def to_data(self) -> PlanData:
        return PlanData(
            category=self.category.data, title=self.title.data.strip(), duties=self.duties.data.strip(),
            workload_amount=self.workload_amount.data, workload_unit=self.workload_unit.data.strip(),
            headcount=self.headcount.data, schedule=self.schedule.data,
            required_days=self.required_days.data if self.schedule.data == "part_time" else None,
            subsidy=self.subsidy.data, funding_source=self.funding_source.data,
            start_date=self.start_date.data, end_date=self.end_date.data, need_reason=self.need_reason.data.strip())


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Reason for returning"), validators=[DataRequired(), Length(max=1000)])


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class StandardForm(FlaskForm):
    category = SelectField(_l("Post category"), choices=_choices(labels.CATEGORY))
    amount = DecimalField(_l("Standard (yuan a month)"), places=2,
                          validators=[InputRequired(), NumberRange(Decimal("0.01"), 10**6)])
    effective_from = DateField(_l("Effective from"), validators=[InputRequired()])


class QuotaForm(FlaskForm):
    village = SelectField(_l("Village"), choices=[], coerce=int, validate_choice=False)
    headcount = IntegerField(_l("Quota (posts)"), validators=[InputRequired(), NumberRange(0, MAX_QUOTA)])
    effective_from = DateField(_l("Effective from"), validators=[InputRequired()])


LIST_SETTINGS = ("eligible_categories",)  # chosen from checkboxes (CategoriesForm), not typed


class SettingForm(FlaskForm):
    key = SelectField(_l("Setting"), choices=[SelectChoice(k, v) for k, v in SETTINGS.items()
                                              if k not in LIST_SETTINGS])
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=200)])
    effective_from = DateField(_l("Effective from"), validators=[InputRequired()])


class CategoriesForm(FlaskForm):
    """The eligible household categories, ticked."""

    categories = CheckboxesField(_l("Eligible household categories"),
                                 choices=[SelectChoice(c.value, label) for c, label in HOUSEHOLD_CATEGORY.items()])
    effective_from = DateField(_l("Effective from"), validators=[InputRequired()])


def township_quota_form(villages, current: dict[int, int | None], effective_from):
    """One quota field per village of a township (named v<id>), prefilled with the quota in force, and one date."""

    class TownshipQuotaForm(FlaskForm):
        effective_from = DateField(_l("Effective from"), validators=[InputRequired()])

        def quotas(self) -> dict[int, int]:
            """The quotas filled in, by village id (a field left empty changes nothing)."""
            return {v.id: self[f"v{v.id}"].data for v in villages if self[f"v{v.id}"].data is not None}

    for v in villages:
        setattr(TownshipQuotaForm, f"v{v.id}", IntegerField(v.name, validators=[Optional(),
                                                                               NumberRange(0, MAX_QUOTA)]))
    return TownshipQuotaForm(prefix="tq", effective_from=effective_from,
                             data={f"v{v.id}": current.get(v.id) for v in villages})
