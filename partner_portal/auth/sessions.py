"""Session lifecycle: loading the user from the cookie, idle timeout and absolute lifetime."""

import time

from flask import current_app, session
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_user, logout_user

from partner_portal.auth.models import User
from partner_portal.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Resolve "id:session_version"; a stale version or inactive user logs the cookie out."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = db.session.get(User, uid)
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
    now = int(time.time())
    session["login_at"] = now
    session["seen_at"] = now
    session["remember"] = remember
    login_user(user, remember=remember)
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
    now = int(time.time())
    cfg = current_app.config
    login_at = session.get("login_at")
    seen_at = session.get("seen_at")
    if login_at is None or seen_at is None:
        # Restored from a remember-me cookie: start the clocks now.
        session["login_at"] = session["seen_at"] = now
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
