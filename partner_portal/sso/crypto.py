"""Secrets of identity providers at rest, and the portal's own key pairs for private_key_jwt.

Client secrets and private keys are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under
SSO_ENCRYPTION_KEY, which the database does not hold. The variable may hold several keys,
separated by commas: the first encrypts, every one decrypts (rotation). Outside production an
unset key is derived from SECRET_KEY, so development and tests need no extra setting.
"""

from __future__ import annotations

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from flask_babel import gettext as _
from joserfc.jwk import RSAKey

from partner_portal.core.errors import OperationError


class EncryptionKeyMissing(OperationError):
    """SSO_ENCRYPTION_KEY is not set where it must be (production): shown to the administrator, logged."""

    def __init__(self):
        super().__init__(
            _(
                "De sleutel om geheimen van inlogdiensten te versleutelen ontbreekt (SSO_ENCRYPTION_KEY). "
                "Vraag de beheerder van de server om die in te stellen."
            )
        )


def _fernet_key(value: str) -> bytes:
    """A Fernet key as given (44 url-safe base64 characters), or one derived from any other text."""
    raw = value.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(b"partner-portal-sso:" + raw).digest())


def _fernet() -> MultiFernet:
    configured = current_app.config.get("SSO_ENCRYPTION_KEY") or ""
    keys = [k for k in configured.split(",") if k.strip()]
    if not keys:
        if current_app.config["ENV_NAME"] == "production":
            logging.getLogger(__name__).error("SSO_ENCRYPTION_KEY is not set: identity provider secrets are unusable")
            raise EncryptionKeyMissing()
        keys = [current_app.config["SECRET_KEY"]]
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text; raises ValueError when the key does not fit (a changed SSO_ENCRYPTION_KEY)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("the stored secret does not decrypt with SSO_ENCRYPTION_KEY") from exc


def new_private_key() -> tuple[str, str]:
    """A fresh RSA key pair for private_key_jwt: (private key as PEM, key id = JWK thumbprint)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, RSAKey.import_key(pem).thumbprint()


def signing_key(private_key_pem: str, kid: str) -> RSAKey:
    return RSAKey.import_key(private_key_pem, {"kid": kid, "use": "sig", "alg": "RS256"})


def public_jwk(private_key_pem: str, kid: str) -> dict:
    """The public half as a JWK, as the provider fetches it from the JWKS URL."""
    return signing_key(private_key_pem, kid).as_dict(private=False)
