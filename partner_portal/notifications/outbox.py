"""Queueing mail: render a message in the recipient's language and add it to the outbox.

Nothing here talks to SMTP; the rows are written in the caller's transaction (flushed, never
committed), so a change that rolls back leaves no mail behind.
"""

from __future__ import annotations

import json
import re
import uuid
from email.utils import parseaddr
from typing import Any

from flask import current_app
from flask_babel import force_locale

from partner_portal.core.models import utcnow
from partner_portal.core.urls import external_url
from partner_portal.extensions import db
from partner_portal.notifications.models import MailStatus, OutboxMessage

_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")
_CONTROL = re.compile(r"[\r\n\x00-\x1f\x7f\u2028\u2029]+")


def clean_header(value: str, max_length: int = 255) -> str:
    """One line without control characters: a name or subject cannot smuggle in extra headers."""
    return _CONTROL.sub(" ", str(value or "")).strip()[:max_length]


def sender_domain() -> str:
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2] or "localhost"


def new_message_id() -> str:
    """A globally unique Message-ID, fixed at queue time so every delivery attempt carries the same one."""
    return f"<{uuid.uuid4().hex}@{sender_domain()}>"


def locale_for(user) -> str:
    locale = getattr(user, "locale", None)
    return locale if locale in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def absolute_url(url: str | None) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    if not url:
        return base + "/"
    return base + url if url.startswith("/") else url


def render(template: str, locale: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of templates/mail/<template>.* rendered in `locale`."""
    env = current_app.jinja_env
    values = {"locale": locale, "preferences_url": external_url("notifications.preferences"), **context}
    with force_locale(locale):
        subject = env.get_template(f"mail/{template}.subject.txt").render(values)
        text = env.get_template(f"mail/{template}.txt").render(values)
        html = env.get_template(f"mail/{template}.html").render(values)
    return clean_header(subject), _BLANK_LINES.sub("\n\n", text).strip() + "\n", html


def queue_mail(
    *,
    email: str,
    name: str,
    kind: str,
    template: str,
    context: dict[str, Any],
    locale: str,
    user_id: int | None = None,
    unsubscribe_url: str | None = None,
) -> OutboxMessage:
    """Render and add one message to the outbox in the current transaction (flushes)."""
    name = clean_header(name, 120)
    subject, text, html = render(
        template, locale, {**context, "recipient_name": name, "unsubscribe_url": unsubscribe_url}
    )
    message = OutboxMessage(
        user_id=user_id,
        recipient_email=clean_header(email, 254),
        recipient_name=name,
        kind=kind,
        subject=subject,
        body_text=text,
        body_html=html,
        locale=locale,
        unsubscribe_url=unsubscribe_url,
        message_id=new_message_id(),
        status=MailStatus.queued,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def to_json(context: dict[str, Any]) -> str:
    return json.dumps(context, ensure_ascii=False, sort_keys=True, default=str)
