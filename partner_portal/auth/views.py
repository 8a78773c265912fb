"""Views for logging in and out, accepting invitations, resetting passwords and the profile."""

import logging
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from partner_portal import navigation
from partner_portal.auth import bp, operations, tokens
from partner_portal.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    SetPasswordForm,
)
from partner_portal.auth.sessions import end_session, start_session
from partner_portal.core.errors import OperationError
from partner_portal.core.transaction import refused
from partner_portal.extensions import limiter

log = logging.getLogger(__name__)


def _login_account_key() -> str:
    return "account:" + operations.normalise_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    # Only failed attempts count towards the limits; a successful login redirects.
    return response.status_code != 302


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_login_account_key,
    methods=["POST"],
    deduct_when=_failed,
    scope="login-account",
)
def login():
    if current_user.is_authenticated:
        return redirect(navigation.start_url_for(current_user))
    form = LoginForm()
    login_error = None
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data)
            flash(_("Welkom, %(name)s. U bent ingelogd.", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")) or navigation.start_url_for(user))
        login_error = _("Het e-mailadres of het wachtwoord klopt niet.")
    return render_template("auth/login.html", form=form, login_error=login_error)


@bp.post("/logout")
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.end_sessions(current_user)
        end_session()
        flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("site.home"))


def _token_page(token: str, purpose: str):
    try:
        user = tokens.user_for_token(token, purpose)
    except tokens.TokenError as error:
        return render_template("auth/link_invalid.html", reason=error.reason, purpose=purpose), 400
    form = SetPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            operations.set_password_from_link(user, form.password.data, purpose)
        except OperationError as exc:
            error = refused(exc).message
        else:
            if current_user.is_authenticated:
                end_session()
            flash(_("Uw wachtwoord is opgeslagen. U kunt nu inloggen."), "success")
            return redirect(url_for("auth.login"))
    template = "auth/accept_invitation.html" if purpose == "invite" else "auth/reset_password.html"
    return render_template(template, form=form, user=user, error=error)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def accept_invitation(token: str):
    return _token_page(token, "invite")


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reset_password(token: str):
    return _token_page(token, "reset")


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = operations.find_user_by_email(form.email.data)
        if user is not None and user.is_active and user.has_password:
            from partner_portal.auth import links

            links.send_reset_link(user)
        # The same answer whether or not the address has an account.
        flash(
            _(
                "Als dit e-mailadres bij ons bekend is, ontvangt u binnen enkele minuten een link "
                "om een nieuw wachtwoord te kiezen."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = ChangePasswordForm(prefix="password")
    if form.submit.data and form.validate_on_submit():
        operations.update_profile(
            current_user, name=form.name.data, function_title=form.function_title.data, locale=form.locale.data
        )
        session["locale"] = form.locale.data
        flash(_("Uw profiel is opgeslagen."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, password_form=password_form, password_error=None)


@bp.post("/profiel/wachtwoord")
@login_required
@limiter.limit("10 per hour")
def change_password():
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = ChangePasswordForm(prefix="password")
    error = None
    if password_form.validate_on_submit():
        try:
            operations.change_password(current_user, password_form.current.data, password_form.password.data)
        except OperationError as exc:
            error = refused(exc).message
        else:
            # The version changed: start a new session for this browser, all others end.
            start_session(current_user._get_current_object())
            flash(_("Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd."), "success")
            return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html", form=form, password_form=password_form, password_error=error
    ), 400 if error or password_form.errors else 200
