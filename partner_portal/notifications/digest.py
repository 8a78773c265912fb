"""The daily digest: each person's pending digest items bundled into one mail."""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
from flask_babel import force_locale

from partner_portal.auth.models import User
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.notifications.kinds import DIGEST, KINDS
from partner_portal.notifications.models import DigestItem
from partner_portal.notifications.operations import unsubscribe_url
from partner_portal.notifications.outbox import clean_header, locale_for, queue_mail

log = logging.getLogger(__name__)


def _line(item: DigestItem, locale: str) -> dict:
    from flask import current_app

    kind = KINDS.get(item.kind)
    values = json.loads(item.context or "{}")
    template = current_app.jinja_env.get_template(f"mail/{item.kind}.subject.txt")
    with force_locale(locale):
        line = clean_header(template.render({"locale": locale, **values}), 300)
        label = str(kind.label) if kind else item.kind
    return {"kind": item.kind, "label": label, "title": item.title, "url": item.url, "line": line}


def _bundle(user_id: int) -> bool:
    """One digest for this person in the current transaction; False when there was nothing (left) to bundle."""
    query = sa.select(DigestItem).where(DigestItem.user_id == user_id, DigestItem.bundled_at.is_(None))
    if db.session.get_bind().dialect.name == "postgresql":
        # A second digest run at the same time skips the rows this one is bundling.
        query = query.with_for_update(skip_locked=True)
    items = db.session.scalars(query.order_by(DigestItem.id)).all()
    if not items:
        return False
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        for item in items:
            db.session.delete(item)
        return False
    locale = locale_for(user)
    message = queue_mail(
        email=user.email,
        name=user.name,
        kind=DIGEST,
        template=DIGEST,
        context={"items": [_line(item, locale) for item in items], "url": ""},
        locale=locale,
        user_id=user.id,
        unsubscribe_url=unsubscribe_url(user.id, DIGEST),
    )
    now = utcnow()
    ids = [item.id for item in items]
    # Compare-and-set: on SQLite (no row locks) a concurrent run that got there first makes
    # the row count fall short, and this digest is rolled back.
    result = db.session.execute(
        sa.update(DigestItem)
        .where(DigestItem.id.in_(ids), DigestItem.bundled_at.is_(None))
        .values(bundled_at=now, outbox_message_id=message.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != len(ids):
        raise _AlreadyBundled
    return True


class _AlreadyBundled(Exception):
    pass


def build_digests() -> int:
    """Bundle every person's pending items; commits per person. Returns the number of digests queued."""
    user_ids = db.session.scalars(
        sa.select(DigestItem.user_id).where(DigestItem.bundled_at.is_(None)).distinct().order_by(DigestItem.user_id)
    ).all()
    count = 0
    for user_id in user_ids:
        try:
            made = _bundle(user_id)
        except _AlreadyBundled:
            db.session.rollback()
            continue
        db.session.commit()
        count += made
    if count:
        log.info("queued %d digest mails", count)
    return count
