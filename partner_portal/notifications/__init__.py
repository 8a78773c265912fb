"""Notifications: operations say what happened and to whom; this package turns it into e-mail.

The one entry point for every feature is `notify(kind, recipients, ...)`, called inside the
operation's transaction. Delivery (outbox, SMTP, preferences, digests) lives behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)


def notify(kind: str, recipients: Iterable, *, obj: Any = None, actor=None, context: dict | None = None) -> None:
    """Queue a notification of `kind` (e.g. "response_submitted") for each recipient (a User).

    Called by operations inside their transaction, so a rolled-back change sends nothing.
    `obj` is the item the message is about (its page is linked from the message); `context`
    holds extra values for the message templates.
    """
    for user in recipients:
        log.info("notification %s for user %s about %s", kind, getattr(user, "id", None), obj)
