"""Login, logout, own password and language, API tokens; user administration for county admins."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from portal.accounts import forms, home, rules, service, staffing  # noqa: F401  (home, staffing: register items)
from portal.accounts.models import ApiToken, User
from portal.core.access import Role, require_role
from portal.core.errors import DomainError
from portal.core.forms import show_refusal, submitted
from portal.core.masking import mask_id
from portal.extensions import db, limiter
from portal.places.service import place_choices

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    return rules.safe_next_path(target) or url_for("home.index")


def _failed(response) -> bool:
    """A login POST that did not log in (a success redirects)."""
    return response.status_code != 302


def _account_and_address() -> str:
    return f"{request.form.get('username', '').strip().lower()[:40]}|{get_remote_address()}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], scope="login-address")
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], methods=["POST"], scope="login-account",
               key_func=_account_and_address, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    if request.args.get("lang") in ("zh_CN", "en"):
        session["locale"] = request.args["lang"]
    form = forms.LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.username.data, form.password.data)
        except service.LoginRefused as refused:
            error = refused.message
        else:
            chosen = session.get("locale")  # picked on this login page: it survives the login and is kept
            login_user(user)
            if chosen in current_app.config["LANGUAGES"] and chosen != user.locale:
                service.set_locale(user, chosen)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form, error=error)


@bp.post("/logout")
@login_required
def logout():
    service.logout(current_user)
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    pw_form = forms.PasswordForm(prefix="pw")
    lang_form = forms.LanguageForm(prefix="lang", locale=current_user.locale)
    token_form = forms.TokenForm(prefix="tok")
    new_token = None
    try:
        if submitted(pw_form):
            service.change_password(current_user, pw_form.current_password.data, pw_form.new_password.data,
                                    session.get("sid"))
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.index"))
        if submitted(lang_form):
            service.set_locale(current_user, lang_form.locale.data)
            return redirect(url_for("accounts.account"))
        if submitted(token_form):
            new_token = service.create_token(current_user, token_form.name.data)
            token_form = forms.TokenForm(prefix="tok", formdata=None)
    except DomainError as err:
        show_refusal(pw_form, err)
    tokens = db.session.execute(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).scalars().all()
    return render_template("accounts/account.html", pw_form=pw_form, lang_form=lang_form,
                           token_form=token_form, new_token=new_token, tokens=tokens,
                           confirm=forms.ConfirmForm())


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if forms.ConfirmForm().validate_on_submit():
        try:
            service.revoke_token(current_user, token_id)
            flash(_("The token has been revoked."), "success")
        except DomainError as err:
            show_refusal(None, err)
    return redirect(url_for("accounts.account"))


# ---- user administration (county admin) ---------------------------------------------------------


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.scope_county_id != current_user.scope_county_id:
        abort(404)
    return user


@bp.get("/admin/users")
@login_required
@require_role(Role.COUNTY_ADMIN)
def users():
    unlinked, locked = request.args.get("unlinked") == "1", request.args.get("locked") == "1"
    rows = service.list_users(current_user, request.args.get("q", ""), request.args.get("role", ""), unlinked, locked)
    return render_template("accounts/users.html", users=rows, role_labels=forms.ROLE_LABELS,
                           q=request.args.get("q", ""), role=request.args.get("role", ""), unlinked=unlinked,
                           locked=locked,
                           confirm=forms.ConfirmForm())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def new_user():
    form = forms.UserForm()
    form.place.choices = place_choices(current_user)
    if form.validate_on_submit():
        try:
            user = service.create_user(current_user, _user_input(form), form.password.data or "")
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("User %(name)s created. They must change the temporary password at first login.",
                    name=user.username), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = forms.UserForm(obj=user, place=service.place_key(user))
    form.place.choices = place_choices(current_user)
    reset_form = forms.ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        try:
            service.update_user(current_user, user, _user_input(form, username=user.username), form.active.data)
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("User %(name)s saved.", name=user.username), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user, reset_form=reset_form,
                           confirm=forms.ConfirmForm(), mask_id=mask_id)


@bp.post("/admin/users/<int:user_id>/reset")
@login_required
@require_role(Role.COUNTY_ADMIN)
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    reset_form = forms.ResetPasswordForm(prefix="reset")
    if reset_form.validate_on_submit():
        try:
            service.reset_password(current_user, user, reset_form.password.data)
        except DomainError as err:
            flash(err.message, "danger")
        else:
            flash(_("Password of %(name)s reset; they must change it at next login.", name=user.username),
                  "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/unlock")
@login_required
@require_role(Role.COUNTY_ADMIN)
def unlock(user_id: int):
    user = _user_or_404(user_id)
    if forms.ConfirmForm().validate_on_submit():
        service.unlock(current_user, user)
        flash(_("User %(name)s unlocked.", name=user.username), "success")
    return redirect(url_for("accounts.users"))


def _user_input(form: forms.UserForm, username: str | None = None) -> service.UserInput:
    return service.UserInput(
        username=username or form.username.data.strip(), full_name=form.full_name.data.strip(),
        role=Role(form.role.data), place=form.place.data or "", locale=form.locale.data,
        person=form.resident_id.data or "",
    )
