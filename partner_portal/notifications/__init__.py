"""Notifications: operations say what happened and to whom; this package turns it into e-mail.

The one entry point for every feature is `notify(kind, recipients, ...)`, called inside the
operation's transaction. Delivery (outbox, SMTP, preferences, digests) lives behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint

from partner_portal.core import workflow

bp = Blueprint("notifications", __name__)


def notify(kind: str, recipients: Iterable, *, obj: Any = None, actor=None, context: dict | None = None) -> None:
    """Queue a notification of `kind` (e.g. "response_submitted") for each recipient (a User).

    Called by operations inside their transaction, so a rolled-back change sends nothing.
    `obj` is the item the message is about: its page is linked from the message (pass
    `context["url"]`, a path or absolute URL, or give the object a `notification_url()`
    method); its `title` attribute names it unless `context["title"]` does. `context` holds
    the extra values the kind's templates use (see notifications/kinds.py).

    Per recipient, according to their preference for the kind: a message in the outbox
    (immediately), an item for the daily digest, or nothing (off). Security kinds always go
    out at once. Inactive recipients, and the actor themselves (except for security mail),
    get nothing. Raises ValueError for an unknown kind.
    """
    from partner_portal.notifications.operations import queue_notifications

    queue_notifications(kind, recipients, obj=obj, actor=actor, context=context)


# Workflow rows that notify (core/workflow.py) queue through this feature.
workflow.set_notifier(notify)
