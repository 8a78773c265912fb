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


DEMO_STAFF = "demo-gemeente"
DEMO_PARTNER = "demo-eherkenning"
EH3 = "urn:etoegang:core:assurance-class:loa3"


def demo_users() -> list[tuple[str, dict]]:
    """(subject, claims) of the people on the demo provider's one-click list."""
    verified = {"email_verified": True}
    return [
        (
            "demo-moderator",
            {**verified, "email": "moderator@example.org", "name": "Moderator", "groups": ["portaal-moderatoren"]},
        ),
        (
            "demo-procesmanager",
            {**verified, "email": "procesmanager@example.org", "groups": ["portaal-procesmanagers"]},
        ),
        ("demo-beheerder", {**verified, "email": "admin@example.org", "groups": ["portaal-beheerders"]}),
        # eHerkenning: a new person of Grand Café De Brink (joins as member), and one for two organisations.
        (
            "eh-nieuw",
            {**verified, "email": "nieuw.brink@example.org", "name": "Nina Nieuw", "kvk": "60000001", "acr": EH3},
        ),
        (
            "eh-twee",
            {**verified, "email": "twee@example.org", "name": "Twan Twee", "kvk": ["60000001", "60000021"], "acr": EH3},
        ),
        ("eh-laag", {**verified, "email": "laag@example.org", "kvk": "60000001", "acr": EH3.replace("3", "2")}),
    ]


def _ensure_demo_providers(issuer: str) -> None:
    from partner_portal.auth.models import StaffRole

    rules = {
        "portaal-moderatoren": StaffRole.moderator,
        "portaal-procesmanagers": StaffRole.process_manager,
        "portaal-beheerders": StaffRole.administrator,
    }
    wanted = {
        DEMO_STAFF: {
            "name": "Gemeente (testinlog)",
            "kind": ProviderKind.staff,
            "client_secret": "demo-geheim",
            "role_rules": rules,
        },
        DEMO_PARTNER: {
            "name": "eHerkenning (testinlog)",
            "kind": ProviderKind.partner,
            "private_key_jwt": False,
            "client_secret": "demo-geheim",
            "acr_values": f"{EH3.replace('3', '2')} {EH3}",
            "min_acr": EH3,
        },
    }
    for slug, values in wanted.items():
        provider = db.session.scalar(sa.select(IdentityProvider).where(IdentityProvider.slug == slug))
        if provider is None:
            operations.add_provider(None, slug=slug, issuer=issuer, client_id="partnerportaal-demo", **values)
        else:
            values.pop("kind")
            operations.update_provider(None, provider, issuer=issuer, **values)
            if not provider.is_enabled:
                operations.set_provider_enabled(None, provider, True)
    db.session.commit()


@sso_group.command("demo-provider")
@click.option("--port", default=5001, show_default=True, help="Port of the test provider on localhost.")
def sso_demo_provider(port: int) -> None:
    """Run a test OpenID Connect provider on localhost and point two demo providers at it (development only).

    Leave it running, and in another terminal `make run`; the login page then has a button for
    each. Stop with Ctrl-C. Uses oidc-provider-mock (a development dependency).
    """
    import time

    from flask import current_app

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo-provider refuses to run in production (APP_ENV=production).")
    try:
        import oidc_provider_mock
    except ImportError as exc:
        raise click.ClickException("oidc-provider-mock is not installed: pip install -e '.[dev]'") from exc
    issuer = f"http://localhost:{port}"
    _ensure_demo_providers(issuer)
    people = [oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in demo_users()]
    with oidc_provider_mock.run_server_in_thread(port=port, user_claims=people):
        click.echo(f"test provider running at {issuer} (providers {DEMO_STAFF}, {DEMO_PARTNER}); Ctrl-C stops it")
        click.echo("log in at http://127.0.0.1:5000/login; the first staff login links by the account's password")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped")
