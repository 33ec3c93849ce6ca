"""Attendance forms: the shape of input. Rule 3's checks are in rules.py and the service.

The tap form and the fill form are parts of larger posts whose CSRF token the app-wide CSRFProtect checks
(for a tap sent as JSON, in the X-CSRFToken header), so they carry no token of their own.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from portal.attendance import labels
from portal.attendance.overrides import NOTE_MAX
from portal.attendance.rules import Mark

MARKS = frozenset(m.value for m in Mark)
MARK_CHOICES = [SelectChoice(m.value, labels.MARK[m]) for m in labels.ORDER]


def _known_mark(form, field) -> None:
    if field.data and field.data not in MARKS:
        raise ValidationError(_l("Not a mark."))


class MarkForm(FlaskForm):
    """One tap of the day view: a holder, a day, a mark (empty clears it)."""

    class Meta:
        csrf = False

    appointment_id = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    day = DateField(validators=[InputRequired()])
    mark = StringField(filters=[lambda value: value or ""], validators=[_known_mark])  # "" or null clears


class FillForm(FlaskForm):
    """Fill a range of the month grid (client-side with JS, by the server without)."""

    class Meta:
        csrf = False

    who = RadioField(_l("Holders"), choices=[SelectChoice("all", _l("all")),
                                             SelectChoice("chosen", _l("ticked rows"))], default="all")
    start = SelectField(_l("From day"), coerce=int)
    end = SelectField(_l("To day"), coerce=int)
    mark = SelectField(_l("Mark"), choices=[*MARK_CHOICES, SelectChoice("", _l("Clear"))], default="present")
    only_working = BooleanField(_l("Only working days"), default=True)
    only_empty = BooleanField(_l("Only empty cells"), default=True)

    def for_month(self, last_day: int, today_day: int | None = None) -> FillForm:
        days = [SelectChoice(d, str(d)) for d in range(1, last_day + 1)]
        self.start.choices, self.end.choices = days, days
        if self.start.data is None:
            self.start.data = 1
        if self.end.data is None:
            self.end.data = today_day or last_day
        return self


class OverrideForm(FlaskForm):
    day = DateField(_l("Day"), validators=[DataRequired()])
    working = RadioField(_l("The day becomes"), choices=[SelectChoice("1", _l("a working day")),
                                                         SelectChoice("0", _l("a day off"))],
                         validators=[InputRequired()], default="0")
    note = StringField(_l("Note"), validators=[Length(max=NOTE_MAX)],
                       description=_l("Why, e.g. a local festival or the county's make-up day."))


class RemoveOverrideForm(FlaskForm):
    override_id = IntegerField(validators=[InputRequired()])
