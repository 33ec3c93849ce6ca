"""County settings page (county admin): subsidy standards, village quotas and policy parameters, with history."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.core.access import Role, require_role
from portal.core.errors import DomainError
from portal.core.forms import show_refusal, submitted
from portal.core.i18n import date_label
from portal.core.settings import CountySetting, first_open_day, history
from portal.places.service import townships_with_villages
from portal.posts import settings
from portal.posts.labels import SETTINGS
from portal.posts.models import SubsidyStandard, VillageQuota
from portal.posts.plans.forms import CategoriesForm, QuotaForm, SettingForm, StandardForm, township_quota_form
from portal.posts.plans.ledger import villages_of
from portal.posts.plans.pages import bp
from portal.posts.rules import DEFAULT_POLICY, PostCategory
from portal.registry.labels import CATEGORY as HOUSEHOLD_CATEGORY


def _forms():
    today = first_open_day(settings.county_today())
    standard = StandardForm(prefix="std", effective_from=today)
    quota = QuotaForm(prefix="quota", effective_from=today)
    setting = SettingForm(prefix="set", effective_from=today)
    categories = CategoriesForm(prefix="cat", effective_from=today, categories=sorted(
        str(c) for c in settings.policy_for(current_user.county_id, settings.county_today()).eligible_categories))
    villages = villages_of(current_user)
    quota.village.choices = [SelectChoice(v.id, f"{v.township.name} {v.name}") for v in villages]
    return standard, quota, setting, categories, villages


def _shown(key: str, value) -> str:
    """A policy value as the page shows it: household categories by name, in the register's order (a stored
    text is read first)."""
    if isinstance(value, str):
        try:
            value = settings.parse_setting(key, value)
        except ValueError:
            return value
    if key == "eligible_categories":
        return "、".join(str(label) for c, label in HOUSEHOLD_CATEGORY.items() if c in value)
    return settings.format_setting(key, value)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def settings_page():
    standard, quota, setting, categories, villages = _forms()
    actions = (
        (standard, lambda f: settings.set_standard(current_user, f.category.data, f.amount.data,
                                                   f.effective_from.data)),
        (quota, lambda f: settings.set_quota(current_user, f.village.data, f.headcount.data, f.effective_from.data)),
        (setting, lambda f: settings.set_setting(current_user, f.key.data, f.value.data.strip(),
                                                 f.effective_from.data)),
        (categories, lambda f: settings.set_setting(current_user, "eligible_categories", ",".join(f.categories.data),
                                                    f.effective_from.data)),
    )
    status = 200
    for form, save in actions:
        if form.is_submitted() and any(k.startswith(form._prefix) for k in request.form) and not form.validate():
            status = 422
            continue
        if submitted(form):
            try:
                save(form)
            except DomainError as err:
                show_refusal(form, err)
                status = 422
            else:
                flash(_("Saved. The new value applies from %(day)s.", day=date_label(form.effective_from.data)),
                      "success")
                return redirect(url_for("plan_pages.settings_page"))
    today = settings.county_today()
    county_id = current_user.county_id
    standards = [(c, settings.standard_on(county_id, c, today),
                  history(SubsidyStandard, SubsidyStandard.county_id == county_id,
                          SubsidyStandard.category == c.value)) for c in PostCategory]
    quotas = [(v, settings.quota_on(v.id, today), history(VillageQuota, VillageQuota.village_id == v.id))
              for v in villages]
    policy = settings.policy_for(county_id, today)
    params = [(key, SETTINGS[key], _shown(key, getattr(policy, key)), _shown(key, getattr(DEFAULT_POLICY, key)),
               history(CountySetting, CountySetting.county_id == county_id, CountySetting.key == key))
              for key in settings.SETTING_KEYS]
    return render_template("posts/settings.html", standard_form=standard, quota_form=quota, setting_form=setting,
                           categories_form=categories, shown=_shown,
                           townships=list({v.township.id: v.township for v in villages}.values()),
                           standards=standards, quotas=quotas, params=params, today=today,
                           earliest=first_open_day(settings.county_today())), status


@bp.route("/settings/quotas", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def township_quotas():
    """The quotas of one township's villages on one page, each beside the posts that count against it."""
    places = townships_with_villages(current_user)
    if not places:
        abort(404)
    chosen = request.args.get("township", type=int) or places[0][0].id
    township, villages = next(((t, vs) for t, vs in places if t.id == chosen), (None, None))
    if township is None:
        abort(404)
    today = settings.county_today()
    earliest = first_open_day(today)
    use = settings.quota_use([v.id for v in villages], today)
    form = township_quota_form(villages, {v: q for v, (q, _used) in use.items()}, earliest)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                rows = settings.set_quotas(current_user, form.quotas(), form.effective_from.data)
            except DomainError as err:
                show_refusal(form, err)
                status = 422
            else:
                flash(_("%(n)d quotas of %(township)s saved. They apply from %(day)s.", n=len(rows),
                        township=township.name, day=date_label(form.effective_from.data)), "success")
                return redirect(url_for("plan_pages.township_quotas", township=township.id))
        else:
            status = 422
    rows = [(v, form[f"v{v.id}"], *use[v.id], history(VillageQuota, VillageQuota.village_id == v.id))
            for v in villages]
    return render_template("posts/quotas.html", form=form, township=township, townships=[t for t, _vs in places],
                           rows=rows, today=today, earliest=earliest), status
