"""Factories for outbox rows."""

from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.notifications.models import MailStatus, OutboxMessage
from partner_portal.notifications.outbox import new_message_id


def outbox_message(user=None, status: str = "queued", kind: str = "stage_changed", **kwargs) -> OutboxMessage:
    status = MailStatus(status)
    now = utcnow()
    values = {
        "user_id": user.id if user else None,
        "recipient_email": user.email if user else "iemand@example.org",
        "recipient_name": user.name if user else "Iemand",
        "subject": "Onderwerp",
        "body_text": "Tekst",
        "body_html": "<p>Tekst</p>",
        "locale": "nl",
        "attempts": 1 if status == MailStatus.failed else 0,
        "last_error": "550 5.1.1 Mailbox unavailable" if status == MailStatus.failed else "",
        "next_attempt_at": now,
        **kwargs,
    }
    message = OutboxMessage(
        kind=kind,
        message_id=new_message_id(),
        status=status,
        sent_at=now if status == MailStatus.sent else None,
        failed_at=now if status == MailStatus.failed else None,
        **values,
    )
    db.session.add(message)
    db.session.flush()
    return message
