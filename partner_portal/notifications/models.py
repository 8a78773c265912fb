"""The mail outbox, per-person notification preferences and pending digest items."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm as so

from partner_portal.core import audit, workflow
from partner_portal.core.models import UTCDateTime, enum_check, utcnow
from partner_portal.extensions import db
from partner_portal.notifications.kinds import NotificationMode


class MailStatus(enum.StrEnum):
    """Where a message is: waiting, claimed by a worker, delivered, or given up."""

    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"

    @property
    def label(self) -> str:
        return str(MAIL_STATUS_LABELS[self])


MAIL_STATUS_LABELS = {
    MailStatus.queued: _l("in de wachtrij"),
    MailStatus.sending: _l("wordt verzonden"),
    MailStatus.sent: _l("verzonden"),
    MailStatus.failed: _l("mislukt"),
}


class OutboxMessage(db.Model):
    """One e-mail to one recipient, written in the transaction of the change it reports."""

    __tablename__ = "outbox_message"
    page_cache_unshown = True  # shown on no cached page (see core/pagecache.py)
    __table_args__ = (
        # What the worker asks for: due queued messages, and stale claims.
        sa.Index("ix_outbox_message_status_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_message_status_claimed", "status", "claimed_at"),
        enum_check("status", MailStatus),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_at_iff_sent"),
        sa.CheckConstraint("(status = 'failed') = (failed_at IS NOT NULL)", name="failed_at_iff_failed"),
        sa.CheckConstraint(
            "status != 'sending' OR (claimed_by IS NOT NULL AND claimed_at IS NOT NULL)", name="sending_is_claimed"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    recipient_email: so.Mapped[str] = so.mapped_column(sa.String(254))
    recipient_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    kind: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    body_text: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), default="nl")
    unsubscribe_url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    message_id: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    status: so.Mapped[MailStatus] = so.mapped_column(
        sa.Enum(MailStatus, native_enum=False, length=10, validate_strings=True), default=MailStatus.queued
    )
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_error: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    failed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    @property
    def is_security(self) -> bool:
        from partner_portal.notifications.kinds import KINDS

        kind = KINDS.get(self.kind)
        return bool(kind and kind.security)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"


class NotificationPreference(db.Model):
    """A person's choice for one kind; without a row the kind's default applies."""

    __tablename__ = "notification_preference"
    page_cache_unshown = True  # shown on no cached page (see core/pagecache.py)
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind"),
        enum_check("mode", NotificationMode),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    mode: so.Mapped[NotificationMode] = so.mapped_column(
        sa.Enum(NotificationMode, native_enum=False, length=10, validate_strings=True)
    )
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DigestItem(db.Model):
    """A notification waiting for the person's daily digest; bundled into exactly one digest mail."""

    __tablename__ = "digest_item"
    page_cache_unshown = True  # shown on no cached page (see core/pagecache.py)
    __table_args__ = (
        sa.Index("ix_digest_item_pending", "user_id", "bundled_at"),
        sa.CheckConstraint("(bundled_at IS NULL) = (outbox_message_id IS NULL)", name="bundled_with_message"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    title: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    context: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")  # JSON
    outbox_message_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="RESTRICT"), index=True
    )
    bundled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


audit.register_kind("outbox_message", _l("E-mail"))
workflow.label_states("outbox_message", lambda value: MAIL_STATUS_LABELS.get(value))
workflow.label_action("notification.preferences", _l("Meldingen ingesteld"))
workflow.label_action("notification.unsubscribe", _l("Afgemeld voor meldingen"))
workflow.label_action("mail.retry", _l("E-mail opnieuw in de wachtrij gezet"))
