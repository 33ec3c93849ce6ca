"""Register forms: shape of input; the checks themselves are in rules.py."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DecimalField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.registry import labels
from portal.registry.rules import HouseholdData, PersonData


def _choices(mapping: dict, blank: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(k.value, text) for k, text in mapping.items()]


class HouseholdForm(FlaskForm):
    number = StringField(_l("Household number"), validators=[DataRequired(), Length(max=30)])
    category = SelectField(_l("Household category"), choices=_choices(labels.CATEGORY))
    monitored_subtype = SelectField(_l("Monitored type"), choices=_choices(labels.SUBTYPE, "—"))
    risk_eliminated = BooleanField(_l("Risk eliminated"))
    address = StringField(_l("Address"), validators=[Length(max=120)])

    def to_data(self) -> HouseholdData:
        return HouseholdData(number=self.number.data.strip(), category=self.category.data,
                             monitored_subtype=self.monitored_subtype.data or None,
                             risk_eliminated=bool(self.risk_eliminated.data), address=(self.address.data or "").strip())


class PersonForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=40)])
    id_number = StringField(_l("Resident ID"), validators=[DataRequired(), Length(max=18)])
    relation_to_head = SelectField(_l("Relation to head"), choices=_choices(labels.RELATION))
    labour_capacity = SelectField(_l("Labour capacity"), choices=_choices(labels.CAPACITY))
    # No default: a preselected status would be recorded unread (外出务工-省外 feeds 岗在人不在 signals).
    employment_status = SelectField(_l("Employment status"), choices=_choices(labels.EMPLOYMENT, _l("— choose —")),
                                    validators=[DataRequired(message=_l("Choose the person's employment status."))])
    disabled = BooleanField(_l("Disabled"))
    disability_grade = IntegerField(_l("Disability grade"), validators=[Optional(), NumberRange(1, 4)])
    phone = StringField(_l("Phone"), validators=[Length(max=20)])
    bank_name = StringField(_l("Bank"), validators=[Length(max=60)])
    bank_account = StringField(_l("Bank account"), validators=[Length(max=32)])
    monthly_income = DecimalField(_l("Monthly income from work (yuan)"), places=2, default=Decimal("0"),
                                  validators=[Optional(), NumberRange(0, 1000000)])
    training_wish = StringField(_l("Training wish"), validators=[Length(max=120)])
    willing_to_migrate = BooleanField(_l("Willing to go out to work"))
    is_cadre = BooleanField(_l("Village cadre"))
    deceased = BooleanField(_l("Deceased"))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    household = SelectField(_l("Household"), choices=[], validate_choice=False)

    def to_data(self) -> PersonData:
        return PersonData(
            name=self.name.data.strip(), id_number=self.id_number.data.strip().upper(),
            relation_to_head=self.relation_to_head.data, labour_capacity=self.labour_capacity.data,
            employment_status=self.employment_status.data, disabled=bool(self.disabled.data),
            disability_grade=self.disability_grade.data, phone=(self.phone.data or "").strip(),
            bank_name=(self.bank_name.data or "").strip(), bank_account=(self.bank_account.data or "").replace(" ", ""),
            monthly_income=self.monthly_income.data if self.monthly_income.data is not None else Decimal("0"),
            training_wish=(self.training_wish.data or "").strip(),
            willing_to_migrate=bool(self.willing_to_migrate.data),
            deceased=bool(self.deceased.data), is_cadre=bool(self.is_cadre.data), note=self.note.data or "",
        )


class RelationshipForm(FlaskForm):
    relative = SelectField(_l("Relative"), choices=[], validate_choice=False)
    kind = SelectField(_l("Relationship"), choices=_choices(labels.RELATIVE))


class LedgerImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"), validators=[
        FileRequired(), FileAllowed(["xlsx"], _l("Choose an Excel .xlsx file."))])


class LedgerImportAdminForm(LedgerImportForm):
    """The county admin imports into a village of the county, chosen here (a clerk's is their own)."""

    village = SelectField(_l("Village"), choices=[], coerce=int)
