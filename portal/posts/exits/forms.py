"""Exit forms: the shape of input; Rule 4's checks are in exit_rules and the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.posts import labels


class ExitProposalForm(FlaskForm):
    appointment = SelectField(_l("Holder and post"), coerce=int, validators=[InputRequired()])
    reason = SelectField(_l("Exit reason"), choices=[SelectChoice(k.value, v) for k, v in labels.EXIT_REASON.items()])
    evidence = TextAreaField(_l("Evidence"), validators=[DataRequired(), Length(max=2000)],
                             description=_l("What happened, when, and who saw it; documents on file."))
    effective_on = DateField(_l("Effective date (first day off the post)"), validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (approve, withdraw)."""


class RejectForm(FlaskForm):
    note = TextAreaField(_l("Why the exit is rejected"), validators=[DataRequired(), Length(max=2000)])


class AppealForm(FlaskForm):
    text = TextAreaField(_l("The holder's appeal"), validators=[DataRequired(), Length(max=2000)])


class DecideAppealForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice("uphold", _l("Uphold: cancel the exit, back on duty")),
                                                   SelectChoice("dismiss", _l("Dismiss: the exit stands"))],
                          validators=[InputRequired()])
    note = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(max=2000)])
