"""Building and handing out invitation and password-reset links."""

import logging

from flask import current_app, url_for

from partner_portal.auth import tokens
from partner_portal.auth.models import User

log = logging.getLogger(__name__)


def external_url(endpoint: str, **values) -> str:
    """An absolute URL built on BASE_URL, so that links are right outside a request too."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return base + url_for(endpoint, _external=False, **values)


def invitation_url(user: User) -> str:
    return external_url("auth.accept_invitation", token=tokens.make_token(user, "invite"))


def reset_url(user: User) -> str:
    return external_url("auth.reset_password", token=tokens.make_token(user, "reset"))


def send_invitation(user: User) -> str:
    """Hand the invitation link to the invitee; returns it so the inviting admin can see it."""
    url = invitation_url(user)
    log.info("Invitation link for user %s: %s", user.id, url)
    return url


def send_reset_link(user: User) -> None:
    url = reset_url(user)
    log.info("Password reset link for user %s: %s", user.id, url)
