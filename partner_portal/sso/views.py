"""Logging in through an identity provider: the redirect, the provider's answer, and the steps after it."""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException

from partner_portal import navigation
from partner_portal.auth import passwords
from partner_portal.auth.sessions import start_session
from partner_portal.core.errors import OperationError
from partner_portal.core.security import safe_next
from partner_portal.core.transaction import refused
from partner_portal.extensions import db, limiter
from partner_portal.partners.models import Organisation
from partner_portal.sso import bp, client, crypto, operations
from partner_portal.sso import session as sso_session
from partner_portal.sso.forms import ChooseOrganisationForm, ProvePasswordForm
from partner_portal.sso.models import ClientAuthMethod, IdentityProvider
from partner_portal.sso.operations import Login, LoginRefused

log = logging.getLogger(__name__)


def load_enabled(slug: str) -> IdentityProvider:
    provider = db.session.scalar(sa.select(IdentityProvider).where(IdentityProvider.slug == slug))
    if provider is None or not provider.is_enabled:
        abort(404)
    return provider


def _refusal_page(provider: IdentityProvider | None, code: str, message: str, *, user=None, detail: str = ""):
    operations.record_refusal(provider, code, user=user, detail=detail)
    sso_session.drop_pending()
    return render_template("sso/refused.html", message=message, provider=provider), 403


@bp.get("/login/sso/<slug>")
@limiter.limit("30 per minute")
def start(slug: str):
    """Send the person to the provider: code flow with PKCE S256, a fresh state and nonce, the acr wanted."""
    provider = load_enabled(slug)
    fresh = request.args.get("opnieuw") == "1"
    if current_user.is_authenticated and not fresh:
        return redirect(navigation.start_url_for(current_user))
    params = {"state": client.random_value(), "nonce": client.random_value()}
    if provider.acr_values:
        params["acr_values"] = provider.acr_values
    if fresh:
        params.update(prompt="login", max_age=0)
    next_url = safe_next(request.args.get("next"))
    try:
        oauth = client.client_for(provider)
        response = oauth.authorize_redirect(url_for("sso.callback", slug=slug, _external=True), **params)
    except (RequestException, ValueError, KeyError, RuntimeError) as exc:
        log.warning("identity provider %s unreachable: %s", slug, exc)
        return render_template("sso/unreachable.html", provider=provider), 503
    session[f"sso_next_{slug}"] = next_url
    # For a step-up, when it was asked: the provider's auth_time must not be older.
    session[f"sso_fresh_{slug}"] = int(time.time()) if fresh else 0
    return response


@bp.get("/login/sso/<slug>/terug")
@limiter.limit("30 per minute")
def callback(slug: str):
    """The provider's answer: check state, exchange the code, check the ID token, then decide who logs in."""
    provider = load_enabled(slug)
    next_url = session.pop(f"sso_next_{slug}", None)
    fresh_since = int(session.pop(f"sso_fresh_{slug}", 0) or 0)
    if request.args.get("error"):
        code = request.args.get("error", "")[:60]
        message = _("De inlogdienst heeft het inloggen afgebroken of geweigerd. Probeer het opnieuw.")
        return _refusal_page(provider, "provider_error", message, detail=code)
    try:
        oauth = client.client_for(provider)
        token = oauth.authorize_access_token()
    except MismatchingStateError:
        message = _(
            "Het antwoord van de inlogdienst hoort niet bij een inlogpoging in deze browser (de state klopt niet). "
            "Begin opnieuw bij de inlogpagina."
        )
        return _refusal_page(provider, "state", message)
    except OAuthError as exc:
        message = _("De inlogdienst weigerde de inlogcode (bijvoorbeeld omdat die al gebruikt is). Log opnieuw in.")
        return _refusal_page(provider, "token", message, detail=str(exc.error or exc))
    except JoseError as exc:
        message = _(
            "Het bewijs van de inlogdienst (het ID-token) klopt niet: de handtekening, de uitgever, de ontvanger "
            "of de nonce is niet in orde. U bent niet ingelogd."
        )
        return _refusal_page(provider, "id_token", message, detail=f"{type(exc).__name__}: {exc}")
    except (RequestException, ValueError, KeyError, RuntimeError) as exc:
        log.warning("identity provider %s failed: %s", slug, exc)
        return render_template("sso/unreachable.html", provider=provider), 503
    claims = token.get("userinfo")
    if not claims:
        message = _("De inlogdienst gaf geen ID-token terug. U bent niet ingelogd.")
        return _refusal_page(provider, "id_token", message, detail="no id_token")
    login = Login.from_claims(dict(claims))
    if fresh_since and current_user.is_authenticated:
        if login.auth_time is not None and login.auth_time < fresh_since - 60:
            message = _("De inlogdienst vroeg u niet opnieuw om in te loggen. Probeer het nog eens.")
            return _refusal_page(provider, "not_fresh", message, user=current_user._get_current_object())
        return _fresh_login(provider, login, token.get("id_token", ""), next_url)
    return _decide(provider, login, token.get("id_token", ""), next_url)


def _trimmed(provider: IdentityProvider, login: Login) -> Login:
    """The login without the claims no later step reads (the session cookie stays small)."""
    keep = {provider.role_claim, provider.kvk_claim, provider.vestiging_claim} - {""}
    login.claims = {k: v for k, v in login.claims.items() if k in keep}
    return login


