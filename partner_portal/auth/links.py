"""Building and handing out invitation and password-reset links."""

import logging

from partner_portal.auth import tokens
from partner_portal.auth.models import User
from partner_portal.core.urls import external_url
from partner_portal.notifications import notify

log = logging.getLogger(__name__)


def invitation_url(user: User) -> str:
    return external_url("auth.accept_invitation", token=tokens.make_token(user, "invite"))


def reset_url(user: User) -> str:
    return external_url("auth.reset_password", token=tokens.make_token(user, "reset"))


def send_invitation(user: User, actor: User | None = None) -> str:
    """Queue the invitation mail (in the caller's transaction); returns the link so the inviting admin sees it.

    The link itself is never logged: it is a credential.
    """
    url = invitation_url(user)
    notify(
        "invitation",
        [user],
        obj=user,
        actor=actor,
        context={
            "url": url,
            "inviter": actor.name if actor is not None else "",
            "days": tokens.max_age("invite").days,
        },
    )
    log.info("invitation queued for user %s", user.id)
    return url


def send_reset_link(user: User) -> None:
    """Queue the password-reset mail (in the caller's transaction); the link is never logged."""
    notify(
        "password_reset",
        [user],
        obj=user,
        context={"url": reset_url(user), "hours": int(tokens.max_age("reset").total_seconds() // 3600)},
    )
    log.info("password reset queued for user %s", user.id)
