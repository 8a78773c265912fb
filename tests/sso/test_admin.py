"""The provider pages (/beheer/inloggen) and the `flask sso` commands."""

from __future__ import annotations

import sqlalchemy as sa

from partner_portal.auth.models import StaffRole
from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from partner_portal.sso import crypto
from partner_portal.sso.models import ClientAuthMethod, IdentityProvider, ProviderKind
from tests import factories
from tests.conftest import post_form
from tests.sso.conftest import staff_provider

FORM = {
    "name": "Gemeente Assen",
    "slug": "gemeente",
    "kind": "staff",
    "issuer": "",
    "client_id": "partnerportaal",
    "auth_method": "client_secret_basic",
    "client_secret": "heel-geheim-123",
    "scopes": "openid email profile",
    "role_claim": "groups",
    "role_rules": "portaal-moderatoren = moderator\nportaal-pm = process_manager",
    "kvk_claim": "kvk",
}


def _admin(login_as):
    admin = factories.user(role=StaffRole.administrator, email="beheer@assen.nl")
    db.session.commit()
    login_as(admin)
    return admin


def test_an_administrator_adds_a_provider_whose_secret_is_never_shown_again(client, login_as, oidc_provider):
    _admin(login_as)
    response = post_form(client, "/beheer/inloggen/nieuw", {**FORM, "issuer": oidc_provider.issuer})
    assert response.status_code == 302
    provider = db.session.scalar(sa.select(IdentityProvider))
    assert provider.kind == ProviderKind.staff
    assert provider.rules == {"portaal-moderatoren": StaffRole.moderator, "portaal-pm": StaffRole.process_manager}
    assert "heel-geheim-123" not in provider.client_secret_encrypted
    assert crypto.decrypt(provider.client_secret_encrypted) == "heel-geheim-123"
    for url in ("/beheer/inloggen", f"/beheer/inloggen/{provider.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "heel-geheim-123" not in page
    edit_page = client.get(f"/beheer/inloggen/{provider.id}").get_data(as_text=True)
    assert "http://localhost/login/sso/gemeente/terug" in edit_page  # the redirect URI to register
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "identity_provider.create"))

    # Saving without a new secret keeps the stored one; switching to private_key_jwt makes a key pair.
    edit = {**FORM, "issuer": oidc_provider.issuer, "client_secret": "", "auth_method": "private_key_jwt"}
    del edit["slug"]
    assert post_form(client, f"/beheer/inloggen/{provider.id}", edit).status_code == 302
    db.session.refresh(provider)
    assert provider.auth_method == ClientAuthMethod.private_key_jwt and provider.key_id
    assert "/sso/jwks.json" in client.get(f"/beheer/inloggen/{provider.id}").get_data(as_text=True)


def test_unreadable_role_rules_are_refused_with_the_lines(client, login_as, oidc_provider):
    _admin(login_as)
    response = post_form(
        client, "/beheer/inloggen/nieuw", {**FORM, "issuer": oidc_provider.issuer, "role_rules": "zomaar iets"}
    )
    assert response.status_code == 400
    assert "zomaar iets" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(IdentityProvider)) is None


def test_the_connection_test_reports_in_plain_words(client, login_as, oidc_provider):
    _admin(login_as)
    good = staff_provider(oidc_provider)
    bad = staff_provider(oidc_provider, slug="kapot", issuer="http://localhost:9")

    ok = post_form(client, f"/beheer/inloggen/{good.id}/testen", {}, form_url=f"/beheer/inloggen/{good.id}")
    assert ok.status_code == 200
    assert "De verbinding werkt: het discovery-document is gevonden en compleet." in ok.get_data(as_text=True)

    broken = post_form(client, f"/beheer/inloggen/{bad.id}/testen", {}, form_url=f"/beheer/inloggen/{bad.id}")
    text = broken.get_data(as_text=True)
    assert "geeft geen antwoord of een fout" in text and "Controleer het adres van de uitgever" in text


def test_disabling_from_the_page(client, login_as, oidc_provider):
    _admin(login_as)
    provider = staff_provider(oidc_provider)
    url = f"/beheer/inloggen/{provider.id}"
    assert post_form(client, url + "/aan-uit", {}, form_url=url).status_code == 302
    db.session.refresh(provider)
    assert not provider.is_enabled
    assert db.session.scalar(sa.select(AuditEvent.to_state).where(AuditEvent.action == "identity_provider.disable"))


def test_the_cli_adds_lists_and_disables(app, oidc_provider):
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=[
            "sso",
            "add",
            "eherkenning",
            "--issuer",
            oidc_provider.issuer,
            "--client-id",
            "portaal",
            "--private-key-jwt",
            "--kind",
            "partner",
            "--name",
            "eHerkenning",
            "--acr",
            "urn:etoegang:core:assurance-class:loa2",
            "--acr",
            "urn:etoegang:core:assurance-class:loa3",
            "--min-acr",
            "urn:etoegang:core:assurance-class:loa3",
        ]
    )
    assert added.exit_code == 0, added.output
    assert "/login/sso/eherkenning/terug" in added.output and "/sso/jwks.json" in added.output
    both = runner.invoke(args=["sso", "add", "x", "--issuer", "http://i", "--client-id", "c", "--kind", "staff"])
    assert both.exit_code != 0 and "--client-secret or --private-key-jwt" in both.output

    listed = runner.invoke(args=["sso", "list"])
    assert "eherkenning\tenabled\tpartner\tprivate_key_jwt" in listed.output

    disabled = runner.invoke(args=["sso", "disable", "eherkenning"])
    assert disabled.exit_code == 0
    assert "eherkenning\tdisabled" in runner.invoke(args=["sso", "list"]).output
    db.session.expire_all()
    provider = db.session.scalar(sa.select(IdentityProvider))
    assert provider.acr_values.split() == [
        "urn:etoegang:core:assurance-class:loa2",
        "urn:etoegang:core:assurance-class:loa3",
    ]
