"""Helpers shared by every feature's views: show a refused action on the form that caused it."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from portal.core.errors import DomainError


def show_refusal(form: FlaskForm | None, error: DomainError) -> None:
    """Put the refusal next to the field it names, or at the top of the page; typed input stays."""
    problems = getattr(error, "problems", None)
    if problems and form is not None:
        for name, message in problems.items():
            target = getattr(form, name, None)
            if target is None:
                flash(message, "danger")
            else:
                target.errors = [*list(target.errors or []), message]
        return
    field = getattr(form, error.field, None) if (form is not None and error.field) else None
    if field is not None:
        field.errors = [*list(field.errors or []), error.message]
    else:
        flash(error.message, "danger")


def submitted(form: FlaskForm) -> bool:
    """For pages with several forms: this form (by its prefix) was posted and is valid."""
    from flask import request

    prefix = form._prefix
    return (request.method == "POST" and any(k.startswith(prefix) for k in request.form)
            and form.validate())
