"""`flask sso add|list|disable|demo-provider`: identity providers from deployment scripts, and a local test provider."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask

from partner_portal.core.errors import OperationError
from partner_portal.extensions import db
from partner_portal.sso import operations
from partner_portal.sso.models import IdentityProvider, ProviderKind


def register(app: Flask) -> None:
    app.cli.add_command(sso_group)


@click.group("sso")
def sso_group() -> None:
    """Single sign-on: the identity providers."""


def _parse_rules(rules: tuple[str, ...]) -> dict[str, str]:
    from partner_portal.sso.forms import parse_role_rules

    parsed, bad = parse_role_rules("\n".join(rules))
    if bad:
        raise click.BadParameter(f"not VALUE=ROLE: {'; '.join(bad)}", param_hint="--role-rule")
    return parsed


@sso_group.command("add")
@click.argument("slug")
@click.option("--issuer", required=True, help="The issuer URL (or its discovery document's URL).")
@click.option("--client-id", required=True)
@click.option("--client-secret", default=None, help="Client secret (client_secret_basic); stored encrypted.")
@click.option(
    "--private-key-jwt", is_flag=True, help="Authenticate with a key pair the portal makes (private_key_jwt)."
)
@click.option("--kind", type=click.Choice([k.value for k in ProviderKind]), required=True)
@click.option("--name", default=None, help="Shown on the login button (default: the slug).")
@click.option("--scope", "scopes", multiple=True, help="A scope to request (repeatable; default openid email profile).")
@click.option("--acr", "acr_values", multiple=True, help="An acr value to request, lowest first (repeatable).")
@click.option("--min-acr", default="", help="The lowest acr accepted (one of --acr).")
@click.option("--role-claim", default="groups", show_default=True)
@click.option("--role-rule", "role_rules", multiple=True, help="VALUE=ROLE, e.g. portal-moderators=moderator.")
@click.option("--email-domain", "email_domains", multiple=True, help="An e-mail domain staff may have (repeatable).")
@click.option("--kvk-claim", default="kvk", show_default=True)
@click.option("--vestiging-claim", default="")
@click.option("--require-for-staff", is_flag=True, help="Staff can no longer log in with a password.")
def sso_add(slug, issuer, client_id, client_secret, private_key_jwt, kind, name, scopes, acr_values, min_acr, **rest):
    """Add an identity provider; prints the URLs to register at the provider."""
    if bool(client_secret) == bool(private_key_jwt):
        raise click.UsageError("give either --client-secret or --private-key-jwt")
    try:
        provider = operations.add_provider(
            None,
            slug=slug,
            name=name or slug,
            kind=ProviderKind(kind),
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            private_key_jwt=private_key_jwt,
            scopes=" ".join(scopes) or "openid email profile",
            acr_values=" ".join(acr_values),
            min_acr=min_acr,
            role_claim=rest["role_claim"],
            role_rules=_parse_rules(rest["role_rules"]),
            email_domains=" ".join(rest["email_domains"]),
            kvk_claim=rest["kvk_claim"],
            vestiging_claim=rest["vestiging_claim"],
            required_for_staff=rest["require_for_staff"],
        )
    except OperationError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    _echo_urls(provider)


def _echo_urls(provider: IdentityProvider) -> None:
    from partner_portal.sso.admin import registration_urls

    urls = registration_urls(provider)
    click.echo(f"added {provider.slug} ({provider.kind.value}, {provider.auth_method.value})")
    click.echo(f"  redirect URI:             {urls['redirect']}")
    click.echo(f"  post-logout redirect URI: {urls['logout']}")
    if provider.key_id:
        click.echo(f"  JWKS URL:                 {urls['jwks']} (kid {provider.key_id})")


@sso_group.command("list")
def sso_list() -> None:
    """List the identity providers (never their secrets)."""
    rows = db.session.scalars(sa.select(IdentityProvider).order_by(IdentityProvider.slug)).all()
    if not rows:
        click.echo("no identity providers")
    for p in rows:
        state = "enabled" if p.is_enabled else "disabled"
        extra = " required-for-staff" if p.required_for_staff else ""
        click.echo(f"{p.slug}\t{state}\t{p.kind.value}\t{p.auth_method.value}\t{p.issuer}\t{p.name}{extra}")


@sso_group.command("disable")
@click.argument("slug")
def sso_disable(slug: str) -> None:
    """Turn a provider off: its button disappears and its logins are refused."""
    provider = db.session.scalar(sa.select(IdentityProvider).where(IdentityProvider.slug == slug))
    if provider is None:
        raise click.ClickException(f"no identity provider {slug!r}")
    try:
        operations.set_provider_enabled(None, provider, False)
    except OperationError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"disabled {slug}")
