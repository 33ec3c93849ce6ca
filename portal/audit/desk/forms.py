"""The auditor's desk forms: shape of input only (the sampling rules, the search and the service decide)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.audit.sampling.rules import CONFIDENCE_LEVELS, MAX_MARGIN, SEED_LIMIT

ANSWERS = [SelectChoice("", _l("Not asked yet")), SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


class SampleForm(FlaskForm):
    period = StringField(_l("Month or quarter"), validators=[InputRequired(), Length(max=10)],
                         description=_l("A month such as 2026-10, or a quarter such as 2026-Q4"))
    method = RadioField(_l("Sample size"), choices=[SelectChoice("percent", _l("A percentage of the lines")),
                                 SelectChoice("confidence", _l("From a confidence level and margin of error"))],
                        default="percent", validators=[InputRequired()])
    percent = IntegerField(_l("Percentage of the lines"), validators=[Optional(), NumberRange(1, 100)])
    confidence = SelectField(_l("Confidence level"),
                             choices=[SelectChoice(str(c), f"{c} %") for c in CONFIDENCE_LEVELS], default="95")
    margin = IntegerField(_l("Margin of error (%)"), default=5, validators=[Optional(), NumberRange(1, MAX_MARGIN)])
    seed = IntegerField(_l("Seed (leave empty for a new one)"), validators=[Optional(), NumberRange(1, SEED_LIMIT)])


class CheckForm(FlaskForm):
    on_duty_confirmed = RadioField(_l("The holder confirms being on duty (本人确认在岗)"), choices=ANSWERS, default="")
    amount_matches = RadioField(_l("The amount matches (金额相符)"), choices=ANSWERS, default="")
    account_is_own = RadioField(_l("The account is the holder's own (账户为本人)"), choices=ANSWERS, default="")
    note = TextAreaField(_l("What the visit found"), validators=[Length(max=2000)])


class SearchForm(FlaskForm):
    kind = SelectField(_l("Search by"), choices=[SelectChoice("id", _l("Resident ID (all 18 characters)")),
                                                 SelectChoice("account", _l("Bank account")),
                                                 SelectChoice("phone", _l("Phone")),
                                                 SelectChoice("name", _l("Person’s name"))],
                       default="id")
    query = StringField(_l("Search for"), validators=[InputRequired(), Length(max=40)])
