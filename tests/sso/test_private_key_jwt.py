"""private_key_jwt: the portal's key pair, its JWKS URL, and the client assertion Authlib sends.

The loopback provider (oidc-provider-mock 0.3) cannot check client assertions: it knows only
client_secret_basic, client_secret_post and none, and answers a token request that carries a
client assertion with invalid_client. So the round trip runs against it for real up to its
token endpoint, and the assertion the portal sent there is captured and checked here against
the public key the portal publishes at /sso/jwks.json, as Keycloak or an eHerkenning broker
checks it. The portal then refuses the login (no session), as it must when a provider refuses.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import KeySet

from partner_portal.auth.models import StaffRole
from partner_portal.extensions import db
from partner_portal.sso import crypto
from partner_portal.sso.models import ClientAuthMethod, IdentityProvider, UserIdentity
from tests import factories
from tests.sso.conftest import sso_login, staff_provider


def test_the_key_pair_is_made_by_the_portal_kept_encrypted_and_published(client, oidc_provider):
    provider = staff_provider(oidc_provider, client_secret=None, private_key_jwt=True)
    stored = db.session.scalar(sa.select(IdentityProvider))
    assert stored.auth_method == ClientAuthMethod.private_key_jwt
    assert "PRIVATE KEY" not in stored.private_key_encrypted  # encrypted at rest
    assert "PRIVATE KEY" in crypto.decrypt(stored.private_key_encrypted)
    assert stored.client_secret_encrypted is None

    keys = client.get("/sso/jwks.json").get_json()["keys"]

    assert [k["kid"] for k in keys] == [provider.key_id]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0] and "p" not in keys[0]  # public half only


def test_the_token_request_carries_a_client_assertion_signed_with_the_published_key(client, oidc_provider, monkeypatch):
    import requests

    provider = staff_provider(oidc_provider, client_secret=None, private_key_jwt=True)
    person = factories.user(role=StaffRole.moderator, email="pk@assen.nl")
    db.session.add(UserIdentity(provider=provider, user=person, issuer=oidc_provider.issuer, subject="pk-1"))
    db.session.commit()
    oidc_provider.set_user("pk-1", email="pk@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    sent: list[requests.PreparedRequest] = []
    real_send = requests.Session.send

    def recording_send(self, request, **kwargs):
        sent.append(request)
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", recording_send)
    response = sso_login(client, "gemeente", "pk-1")
    assert response.status_code == 403  # the loopback provider cannot check the assertion (see above)

    token_request = next(r for r in sent if r.url.endswith("/oauth2/token"))
    from urllib.parse import parse_qs

    body = parse_qs(token_request.body)
    assert body["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    assert "client_secret" not in body and "Authorization" not in token_request.headers
    jwks = KeySet.import_key_set(client.get("/sso/jwks.json").get_json())
    assertion = jwt.decode(body["client_assertion"][0], jwks)
    assert assertion.header["alg"] == "RS256" and assertion.header["kid"] == provider.key_id
    claims = assertion.claims
    assert claims["iss"] == claims["sub"] == "partnerportaal"
    assert claims["aud"] == f"{oidc_provider.issuer}/oauth2/token"
    assert claims["exp"] > time.time() and len(claims["jti"]) >= 16


def test_switching_back_to_a_secret_removes_the_key(client, oidc_provider):
    from partner_portal.sso import operations

    provider = staff_provider(oidc_provider, client_secret=None, private_key_jwt=True)
    operations.update_provider(None, provider, client_secret="nieuw-geheim")
    db.session.commit()
    assert provider.auth_method == ClientAuthMethod.client_secret_basic and provider.key_id is None
    assert crypto.decrypt(provider.client_secret_encrypted) == "nieuw-geheim"
    assert client.get("/sso/jwks.json").get_json() == {"keys": []}
