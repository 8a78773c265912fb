"""Building and handing out invitation and password-reset links."""

import functools
import logging

from flask import Flask, Response, current_app

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


def send_reset_link_after(response: Response, email: str) -> Response:
    """Queue a reset mail for `email`, if it has an account that may reset, once `response` is sent.

    The answer to "forgot password" must not tell which addresses have accounts, not even by
    its time: looking the address up and queueing the mail happen after the response has been
    written (when the server closes it), so the request does exactly the same work for every
    address. The deferred step runs in its own app context and transaction, as a worker does.
    """
    app = current_app._get_current_object()
    response.call_on_close(functools.partial(_queue_reset_link, app, email))
    return response


def _queue_reset_link(app: Flask, email: str) -> None:
    from partner_portal.auth.operations import find_user_by_email
    from partner_portal.extensions import db

    with app.app_context():
        try:
            user = find_user_by_email(email)
            from partner_portal.sso.policy import password_refused

            if user is not None and user.is_active and user.has_password and not password_refused(user):
                send_reset_link(user)
                db.session.commit()
        except Exception:  # the answer has gone out already: log, never raise into the server
            db.session.rollback()
            log.exception("password reset mail could not be queued")
        finally:
            db.session.remove()
