"""What the session holds about a single sign-on login, and the fresh-login check for step-up.

After a provider's login the session carries `sso`: the provider's slug, the `acr` achieved,
the time of the provider's authentication, and the ID token (for RP-initiated logout). Between
the provider's answer and an extra step (choosing an organisation, proving an account) it
carries `sso_pending`, which lives at most PENDING_SECONDS.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime

from flask import session, url_for

from partner_portal.sso.operations import Login

PENDING_SECONDS = 600


def remember_login(slug: str, login: Login, id_token: str) -> None:
    """Record a provider's login on the (freshly started) session."""
    session["sso"] = {"p": slug, "acr": login.acr, "at": login.auth_time or int(time.time()), "idt": id_token}


def current() -> dict | None:
    value = session.get("sso")
    return value if isinstance(value, dict) else None


def achieved_acr() -> str | None:
    """The level of assurance of this session's login (None for a password login)."""
    value = current()
    return value.get("acr") if value else None


def last_fresh_login() -> datetime | None:
    """When the person last authenticated at their provider in this session (None: not through SSO).

    An operation that needs a recent login (signing) compares this with its limit and, when it is
    too old, sends the person to `fresh_login_url`.
    """
    value = current()
    if not value or not isinstance(value.get("at"), int):
        return None
    return datetime.fromtimestamp(value["at"], UTC)


def fresh_login_url(next_url: str | None = None) -> str | None:
    """The URL that makes the person log in again at their provider (prompt=login, max_age=0), then returns.

    None when this session did not come from a provider: ask for the password instead.
    """
    value = current()
    if not value:
        return None
    return url_for("sso.start", slug=value["p"], opnieuw=1, next=next_url)


def keep_pending(slug: str, login: Login, id_token: str, *, next_url: str | None, **extra) -> None:
    session["sso_pending"] = {
        "p": slug,
        "login": asdict(login),
        "idt": id_token,
        "next": next_url,
        "t": int(time.time()),
        **extra,
    }


def pending(slug: str | None = None) -> dict | None:
    """The pending step of the provider's login, or None when there is none, it is too old or another provider's."""
    value = session.get("sso_pending")
    if not isinstance(value, dict) or int(time.time()) - int(value.get("t", 0)) > PENDING_SECONDS:
        return None
    if slug is not None and value.get("p") != slug:
        return None
    return value


def pending_login(value: dict) -> Login:
    return Login(**value["login"])


def drop_pending() -> None:
    session.pop("sso_pending", None)


def link_after_invitation(user) -> bool:
    """`user` has just set a password through their invitation link: link their pending provider login.

    The invitation link proves that the person owns the invited account, as the password does.
    """
    import sqlalchemy as sa

    from partner_portal.extensions import db
    from partner_portal.sso.models import IdentityProvider
    from partner_portal.sso.operations import link_identity

    value = pending()
    if value is None or value.get("user") != user.id:
        return False
    provider = db.session.scalar(sa.select(IdentityProvider).where(IdentityProvider.slug == value["p"]))
    if provider is None or not provider.is_enabled:
        return False
    link_identity(provider, pending_login(value), user)
    drop_pending()
    return True


def end_session_url() -> str | None:
    """Where to send the person after the local logout (RP-initiated logout), or None.

    Read before the local session is cleared: it needs the provider and the ID token of this login.
    """
    import logging

    import sqlalchemy as sa
    from requests import RequestException

    from partner_portal.extensions import db
    from partner_portal.sso.client import client_for
    from partner_portal.sso.models import IdentityProvider

    value = current()
    if not value:
        return None
    provider = db.session.scalar(sa.select(IdentityProvider).where(IdentityProvider.slug == value.get("p")))
    if provider is None or not provider.is_enabled:
        return None
    try:
        oauth = client_for(provider)
        if not oauth.load_server_metadata().get("end_session_endpoint"):
            return None
        result = oauth.create_logout_url(
            post_logout_redirect_uri=url_for("sso.logged_out", _external=True),
            id_token_hint=value.get("idt") or None,
            client_id=provider.client_id,
        )
    except (RequestException, ValueError, KeyError, RuntimeError) as exc:
        logging.getLogger(__name__).warning("no RP-initiated logout at %s: %s", provider.slug, exc)
        return None
    return result["url"]
