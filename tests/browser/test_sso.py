"""Single sign-on in the browser: the login page's provider buttons, a staff login through a real
provider on loopback, and the provider management pages (axe and the Nu HTML checker on each)."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.auth.models import StaffRole, User
from partner_portal.extensions import db
from partner_portal.sso import operations
from partner_portal.sso.models import IdentityProvider, ProviderKind, UserIdentity
from tests.browser.helpers import check_a11y, log_in, visit
from tests.sso.conftest import oidc_provider  # noqa: F401  (the loopback provider fixture)

pytestmark = pytest.mark.browser


def _providers(app, issuer: str) -> None:
    with app.app_context():
        staff = operations.add_provider(
            None,
            slug="gemeente",
            name="Gemeente Assen",
            kind=ProviderKind.staff,
            issuer=issuer,
            client_id="partnerportaal",
            client_secret="geheim",
            role_rules={"portaal-moderatoren": StaffRole.moderator},
        )
        operations.add_provider(
            None,
            slug="eherkenning",
            name="eHerkenning",
            kind=ProviderKind.partner,
            issuer=issuer,
            client_id="partnerportaal-eh",
            private_key_jwt=True,
        )
        moderator = db.session.scalar(sa.select(User).where(User.email == "moderator@example.org"))
        db.session.add(UserIdentity(provider=staff, user=moderator, issuer=issuer, subject="browser-moderator"))
        db.session.commit()


def test_staff_log_in_through_the_provider_from_the_login_page(page, live_server, oidc_provider):  # noqa: F811
    _providers(live_server.app, oidc_provider.issuer)
    oidc_provider.set_user(
        "browser-moderator", email="moderator@example.org", email_verified=True, groups=["portaal-moderatoren"]
    )
    visit(page, "/login")
    expect(page.get_by_role("link", name="Inloggen met Gemeente Assen")).to_be_visible()
    expect(page.get_by_role("link", name="Inloggen met eHerkenning")).to_be_visible()

    page.get_by_role("link", name="Inloggen met Gemeente Assen").click()
    # The provider's own page (not ours to check): log in there as the moderator.
    page.get_by_placeholder("sub").fill("browser-moderator")
    page.get_by_role("button", name="Authorize").click()

    expect(page.get_by_text("U bent ingelogd via Gemeente Assen")).to_be_visible()
    assert "/beheer/reacties" in page.url
    check_a11y(page)


def test_an_administrator_manages_the_providers(page, live_server, oidc_provider):  # noqa: F811
    _providers(live_server.app, oidc_provider.issuer)
    log_in(page, "admin@example.org")
    visit(page, "/beheer/inloggen")
    expect(page.get_by_role("table")).to_contain_text("eHerkenning")
    page.get_by_role("link", name="Inlogdienst toevoegen").click()
    check_a11y(page)
    page.get_by_label("Naam op de knop").fill("Keycloak Assen")
    page.get_by_label("Korte naam in de adressen").fill("keycloak")
    page.get_by_label("Adres van de uitgever (issuer) of van het discovery-document").fill(oidc_provider.issuer)
    page.get_by_label("Client-ID").fill("portaal")
    page.get_by_label("Hoe het portaal zich meldt bij de inlogdienst").select_option("private_key_jwt")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Inlogdienst Keycloak Assen is toegevoegd.")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Verbinding testen").click()
    expect(page.get_by_text("De verbinding werkt: het discovery-document is gevonden en compleet.")).to_be_visible()
    check_a11y(page)
    with live_server.app.app_context():
        provider = db.session.scalar(sa.select(IdentityProvider).where(IdentityProvider.slug == "keycloak"))
        assert provider.key_id
