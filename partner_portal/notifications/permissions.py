"""Who may see the outbox, retry mail and set notification preferences: pure predicates."""

from partner_portal.auth.permissions import can_manage_registry
from partner_portal.notifications.models import MailStatus


def can_manage_outbox(user) -> bool:
    """Administrators see every queued, sent and failed message."""
    return can_manage_registry(user)


def can_retry_message(user, message) -> bool:
    """A failed message, or one waiting after a failed attempt, can be sent again now."""
    if not can_manage_outbox(user):
        return False
    return message.status == MailStatus.failed or (message.status == MailStatus.queued and message.attempts > 0)


def can_read_message_body(user, message) -> bool:
    """Security mail carries a personal link that works once: not even administrators read it."""
    return can_manage_outbox(user) and not message.is_security


def can_set_preferences(user, target) -> bool:
    return bool(user and user.is_authenticated and user.id == target.id)
