"""State changes of notifications: queue them per preference, change preferences, retry mail.

Operations flush but never commit: the request (or command) commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from partner_portal.core import audit
from partner_portal.core.errors import OperationError, PermissionDenied
from partner_portal.core.models import utcnow
from partner_portal.core.urls import external_url
from partner_portal.extensions import db
from partner_portal.notifications import permissions
from partner_portal.notifications.kinds import DIGEST, KINDS, Kind, NotificationMode, get_kind, optional_kinds_for
from partner_portal.notifications.models import DigestItem, MailStatus, NotificationPreference, OutboxMessage
from partner_portal.notifications.outbox import absolute_url, locale_for, queue_mail, to_json
from partner_portal.notifications.tokens import make_token


def unsubscribe_url(user_id: int, kind: str) -> str:
    return external_url("notifications.unsubscribe", token=make_token(user_id, kind))


def preferences_of(user_ids: Iterable[int], kind: str) -> dict[int, NotificationMode]:
    rows = db.session.execute(
        sa.select(NotificationPreference.user_id, NotificationPreference.mode).where(
            NotificationPreference.user_id.in_(list(user_ids)), NotificationPreference.kind == kind
        )
    ).all()
    return dict(rows)


def modes_for(user) -> dict[str, NotificationMode]:
    """The effective mode of every optional kind for this person (their choice or the default)."""
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.mode).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {k.name: chosen.get(k.name, k.default_mode) for k in KINDS.values() if not k.security}


def _object_url(obj: Any) -> str | None:
    method = getattr(obj, "notification_url", None)
    return method() if callable(method) else None


def message_values(*, obj: Any = None, actor=None, context: dict | None = None) -> dict[str, Any]:
    """What a kind's templates get from a notify() call: its context, with `title`, `url` (absolute)
    and `actor_name` filled in from the object and the actor where the caller did not give them."""
    context = dict(context or {})
    url = absolute_url(context.pop("url", None) or _object_url(obj))
    title = str(context.pop("title", None) or getattr(obj, "title", "") or "")
    return {"title": title, "url": url, "actor_name": getattr(actor, "name", "") or "", **context}


def queue_notifications(
    kind_name: str, recipients: Iterable, *, obj: Any = None, actor=None, context: dict | None = None
) -> None:
    """The body of notify(): see its docstring."""
    kind = get_kind(kind_name)
    values = message_values(obj=obj, actor=actor, context=context)
    url, title = values["url"], values["title"]
    users = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.id in seen or not user.is_active:
            continue
        if not kind.security and actor is not None and user.id == actor.id:
            continue
        seen.add(user.id)
        users.append(user)
    if not users:
        return
    chosen = {} if kind.security else preferences_of(seen, kind.name)
    for user in users:
        mode = NotificationMode.immediate if kind.security else chosen.get(user.id, kind.default_mode)
        if mode == NotificationMode.off:
            continue
        if mode == NotificationMode.digest:
            db.session.add(
                DigestItem(user_id=user.id, kind=kind.name, title=title[:300], url=url[:500], context=to_json(values))
            )
            continue
        queue_mail(
            email=user.email,
            name=user.name,
            kind=kind.name,
            template=kind.template,
            context={**values, "kind_label": kind.label},
            locale=locale_for(user),
            user_id=user.id,
            unsubscribe_url=None if kind.security else unsubscribe_url(user.id, kind.name),
        )
    db.session.flush()


def _set_mode(user, kind: Kind, mode: NotificationMode) -> bool:
    """Store one choice; True when it changed."""
    row = db.session.scalar(
        sa.select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind.name
        )
    )
    if row is None:
        if mode == kind.default_mode:
            return False
        db.session.add(NotificationPreference(user_id=user.id, kind=kind.name, mode=mode))
        return True
    if row.mode == mode:
        return False
    row.mode = mode
    return True


def set_preferences(actor, user, modes: dict[str, str]) -> list[str]:
    """Store a person's choice per optional kind; returns the kinds that changed.

    Precondition: actor is the person. Security kinds and unknown kinds are refused
    (OperationError), so is an unknown mode. Records one audit event when anything changed.
    """
    if not permissions.can_set_preferences(actor, user):
        raise PermissionDenied(_("U mag alleen uw eigen meldingen instellen."))
    allowed = {k.name: k for k in optional_kinds_for(user)}
    changed = []
    for name, raw_mode in modes.items():
        if name not in allowed:
            raise OperationError(_("Deze soort melding kunt u niet instellen."))
        try:
            mode = NotificationMode(raw_mode)
        except ValueError:
            raise OperationError(_("Kies direct, dagelijks overzicht of uit.")) from None
        if _set_mode(user, allowed[name], mode):
            changed.append(name)
    if changed:
        db.session.flush()
        audit.record(
            actor,
            "notification.preferences",
            user,
            organisation_id=user.organisation_id,
            details={"changed": {name: modes[name] for name in changed}},
        )
    return changed


def unsubscribe(user, kind_name: str) -> list[str]:
    """Turn one kind off through a signed link (or, for DIGEST, every kind received as a digest).

    The link is the authorisation: no login needed. Returns the kinds turned off; nothing
    happens for a kind that was already off. Raises OperationError for an inactive account.
    """
    if not user.is_active:
        raise OperationError(_("Dit account is niet meer actief."))
    if kind_name == DIGEST:
        kinds = [KINDS[name] for name, mode in modes_for(user).items() if mode == NotificationMode.digest]
    else:
        kinds = [get_kind(kind_name)]
    changed = [k.name for k in kinds if not k.security and _set_mode(user, k, NotificationMode.off)]
    if changed:
        db.session.flush()
        audit.record(
            user,
            "notification.unsubscribe",
            user,
            organisation_id=user.organisation_id,
            details={"kinds": changed},
        )
    return changed


def retry_message(actor, message: OutboxMessage) -> None:
    """Put a failed (or waiting) message back in the queue for the next worker pass.

    Precondition: actor administers the platform; the message is failed, or queued after a
    failed attempt. Transition: -> queued, due now, attempts reset. Records an audit event.
    """
    if not permissions.can_manage_outbox(actor):
        raise PermissionDenied(_("Alleen een beheerder kan e-mail opnieuw versturen."))
    if not permissions.can_retry_message(actor, message):
        raise OperationError(_("Dit bericht wacht niet op een nieuwe poging."))
    from_state = str(message.status)
    message.status = MailStatus.queued
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.failed_at = None
    message.claimed_by = None
    message.claimed_at = None
    db.session.flush()
    audit.record(actor, "mail.retry", message, from_state=from_state, to_state=str(MailStatus.queued))
