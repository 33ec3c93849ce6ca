"""Annual assessment pages (年度考核, 梯次奖补) and the county's workshop settings, on the workshop_pages
blueprint: compute a year after it ends, approve each reward, record its payment; the tier table and the
exit conditions, dated, with their history."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.access import Role, get_scoped_or_404, require_role
from portal.core.errors import DomainError
from portal.core.forms import show_refusal, submitted
from portal.core.i18n import date_label, money
from portal.core.settings import first_open_day
from portal.registry import labels as reg_labels
from portal.workshops import labels, page_queries, rules, settings
from portal.workshops.assessments import service
from portal.workshops.forms import ActionForm, CategoriesForm, PaymentForm, SettingForm, TiersForm
from portal.workshops.models import Assessment
from portal.workshops.pages import _today, bp

FIRST_YEAR = 2000
# ?state= of a year's list: what waits for the county admin (the home page links these)
SHOWN_STATES = {"computed": lambda a: a.state == "computed",
                "to_pay": lambda a: a.state == "approved" and a.reward > 0}


def _tiers(text: str) -> tuple[rules.Tier, ...]:
    try:
        return rules.parse_tiers(text)
    except ValueError:
        return ()


def _level_text(level: int, tiers) -> str:
    """A tier level as the page shows it: its minimum of stable aided employees, or none."""
    if level <= 0 or level > len(tiers):
        return _("no tier")
    return _("tier %(level)s (%(minimum)s or more)", level=level, minimum=tiers[level - 1].minimum)


@bp.get("/assessments")
@login_required
def assessments():
    return redirect(url_for("workshop_pages.assessment_year", year=_today().year - 1))


@bp.get("/assessments/<int:year>")
@login_required
def assessment_year(year: int):
    today = _today()
    if not FIRST_YEAR <= year <= today.year:
        return redirect(url_for("workshop_pages.assessment_year", year=today.year - 1))
    rows = service.assessments_for(current_user, year)
    totals = {"reward": sum((a.reward for a in rows), Decimal("0.00")),
              "approved": sum((a.reward for a in rows if a.state != "computed"), Decimal("0.00")),
              "paid": sum((a.reward for a in rows if a.state == "paid"), Decimal("0.00"))}
    by_class: dict[str, int] = {}
    for a in rows:
        by_class[a.classification] = by_class.get(a.classification, 0) + 1
    shown = request.args.get("state", "")
    if shown in SHOWN_STATES:
        rows = [a for a in rows if SHOWN_STATES[shown](a)]
    return render_template("workshops/assessments.html", rows=rows, year=year, totals=totals, by_class=by_class,
                           shown=shown if shown in SHOWN_STATES else "",
                           ended=today.year > year, this_year=today.year, action_form=ActionForm(),
                           tiers={a.id: _tiers(a.tier_table) for a in rows}, level_text=_level_text,
                           computed=sum(1 for a in rows if a.state == "computed"),
                           stable_months=settings.policy_for(current_user.scope_county_id,
                                                             rules.month_end((year, 12))).stable_months)


@bp.post("/assessments/<int:year>/compute")
@login_required
@require_role(Role.COUNTY_ADMIN)
def compute_assessments(year: int):
    if ActionForm().validate_on_submit():
        try:
            rows = service.compute_year(current_user, year, today=_today())
        except DomainError as err:
            flash(err.message, "danger")
        else:
            flash(_("%(n)s workshops assessed for %(year)s. Check the figures, then approve each reward.",
                    n=len(rows), year=year), "success")
    else:
        flash(_("The form expired. Please try again."), "danger")
    return redirect(url_for("workshop_pages.assessment_year", year=year))


def _assessment_page(assessment: Assessment, status: int = 200, pay_form: PaymentForm | None = None):
    tiers = _tiers(assessment.tier_table)
    return render_template(
        "workshops/assessment.html", a=assessment, w=assessment.workshop, tiers=tiers, level_text=_level_text,
        stable=service.stable_employees(assessment.workshop, assessment.year,
                                        settings.policy_for(assessment.workshop.village.township.county_id,
                                                            rules.month_end((assessment.year, 12)))),
        can_approve=current_user.role == Role.COUNTY_ADMIN and assessment.state == "computed",
        can_pay=current_user.role == Role.COUNTY_ADMIN and assessment.state == "approved" and assessment.reward > 0,
        names=page_queries.user_names(assessment.computed_by, assessment.approved_by, assessment.paid_by),
        action_form=ActionForm(), pay_form=pay_form or PaymentForm(prefix="pay", formdata=None, paid_on=_today()),
    ), status


@bp.get("/assessment/<int:assessment_id>")
@login_required
def assessment(assessment_id: int):
    return _assessment_page(get_scoped_or_404(Assessment, assessment_id))


@bp.post("/assessment/<int:assessment_id>/approve")
@login_required
@require_role(Role.COUNTY_ADMIN)
def approve_assessment(assessment_id: int):
    item = get_scoped_or_404(Assessment, assessment_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
    else:
        try:
            service.approve_assessment(current_user, item, today=_today())
        except DomainError as err:
            flash(err.message, "danger")
        else:
            item = get_scoped_or_404(Assessment, assessment_id)
            flash(_("Reward of %(workshop)s for %(year)s approved.", workshop=item.workshop.name, year=item.year),
                  "success")
    item = get_scoped_or_404(Assessment, assessment_id)
    return redirect(url_for("workshop_pages.assessment_year", year=item.year, _anchor=f"a{item.id}"))


@bp.post("/assessment/<int:assessment_id>/pay")
@login_required
@require_role(Role.COUNTY_ADMIN)
def pay_assessment(assessment_id: int):
    item = get_scoped_or_404(Assessment, assessment_id)
    form = PaymentForm(prefix="pay")
    if not form.validate_on_submit():
        return _assessment_page(item, 422, form)
    try:
        service.record_payment(current_user, item, form.paid_on.data, form.bank_reference.data, today=_today())
    except DomainError as err:
        show_refusal(form, err)
        return _assessment_page(get_scoped_or_404(Assessment, assessment_id), 409, form)
    flash(_("Payment recorded."), "success")
    return redirect(url_for("workshop_pages.assessment", assessment_id=assessment_id))


# ---- county settings ----------------------------------------------------------------------------------------


def _shown(key: str, text: str) -> str:
    """A stored setting as people read it: household categories by name, tiers as ≥ 5：¥10,000.00."""
    try:
        value = settings.parse_setting(key, text)
    except ValueError:
        return text
    if key == "workshop_aided_categories":
        return "、".join(reg_labels.label(reg_labels.CATEGORY, c) for c in rules.AIDED_CHOICES if c in value)
    if key == "workshop_tiers":
        return "；".join(f"≥ {t.minimum}：{money(t.reward)}" for t in value)
    return text


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def settings_page():
    today = _today()
    county_id = current_user.county_id
    policy = settings.policy_for(county_id, today)
    form = SettingForm(prefix="set", effective_from=first_open_day(today))
    categories = CategoriesForm(prefix="cat", effective_from=first_open_day(today),
                                categories=[c for c in rules.AIDED_CHOICES if c in policy.aided_categories])
    tiers = TiersForm(prefix="tier", effective_from=first_open_day(today),
                      tiers=[{"minimum": t.minimum, "reward": t.reward} for t in policy.tiers])
    status = 200
    for posted, key, value in ((form, lambda: form.key.data, lambda: form.value.data.strip()),
                               (categories, lambda: "workshop_aided_categories",
                                lambda: ",".join(categories.categories.data)),
                               (tiers, lambda: "workshop_tiers", tiers.tier_list)):
        if submitted(posted):
            try:
                settings.set_setting(current_user, key(), value(), posted.effective_from.data, today=today)
            except DomainError as err:
                show_refusal(posted, err)
                status = 422
            else:
                flash(_("Saved. The new value applies from %(day)s.", day=date_label(posted.effective_from.data)),
                      "success")
                return redirect(url_for("workshop_pages.settings_page"))
            break
    else:
        if form.is_submitted():
            status = 422
    current = settings.current_values(county_id, today)
    defaults = {key: settings.format_setting(key, getattr(rules.DEFAULT_POLICY, key[len(settings.PREFIX):]))
                for key in settings.SETTING_KEYS}
    rows = [(key, labels.SETTING[key], _shown(key, current[key]), _shown(key, defaults[key]),
             settings.history(county_id, key)) for key in settings.SETTING_KEYS]
    return render_template("workshops/settings.html", form=form, categories_form=categories, tiers_form=tiers,
                           shown=_shown,
                           rows=rows, today=today, earliest=first_open_day(today), tiers=policy.tiers,
                           names=page_queries.user_names(*(r.created_by for *_, hist in rows for r in hist))), status
