"""Views for logging in and out, accepting invitations, resetting passwords and the profile."""

import logging

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_required

from partner_portal import navigation
from partner_portal.auth import bp, links, operations, throttle, tokens
from partner_portal.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    SetPasswordForm,
)
from partner_portal.auth.sessions import end_session, start_session
from partner_portal.core.errors import OperationError
from partner_portal.core.forms import ConfirmForm
from partner_portal.core.security import safe_next
from partner_portal.core.transaction import refused
from partner_portal.extensions import limiter
from partner_portal.sso import policy as sso_policy
from partner_portal.sso import session as sso_session

log = logging.getLogger(__name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(navigation.start_url_for(current_user))
    form = LoginForm()
    login_error = None
    status = 200
    if form.validate_on_submit():
        email = operations.normalise_email(form.email.data)
        attempt = throttle.begin(email)
        if attempt.refused is None:
            user = operations.authenticate(email, form.password.data)
            if user is not None and sso_policy.password_refused(user):
                # The password was right, so saying why it is refused tells nothing new.
                throttle.succeeded(attempt)
                login_error = _("Medewerkers loggen in via de inlogdienst van hun organisatie: kies hieronder de knop.")
                status = 403
            elif user is not None:
                throttle.succeeded(attempt)
                start_session(user, remember=form.remember.data)
                flash(_("Welkom, %(name)s. U bent ingelogd.", name=user.name), "success")
                response = redirect(safe_next(request.args.get("next")) or navigation.start_url_for(user))
                throttle.remember_device(response, email)
                return response
            else:
                login_error = _("Het e-mailadres of het wachtwoord klopt niet.")
        else:
            login_error = _refusal_message(attempt)
            status = 429
    providers = sso_policy.enabled_providers()
    return render_template(
        "auth/login.html",
        form=form,
        login_error=login_error,
        providers=providers,
        next=safe_next(request.args.get("next")),
    ), status


def _refusal_message(attempt: throttle.Attempt) -> str:
    if attempt.refused == throttle.ACCOUNT:
        return _(
            "Te veel pogingen: voor dit account is te vaak een verkeerd wachtwoord ingevuld. "
            "Vanaf dit apparaat kunt u over %(minutes)d minuten weer inloggen. Wilt u direct verder? "
            "Vraag dan hieronder een link aan om een nieuw wachtwoord te kiezen; daarna kunt u meteen inloggen. "
            "Op een apparaat waarop u eerder bent ingelogd, kunt u gewoon inloggen.",
            minutes=attempt.retry_minutes,
        )
    return _(
        "Te veel pogingen: vanaf uw netwerk zijn te veel verkeerde wachtwoorden ingevuld. "
        "Probeer het over %(minutes)d minuten opnieuw. Op een apparaat waarop u eerder bent ingelogd, "
        "kunt u gewoon inloggen.",
        minutes=attempt.retry_minutes,
    )


@bp.post("/logout")
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        provider_logout = sso_session.end_session_url()
        operations.end_sessions(current_user)
        end_session()
        flash(_("U bent uitgelogd."), "info")
        if provider_logout:
            # RP-initiated logout: the provider ends its own session too, then sends the person back.
            return redirect(provider_logout)
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
            linked = purpose == "invite" and sso_session.link_after_invitation(user)
        except OperationError as exc:
            error = refused(exc).message
        else:
            if current_user.is_authenticated:
                end_session()
            throttle.clear_account(user.email)  # a password set through a link lifts a login lock
            if linked:
                flash(_("Uw inlogdienst is aan uw account gekoppeld. Log opnieuw in via de inlogdienst."), "success")
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
        # The same answer, after the same work, whether or not the address has an account:
        # the look-up and the mail come after the response (links.send_reset_link_after).
        flash(
            _(
                "Als dit e-mailadres bij ons bekend is, ontvangt u binnen enkele minuten een link "
                "om een nieuw wachtwoord te kiezen."
            ),
            "info",
        )
        return links.send_reset_link_after(redirect(url_for("auth.login")), form.email.data)
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
        refresh_locale()
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
