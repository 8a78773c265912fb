"""Session lifecycle: loading the user from the cookie, idle timeout and absolute lifetime.

The login id in the session and in the remember-me cookie is "user_id:session_version", and
for a remembered login "user_id:session_version:issued_at" (Unix seconds). The cookie is signed,
so the issue time cannot be changed; the server refuses a remembered login older than
REMEMBER_DAYS, and a remember cookie without an issue time, whatever the browser keeps.
"""

import time

from flask import current_app, session
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_user, logout_user
from sqlalchemy import orm as so

from partner_portal.auth.models import User
from partner_portal.extensions import db, login_manager
from partner_portal.partners.models import Organisation, OrganisationSector


def _now() -> int:
    return int(time.time())


def _parse_login_id(login_id: str) -> tuple[int, int, int | None] | None:
    """(user id, session version, issue time or None) of a login id, or None if malformed."""
    parts = login_id.split(":")
    if len(parts) not in (2, 3):
        return None
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        return None
    return numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else None


def remembered_login_expired(issued_at: int) -> bool:
    """True when a remembered login issued at `issued_at` is past REMEMBER_DAYS (or in the future)."""
    now = _now()
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
    return issued_at > now + 60 or now - issued_at > lifetime


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Resolve a login id; a stale version, an inactive user or an expired remembered login logs it out."""
    parsed = _parse_login_id(user_id)
    if parsed is None:
        return None
    uid, version, issued_at = parsed
    if issued_at is None and "login_at" not in session:
        # Restored from a remember cookie that carries no issue time: refused.
        return None
    if issued_at is not None and remembered_login_expired(issued_at):
        return None
    # The organisation and its sector groups come along: nearly every page's permission checks
    # (and a partner's next steps) read them, which would otherwise cost two statements more.
    user = db.session.get(
        User,
        uid,
        options=[
            so.joinedload(User.organisation)
            .joinedload(Organisation.sectors)
            .joinedload(OrganisationSector.sector_group)
        ],
    )
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def start_session(user: User, remember: bool = False) -> None:
    """A fresh session for a fresh login (no data carried over from before login)."""
    locale = session.get("locale")
    session.clear()
    session.permanent = True
    if locale:
        session["locale"] = locale
    now = _now()
    session["login_at"] = now
    session["seen_at"] = now
    session["remember"] = remember
    login_user(user, remember=remember)
    if remember:
        # The remember cookie is written from this value after the request: it carries the
        # issue time, which the server checks against REMEMBER_DAYS.
        session["_user_id"] = f"{user.get_id()}:{now}"
    refresh_locale()  # the user's own language from now on


def end_session() -> None:
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    refresh_locale()


def enforce_session_limits() -> bool:
    """Log out a session that was idle too long or is older than its absolute lifetime.

    Returns True when the session was ended. Called before every request.
    """
    if not current_user.is_authenticated:
        return False
    now = _now()
    cfg = current_app.config
    login_at = session.get("login_at")
    seen_at = session.get("seen_at")
    if login_at is None or seen_at is None:
        # Restored from a remember-me cookie: its lifetime counts from the original login.
        parsed = _parse_login_id(str(session.get("_user_id", "")))
        session["login_at"] = parsed[2] if parsed and parsed[2] is not None else now
        session["seen_at"] = now
        session["remember"] = True
        return False
    # With remember-me the person asked to stay logged in: no idle timeout, and the
    # absolute lifetime is that of the remember cookie.
    remember = bool(session.get("remember"))
    lifetime = cfg["REMEMBER_COOKIE_DURATION"].total_seconds() if remember else cfg["SESSION_ABSOLUTE_HOURS"] * 3600
    if (not remember and now - seen_at > cfg["SESSION_IDLE_MINUTES"] * 60) or now - login_at > lifetime:
        end_session()
        return True
    if now - seen_at >= 30:  # avoid re-writing the cookie on every request
        session["seen_at"] = now
    return False
