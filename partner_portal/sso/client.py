"""Authlib's Flask client for one identity provider, built at request time from its row.

A client is made per request (providers are data that administrators change at any time);
Authlib fetches the discovery document and the provider's keys. PKCE (S256), state and nonce
follow the NL GOV Assurance profile: state and nonce are 256 random bits (Authlib's own nonce
is shorter than the profile's 128-bit minimum, so the portal makes both).
"""

from __future__ import annotations

import secrets

import requests
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from authlib.oauth2.rfc7523 import PrivateKeyJWT

from partner_portal.sso import crypto
from partner_portal.sso.models import ClientAuthMethod, IdentityProvider

HTTP_TIMEOUT = 10  # seconds for every call to a provider


def client_name(provider: IdentityProvider) -> str:
    return f"sso_{provider.slug}"


def client_for(provider: IdentityProvider) -> FlaskOAuth2App:
    """An Authlib client for `provider`; its state data lives in the Flask session under its name."""
    name = client_name(provider)
    client_kwargs = {"scope": provider.scopes, "code_challenge_method": "S256", "timeout": HTTP_TIMEOUT}
    auth_methods = None
    if provider.auth_method == ClientAuthMethod.private_key_jwt:
        secret = crypto.signing_key(crypto.decrypt(provider.private_key_encrypted or ""), provider.key_id or "")
        client_kwargs["token_endpoint_auth_method"] = ClientAuthMethod.private_key_jwt.value
        auth_methods = [PrivateKeyJWT(headers={"kid": provider.key_id})]
    else:
        secret = crypto.decrypt(provider.client_secret_encrypted) if provider.client_secret_encrypted else None
        client_kwargs["token_endpoint_auth_method"] = ClientAuthMethod.client_secret_basic.value
    return FlaskOAuth2App(
        FlaskIntegration(name),
        name,
        client_id=provider.client_id,
        client_secret=secret,
        server_metadata_url=provider.discovery_url,
        client_kwargs=client_kwargs,
        client_auth_methods=auth_methods,
    )


def random_value() -> str:
    """A state or nonce: 256 bits from the system's CSPRNG."""
    return secrets.token_urlsafe(32)


def fetch_discovery(url: str) -> dict:
    """The discovery document at `url`; raises requests.RequestException or ValueError."""
    response = requests.get(url, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document
