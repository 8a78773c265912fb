"""Delivering the outbox over SMTP: claim due messages, send them, record the outcome.

Claims are short transactions of their own: on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED`,
on SQLite a compare-and-set UPDATE per row. A claimed message is `sending` with the worker's
name and the time; a claim older than MAIL_CLAIM_TIMEOUT_SECONDS (a crashed worker) is taken
over. Temporary faults (no connection, 4xx answers) retry with exponential back-off; a
permanent 5xx refusal of the recipient marks the message failed with the server's answer.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import sqlalchemy as sa
from flask import current_app

from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.notifications.models import MailStatus, OutboxMessage
from partner_portal.notifications.outbox import clean_header

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Try again later (server unreachable, 4xx answer, authentication trouble)."""


class PermanentFailure(Exception):
    """The server refused this message for good (5xx for the recipient or the content)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# Claiming ---------------------------------------------------------------------------------


def _claimable(now: datetime, cutoff: datetime):
    stale = now - timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT_SECONDS"])
    return sa.or_(
        sa.and_(OutboxMessage.status == MailStatus.queued, OutboxMessage.next_attempt_at <= cutoff),
        sa.and_(OutboxMessage.status == MailStatus.sending, OutboxMessage.claimed_at < stale),
    )


def claim_batch(worker: str, limit: int, cutoff: datetime | None = None) -> list[int]:
    """Claim up to `limit` due messages for `worker` and commit; returns their ids."""
    now = utcnow()
    cutoff = cutoff or now
    condition = _claimable(now, cutoff)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(condition)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if ids:
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(status=MailStatus.sending, claimed_by=worker, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
        return list(ids)
    candidates = db.session.scalars(
        sa.select(OutboxMessage.id).where(condition).order_by(OutboxMessage.id).limit(limit)
    ).all()
    claimed = []
    for message_id in candidates:
        # Compare-and-set: the row is ours only if it is still claimable when we write.
        result = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, condition)
            .values(status=MailStatus.sending, claimed_by=worker, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    db.session.commit()
    return claimed


# Building and sending -----------------------------------------------------------------------


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message: text with an HTML alternative, and the stored Message-ID."""
    config = current_app.config
    email = EmailMessage()
    email["Subject"] = clean_header(message.subject)
    sender_name, sender_address = parseaddr(clean_header(config["MAIL_DEFAULT_SENDER"]))
    email["From"] = Address(display_name=sender_name, addr_spec=sender_address)
    email["To"] = Address(display_name=clean_header(message.recipient_name), addr_spec=message.recipient_email)
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    email["Content-Language"] = message.locale  # after the body: set_content drops Content-* headers
    return email


def connect() -> smtplib.SMTP:
    """An SMTP connection as configured (TLS from the start, or STARTTLS), logged in if a user is set."""
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT_SECONDS"]
    try:
        if config["MAIL_USE_SSL"]:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except (OSError, smtplib.SMTPException) as exc:
        # A wrong password or TLS trouble is the server's configuration, not the message's: retry.
        raise TemporaryFailure(f"connection to {host}:{port} failed: {_describe(exc)}") from exc
    return smtp


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def send_one(smtp: smtplib.SMTP, message: OutboxMessage) -> None:
    """Hand one message to the server; raises TemporaryFailure or PermanentFailure."""
    email = build_email(message)
    envelope_from = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    try:
        smtp.send_message(email, from_addr=envelope_from, to_addrs=[message.recipient_email])
    except smtplib.SMTPRecipientsRefused as exc:
        code, answer = next(iter(exc.recipients.values()))
        text = f"{code} {answer.decode(errors='replace') if isinstance(answer, bytes) else answer}"
        raise (PermanentFailure if code >= 500 else TemporaryFailure)(text) from exc
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        raise (PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure)(_describe(exc)) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise TemporaryFailure(_describe(exc)) from exc


# Recording outcomes ------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Wait before attempt number attempts+1: base * 2^(attempts-1), capped."""
    config = current_app.config
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _finish(message_id: int, worker: str, **values) -> None:
    # Only while the claim is still ours: a claim taken over after a timeout belongs to another worker.
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker)
        .values(claimed_by=None, claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def mark_sent(message: OutboxMessage, worker: str) -> None:
    _finish(message.id, worker, status=MailStatus.sent, sent_at=utcnow(), attempts=message.attempts + 1)


def mark_failed(message: OutboxMessage, worker: str, error: str) -> None:
    log.warning("mail %s to user %s failed for good: %s", message.id, message.user_id, error)
    _finish(
        message.id,
        worker,
        status=MailStatus.failed,
        failed_at=utcnow(),
        attempts=message.attempts + 1,
        last_error=error[:2000],
    )


def mark_retry(message: OutboxMessage, worker: str, error: str) -> None:
    attempts = message.attempts + 1
    if attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        mark_failed(message, worker, f"{error} (after {attempts} attempts)")
        return
    delay = backoff(attempts)
    log.warning("mail %s: attempt %d failed, retrying in %ss: %s", message.id, attempts, delay.seconds, error)
    _finish(
        message.id,
        worker,
        status=MailStatus.queued,
        attempts=attempts,
        next_attempt_at=utcnow() + delay,
        last_error=error[:2000],
    )


# One pass ----------------------------------------------------------------------------------


@dataclass
class PassResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def send_pending(worker: str | None = None, batch_size: int | None = None) -> PassResult:
    """Deliver every message that is due when the pass starts; commits as it goes.

    Without MAIL_SERVER nothing is claimed: mail stays queued (development). A connection
    failure ends the pass after putting its batch back with back-off.
    """
    result = PassResult()
    if not current_app.config["MAIL_SERVER"]:
        return result
    worker = worker or worker_name()
    batch_size = batch_size or current_app.config["MAIL_BATCH_SIZE"]
    started = utcnow()  # messages requeued during this pass wait for the next one
    smtp: smtplib.SMTP | None = None
    try:
        while True:
            ids = claim_batch(worker, batch_size, cutoff=started)
            if not ids:
                break
            messages = db.session.scalars(
                sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
            ).all()
            for message in messages:
                # Detached, so the commits after each message do not expire (and re-read) the rest.
                db.session.expunge(message)
            for index, message in enumerate(messages):
                try:
                    if smtp is None:
                        smtp = connect()
                    send_one(smtp, message)
                except PermanentFailure as exc:
                    mark_failed(message, worker, str(exc))
                    result.failed += 1
                except TemporaryFailure as exc:
                    result.errors.append(str(exc))
                    if smtp is not None and not _alive(smtp):
                        smtp = None
                    if smtp is None:
                        # No server: put this and the rest of the batch back, end the pass.
                        for rest in messages[index:]:
                            mark_retry(rest, worker, str(exc))
                            result.retried += 1
                        return result
                    mark_retry(message, worker, str(exc))
                    result.retried += 1
                else:
                    mark_sent(message, worker)
                    result.sent += 1
    finally:
        if smtp is not None:
            _quit(smtp)
        db.session.rollback()
    return result


def _alive(smtp: smtplib.SMTP) -> bool:
    try:
        return smtp.noop()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
