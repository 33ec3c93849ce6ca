"""Place forms: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class PlaceForm(FlaskForm):
    code = StringField(_l("Division code (12 digits)"),
                       validators=[DataRequired(), Regexp(r"^\d{12}$", message=_l("Exactly 12 digits."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])


class RenameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(), FileAllowed(["csv", "txt"], _l("Choose a .csv file."))])
