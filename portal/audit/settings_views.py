"""Audit settings (county admin): the detectors' thresholds and the yearly budget of each funding source, each a
dated county setting with its history; a new value applies from its date on, never to closed months."""

from __future__ import annotations

from dataclasses import fields

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.audit import queries, settings
from portal.audit.finding_labels import SETTING
from portal.audit.forms import BudgetForm, ThresholdForm
from portal.audit.pages import bp
from portal.audit.rules import DEFAULT_AUDIT_POLICY, AuditPolicy
from portal.core.access import Role, require_role
from portal.core.clock import county_today
from portal.core.errors import DomainError
from portal.core.forms import show_refusal, submitted
from portal.core.i18n import date_label
from portal.core.settings import CountySetting, first_open_day, history
from portal.posts.labels import FUNDING


def _history(county_id: int, key: str) -> list[CountySetting]:
    return history(CountySetting, CountySetting.county_id == county_id, CountySetting.key == key)


def _tables(county_id: int, today):
    current = settings.current_values(county_id, today)
    defaults = {settings.PREFIX + f.name: str(getattr(DEFAULT_AUDIT_POLICY, f.name)) for f in fields(AuditPolicy)}
    thresholds = [(key, SETTING.get(key, key), current[key], defaults[key], _history(county_id, key))
                  for key in settings.SETTING_KEYS]
    budgets_now = settings.budgets_for(county_id, today.year, today)
    budgets = [(source, label, budgets_now.get(str(source)), _history(county_id, settings.BUDGET_PREFIX + source))
               for source, label in FUNDING.items()]
    return thresholds, budgets


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def settings_page():
    today = county_today()
    threshold = ThresholdForm(prefix="set", effective_from=first_open_day(today))
    budget = BudgetForm(prefix="budget", effective_from=first_open_day(today))
    actions = (
        (threshold, lambda f: settings.set_setting(current_user, f.key.data, f.value.data, f.effective_from.data,
                                                   today=today)),
        (budget, lambda f: settings.set_budget(current_user, f.source.data, f.amount.data, f.effective_from.data,
                                               today=today)),
    )
    status = 200
    for form, save in actions:
        if submitted(form):
            try:
                save(form)
            except DomainError as err:
                show_refusal(form, err)
                status = 422
            else:
                flash(_("Saved. The new value applies from %(day)s.", day=date_label(form.effective_from.data)),
                      "success")
                return redirect(url_for("audit.settings_page"))
        elif form.is_submitted() and any(f.errors for f in form):
            status = 422
    thresholds, budgets = _tables(current_user.county_id, today)
    names = queries.user_names(r.created_by for *_, rows in thresholds + budgets for r in rows)
    return render_template("audit/settings.html", threshold_form=threshold, budget_form=budget,
                           thresholds=thresholds, budgets=budgets, names=names, today=today,
                           earliest=first_open_day(today)), status
