"""Signed, single-use, expiring links for invitations and password resets."""

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from partner_portal.auth.models import User
from partner_portal.extensions import db

PURPOSES = ("invite", "reset")


class TokenError(Exception):
    """The link is not valid; `reason` is 'expired', 'invalid' (tampered or already used) or 'sso'
    (a staff member's reset link while staff must log in through their identity provider)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"partner-portal-{purpose}")


def _state_stamp(user: User) -> str:
    # Changes as soon as the link is used (new password hash, new session version),
    # which makes every earlier link of this user single-use.
    material = f"{user.id}:{user.password_hash or ''}:{user.session_version}:{user.is_active}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def make_token(user: User, purpose: str) -> str:
    assert purpose in PURPOSES
    return _serializer(purpose).dumps({"u": user.id, "s": _state_stamp(user)})


def max_age(purpose: str) -> timedelta:
    return current_app.config["INVITATION_MAX_AGE" if purpose == "invite" else "RESET_MAX_AGE"]


def user_for_token(token: str, purpose: str) -> User:
    """The user a valid, unused, unexpired link belongs to; raises TokenError otherwise."""
    try:
        data = _serializer(purpose).loads(token, max_age=int(max_age(purpose).total_seconds()))
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise TokenError("invalid")
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active or data.get("s") != _state_stamp(user):
        raise TokenError("invalid")
    if purpose == "reset":
        from partner_portal.sso.policy import password_refused

        if password_refused(user):  # staff log in through their provider only: no password to reset
            raise TokenError("sso")
    return user