def _decide(provider: IdentityProvider, login: Login, id_token: str, next_url: str | None):
    try:
        outcome = operations.identify(provider, login)
    except LoginRefused as exc:
        return _refusal_page(provider, exc.code, exc.message, user=exc.user)
    if outcome.unknown:
        operations.record_refusal(provider, "unknown")
        return render_template("sso/unknown.html", provider=provider), 403
    login = _trimmed(provider, login)
    if outcome.link is not None:
        sso_session.keep_pending(provider.slug, login, id_token, next_url=next_url, user=outcome.link.id)
        return redirect(url_for("sso.link", slug=provider.slug))
    if outcome.choose:
        if len(outcome.choose) == 1:
            return _join(provider, login, id_token, outcome.choose[0], next_url)
        sso_session.keep_pending(
            provider.slug, login, id_token, next_url=next_url, organisations=[o.id for o in outcome.choose]
        )
        return redirect(url_for("sso.choose", slug=provider.slug))
    return _finish(provider, login, id_token, outcome.user, next_url)


def _finish(provider: IdentityProvider, login: Login, id_token: str, user, next_url: str | None):
    operations.log_in(provider, login, user)
    start_session(user)
    sso_session.remember_login(provider.slug, login, id_token)
    flash(_("Welkom, %(name)s. U bent ingelogd via %(provider)s.", name=user.name, provider=provider.name), "success")
    return redirect(next_url or navigation.start_url_for(user))


def _fresh_login(provider: IdentityProvider, login: Login, id_token: str, next_url: str | None):
    """A step-up login: the same person again, recorded as fresh on the running session."""
    try:
        outcome = operations.identify(provider, login)
    except LoginRefused as exc:
        return _refusal_page(provider, exc.code, exc.message, user=exc.user)
    if outcome.user is None or outcome.user.id != current_user.id:
        message = _("U logde opnieuw in als iemand anders dan de ingelogde persoon. Er is niets gewijzigd.")
        return _refusal_page(provider, "fresh_other_person", message, user=current_user._get_current_object())
    operations.log_in(provider, login, outcome.user)
    sso_session.remember_login(provider.slug, login, id_token)
    return redirect(next_url or navigation.start_url_for(current_user))


def _join(provider: IdentityProvider, login: Login, id_token: str, organisation: Organisation, next_url):
    try:
        user = operations.join_organisation(provider, login, organisation)
    except LoginRefused as exc:
        return _refusal_page(provider, exc.code, exc.message, user=exc.user)
    except OperationError as exc:
        return _refusal_page(provider, "join", refused(exc).message)
    sso_session.drop_pending()
    start_session(user)
    sso_session.remember_login(provider.slug, login, id_token)
    flash(
        _(
            "Welkom, %(name)s. U bent als lid toegevoegd aan %(organisation)s; de beheerders van uw organisatie "
            "hebben bericht gekregen.",
            name=user.name,
            organisation=organisation.name,
        ),
        "success",
    )
    return redirect(next_url or navigation.start_url_for(user))


@bp.route("/login/sso/<slug>/organisatie", methods=["GET", "POST"])
def choose(slug: str):
    """A person who represents several organisations chooses the one they act for now."""
    provider = load_enabled(slug)
    pending = sso_session.pending(slug)
    if pending is None or not pending.get("organisations"):
        return render_template("sso/expired.html", provider=provider), 400
    organisations = list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.id.in_(pending["organisations"])).order_by(Organisation.name)
        )
    )
    form = ChooseOrganisationForm()
    form.organisation.choices = [(str(o.id), f"{o.name} (KvK {o.kvk_number})") for o in organisations]
    if form.validate_on_submit():
        chosen = next(o for o in organisations if str(o.id) == form.organisation.data)
        return _join(provider, sso_session.pending_login(pending), pending["idt"], chosen, pending.get("next"))
    return render_template("sso/choose.html", form=form, provider=provider)


@bp.route("/login/sso/<slug>/koppelen", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def link(slug: str):
    """Link the provider's identity to the account with the same e-mail, once its owner proves it is theirs."""
    from partner_portal.auth.models import User

    provider = load_enabled(slug)
    pending = sso_session.pending(slug)
    if pending is None or not pending.get("user"):
        return render_template("sso/expired.html", provider=provider), 400
    user = db.session.get(User, pending["user"])
    if user is None or not user.is_active:
        return render_template("sso/expired.html", provider=provider), 400
    form = ProvePasswordForm()
    error = None
    if user.has_password and form.validate_on_submit():
        if passwords.verify_password(user.password_hash, form.password.data):
            login = sso_session.pending_login(pending)
            try:
                operations.link_identity(provider, login, user)
            except OperationError as exc:
                return _refusal_page(provider, "link", refused(exc).message, user=user)
            sso_session.drop_pending()
            return _finish(provider, login, pending["idt"], user, pending.get("next"))
        error = _("Het wachtwoord klopt niet.")
    return render_template("sso/link.html", form=form, provider=provider, user=user, error=error), (
        400 if error else 200
    )


@bp.get("/sso/jwks.json")
def jwks():
    """The portal's public keys for private_key_jwt, for providers to check the client assertion."""
    providers = db.session.scalars(
        sa.select(IdentityProvider)
        .where(IdentityProvider.auth_method == ClientAuthMethod.private_key_jwt)
        .order_by(IdentityProvider.id)
    )
    keys = []
    for provider in providers:
        try:
            keys.append(crypto.public_jwk(crypto.decrypt(provider.private_key_encrypted or ""), provider.key_id or ""))
        except (ValueError, crypto.EncryptionKeyMissing):
            log.error("private key of identity provider %s does not decrypt", provider.slug)
    response = jsonify({"keys": keys})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/uitgelogd")
def logged_out():
    """Where the provider sends the person after RP-initiated logout."""
    return render_template("sso/logged_out.html")
