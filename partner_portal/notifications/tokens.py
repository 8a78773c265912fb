"""Signed unsubscribe links: they name a person and a kind, and work without logging in."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from partner_portal.notifications.kinds import DIGEST, KINDS

_SALT = "partner-portal-unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: str  # a kind name, or DIGEST for every kind received as a digest


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_token(user_id: int, kind: str) -> str:
    return _serializer().dumps({"u": user_id, "k": kind})


def read_token(token: str) -> Unsubscribe | None:
    """The request a valid token carries, or None when it is tampered with or names no optional kind."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        return None
    kind = data["k"]
    if kind != DIGEST and (kind not in KINDS or KINDS[kind].security):
        return None
    return Unsubscribe(data["u"], kind)
