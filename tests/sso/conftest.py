"""A real OpenID Connect provider on loopback (oidc-provider-mock), and helpers to log in through it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests

from partner_portal.auth.models import StaffRole
from partner_portal.extensions import db
from partner_portal.sso import operations
from partner_portal.sso.models import ProviderKind


@dataclass
class Provider:
    """The running provider: its issuer, and a way to say who logs in there with which claims."""

    issuer: str

    def set_user(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204, response.text


@pytest.fixture(scope="session")
def oidc_provider():
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
    # One host string everywhere: the provider's issuer follows the Host header it is called with.
    with oidc_provider_mock.run_server_in_thread() as server:
        yield Provider(issuer=f"http://localhost:{server.server_port}")


def staff_provider(oidc_provider: Provider, **settings):
    values = {
        "slug": "gemeente",
        "name": "Gemeente Assen",
        "kind": ProviderKind.staff,
        "issuer": oidc_provider.issuer,
        "client_id": "partnerportaal",
        "client_secret": "geheim-van-de-client",
        "role_claim": "groups",
        "role_rules": {"portaal-moderatoren": StaffRole.moderator, "portaal-procesmanagers": StaffRole.process_manager},
    }
    values.update(settings)
    provider = operations.add_provider(None, **values)
    db.session.commit()
    return provider


def partner_provider(oidc_provider: Provider, **settings):
    values = {
        "slug": "eherkenning",
        "name": "eHerkenning",
        "kind": ProviderKind.partner,
        "issuer": oidc_provider.issuer,
        "client_id": "partnerportaal-eh",
        "client_secret": "nog-een-geheim",
        "kvk_claim": "kvk",
        "acr_values": "urn:etoegang:core:assurance-class:loa2 urn:etoegang:core:assurance-class:loa3",
        "min_acr": "urn:etoegang:core:assurance-class:loa3",
    }
    values.update(settings)
    provider = operations.add_provider(None, **values)
    db.session.commit()
    return provider


def to_provider(client, slug: str, query: str = ""):
    """Start the login at the portal; returns the provider's authorization URL it redirected to."""
    response = client.get(f"/login/sso/{slug}{query}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def approve(authorize_url: str, sub: str) -> str:
    """The person logs in at the provider as `sub`; returns the portal path (with code and state) it sends them to."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text[:500]
    back = urlsplit(response.headers["Location"])
    return f"{back.path}?{back.query}"


def sso_login(client, slug: str, sub: str, query: str = ""):
    """The whole round trip: portal → provider (as `sub`) → portal callback. Returns the callback's response."""
    return client.get(approve(to_provider(client, slug, query), sub))
