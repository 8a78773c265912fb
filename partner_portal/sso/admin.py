"""Administrators' pages for identity providers (/beheer/inloggen): list, add, edit, test, turn off."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from requests import RequestException

from partner_portal import navigation
from partner_portal.core.errors import OperationError
from partner_portal.core.forms import ConfirmForm
from partner_portal.core.transaction import refused
from partner_portal.core.urls import external_url
from partner_portal.extensions import db, limiter
from partner_portal.sso import bp, client, operations
from partner_portal.sso.forms import ProviderForm, parse_role_rules
from partner_portal.sso.models import ClientAuthMethod, IdentityProvider, ProviderKind

navigation.register("sso.providers", _l("Inlogdiensten"), operations.can_manage_providers, order=83)


def _require_admin() -> None:
    if not operations.can_manage_providers(current_user):
        abort(403)


def _load(provider_id: int) -> IdentityProvider:
    return db.get_or_404(IdentityProvider, provider_id)


def registration_urls(provider: IdentityProvider | None) -> dict[str, str]:
    """What to register at the provider: the redirect URI, the post-logout URI and the JWKS URL."""
    return {
        "redirect": external_url("sso.callback", slug=provider.slug) if provider else "",
        "logout": external_url("sso.logged_out"),
        "jwks": external_url("sso.jwks"),
    }


@bp.get("/beheer/inloggen")
@login_required
def providers():
    _require_admin()
    rows = db.session.scalars(sa.select(IdentityProvider).order_by(IdentityProvider.name)).all()
    return render_template("sso/providers.html", providers=rows, urls=registration_urls(None), toggle=ConfirmForm())


def _values(form: ProviderForm) -> dict:
    rules, _bad = parse_role_rules(form.role_rules.data)
    return {
        "name": form.name.data,
        "issuer": form.issuer.data,
        "client_id": form.client_id.data,
        "client_secret": form.client_secret.data or None,
        "private_key_jwt": form.auth_method.data == ClientAuthMethod.private_key_jwt,
        "scopes": form.scopes.data or "openid email profile",
        "acr_values": form.acr_values.data or "",
        "min_acr": form.min_acr.data or "",
        "role_claim": form.role_claim.data or "",
        "role_rules": rules,
        "email_domains": form.email_domains.data or "",
        "kvk_claim": form.kvk_claim.data or "",
        "vestiging_claim": form.vestiging_claim.data or "",
        "required_for_staff": bool(form.required_for_staff.data),
    }


def _rules_error(form: ProviderForm) -> str | None:
    _rules, bad = parse_role_rules(form.role_rules.data)
    if bad:
        return _("Deze rolregels zijn niet te lezen: %(lines)s", lines="; ".join(bad))
    return None


@bp.route("/beheer/inloggen/nieuw", methods=["GET", "POST"])
@login_required
def new_provider():
    _require_admin()
    form = ProviderForm()
    error = None
    if form.validate_on_submit():
        error = _rules_error(form)
        if error is None:
            try:
                provider = operations.add_provider(
                    current_user, slug=form.slug.data, kind=ProviderKind(form.kind.data), **_values(form)
                )
            except OperationError as exc:
                error = refused(exc).message
            else:
                flash(_("Inlogdienst %(name)s is toegevoegd.", name=provider.name), "success")
                return redirect(url_for("sso.edit_provider", provider_id=provider.id))
    return render_template("sso/provider_form.html", form=form, provider=None, error=error), 400 if error else 200


@bp.route("/beheer/inloggen/<int:provider_id>", methods=["GET", "POST"])
@login_required
def edit_provider(provider_id: int):
    _require_admin()
    provider = _load(provider_id)
    form = ProviderForm(obj=provider, editing=True)
    if not request.form:  # the form shows the stored values (WTForms read them from the row)
        form.role_rules.data = "\n".join(f"{value} = {role.value}" for value, role in provider.rules.items())
        form.auth_method.data = provider.auth_method.value
        form.kind.data = provider.kind.value
    error = None
    if form.validate_on_submit():
        error = _rules_error(form)
        if error is None:
            try:
                operations.update_provider(current_user, provider, **_values(form))
            except OperationError as exc:
                error = refused(exc).message
            else:
                flash(_("Inlogdienst opgeslagen."), "success")
                return redirect(url_for("sso.edit_provider", provider_id=provider.id))
    return render_template(
        "sso/provider_form.html",
        form=form,
        provider=provider,
        error=error,
        urls=registration_urls(provider),
        toggle=ConfirmForm(),
    ), 400 if error else 200


@bp.post("/beheer/inloggen/<int:provider_id>/aan-uit")
@login_required
def toggle_provider(provider_id: int):
    _require_admin()
    provider = _load(provider_id)
    if ConfirmForm().validate_on_submit():
        operations.set_provider_enabled(current_user, provider, not provider.is_enabled)
        if provider.is_enabled:
            flash(_("Inlogdienst %(name)s staat aan.", name=provider.name), "success")
        else:
            flash(
                _("Inlogdienst %(name)s staat uit; de knop is van de inlogpagina verdwenen.", name=provider.name),
                "success",
            )
    return redirect(url_for("sso.edit_provider", provider_id=provider.id))


def connection_report(provider: IdentityProvider) -> tuple[bool, list[str]]:
    """Fetch the discovery document and say, in plain words, what is right and what is wrong."""
    lines: list[str] = []
    try:
        document = client.fetch_discovery(provider.discovery_url)
    except RequestException as exc:
        return False, [
            _(
                "Het adres %(url)s geeft geen antwoord of een fout (%(error)s). Controleer het adres van de uitgever.",
                url=provider.discovery_url,
                error=type(exc).__name__,
            )
        ]
    except ValueError:
        return False, [_("Op %(url)s staat geen geldig discovery-document (JSON).", url=provider.discovery_url)]
    ok = True
    if document.get("issuer") != provider.expected_issuer:
        ok = False
        lines.append(
            _(
                "De uitgever in het document (%(found)s) is niet het ingestelde adres (%(expected)s): logins zouden "
                "worden geweigerd.",
                found=document.get("issuer") or _("leeg"),
                expected=provider.expected_issuer,
            )
        )
    for key, words in (
        ("authorization_endpoint", _("het adres om in te loggen")),
        ("token_endpoint", _("het adres voor de inlogcode")),
        ("jwks_uri", _("de sleutels van de inlogdienst")),
    ):
        if not document.get(key):
            ok = False
            lines.append(_("Het document noemt %(what)s (%(key)s) niet.", what=words, key=key))
    methods = document.get("code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        ok = False
        lines.append(_("De inlogdienst ondersteunt PKCE met S256 niet."))
    auth_methods = document.get("token_endpoint_auth_methods_supported")
    if auth_methods is not None and provider.auth_method.value not in auth_methods:
        ok = False
        lines.append(
            _("De inlogdienst ondersteunt %(method)s niet; kies de andere manier.", method=provider.auth_method.value)
        )
    if not document.get("end_session_endpoint"):
        lines.append(_("De inlogdienst heeft geen adres om uit te loggen: uitloggen geldt alleen voor het portaal."))
    if ok:
        lines.insert(0, _("De verbinding werkt: het discovery-document is gevonden en compleet."))
    return ok, lines


@bp.post("/beheer/inloggen/<int:provider_id>/testen")
@login_required
@limiter.limit("20 per minute")
def test_provider(provider_id: int):
    _require_admin()
    provider = _load(provider_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ok, lines = connection_report(provider)
    return render_template("sso/test_result.html", provider=provider, ok=ok, lines=lines)
