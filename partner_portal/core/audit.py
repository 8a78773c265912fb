"""Append-only audit trail of every state change, chained by keyed hashes so tampering shows.

Each event's hash is HMAC-SHA256, under a key the database does not hold (AUDIT_HMAC_KEY), of
the previous event's hash and the event's canonical fields. Someone who can write to the
database but lacks the key cannot recompute a consistent chain. Removing the newest events
leaves a shorter chain that is still consistent; an anchor (`anchor_of`, written by
`flask audit anchor` and kept outside the database) catches that too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy import orm as so

from partner_portal.core import pagecache
from partner_portal.core.models import UTCDateTime, utcnow
from partner_portal.extensions import db

GENESIS_HASH = "0" * 64
_AUDIT_LOCK_KEY = 7_301_2017  # PostgreSQL advisory lock that serialises appends to the chain


class AuditEvent(db.Model):
    """One state change: who, on what, from which state to which, why and when."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        # The public "procesverloop" of a consultation: its public events, newest first.
        sa.Index("ix_audit_event_consultation_public", "consultation_id", "is_public", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(60), index=True)
    object_type: so.Mapped[str] = so.mapped_column(sa.String(60))
    object_id: so.Mapped[int | None]
    from_state: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    to_state: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    is_public: so.Mapped[bool] = so.mapped_column(default=False, index=True)
    details: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")  # canonical JSON
    request_id: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    # The consultation the event belongs to (its process history), if any.
    consultation_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("consultation.id", ondelete="RESTRICT"))
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)

    actor = so.relationship("User", lazy="raise")

    def page_cache_scopes(self, changed: set[str] | None) -> set[str]:
        """The audit log; a public event also the pages of its consultation (its procesverloop)."""
        if self.is_public:
            return {pagecache.AUDIT} | pagecache.write_in_consultation(self.consultation_id)
        return {pagecache.AUDIT}

    def payload(self) -> dict[str, Any]:
        """The fields covered by the hash, in a canonical form."""
        return payload_of(self)

    @property
    def details_dict(self) -> dict[str, Any]:
        return json.loads(self.details or "{}")

    def compute_hash(self, key: bytes | None = None) -> str:
        return keyed_hash(self.prev_hash, self.payload(), key if key is not None else hmac_key())


def payload_of(event) -> dict[str, Any]:
    """The hashed fields of an event (a model instance or a row with the same attributes)."""
    data = {
        "id": event.id,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "is_public": event.is_public,
        "details": event.details,
        "request_id": event.request_id,
    }
    # Only present when set, so that the hashes of events without it stay as they were.
    if event.consultation_id is not None:
        data["consultation_id"] = event.consultation_id
    return data


def _canonical(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def hmac_key() -> bytes:
    """The chain's key, from the environment (AUDIT_HMAC_KEY); never stored in the database."""
    key = current_app.config.get("AUDIT_HMAC_KEY") or ""
    if not key:
        raise RuntimeError("AUDIT_HMAC_KEY is not set: the audit trail cannot be written or verified.")
    return key.encode()


def keyed_hash(prev_hash: str, payload: Mapping[str, Any], key: bytes) -> str:
    return hmac.new(key, (prev_hash + _canonical(payload)).encode(), hashlib.sha256).hexdigest()


def unkeyed_hash(prev_hash: str, payload: Mapping[str, Any]) -> str:
    """The chain's hash before it was keyed (plain SHA-256); only to migrate old trails."""
    return hashlib.sha256((prev_hash + _canonical(payload)).encode()).hexdigest()


def record(
    actor,
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str = "",
    is_public: bool = False,
    organisation_id: int | None = None,
    details: dict[str, Any] | None = None,
    consultation_id: int | None = None,
) -> AuditEvent:
    """Append an event to the chain in the current transaction (flushes, does not commit)."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        if object_id is None:
            db.session.flush()
            object_id = obj.id
    if organisation_id is None and actor is not None:
        organisation_id = getattr(actor, "organisation_id", None)
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})
    else:
        db.session.flush()
    last = db.session.execute(sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    event = AuditEvent(
        id=(last.id + 1) if last else 1,
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name if actor is not None else "",
        organisation_id=organisation_id,
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason or "",
        is_public=is_public,
        details=json.dumps(details or {}, sort_keys=True, ensure_ascii=False),
        request_id=g.get("request_id", "") if has_request_context() else "",
        prev_hash=last.hash if last else GENESIS_HASH,
        consultation_id=consultation_id,
    )
    event.hash = event.compute_hash()
    db.session.add(event)
    db.session.flush()
    return event


def verify_chain(batch_size: int = 2000) -> AuditEvent | None:
    """The first event whose hash or link does not hold (altered, inserted or removed), or None."""
    prev_hash, expected_id, last_id = GENESIS_HASH, 1, 0
    while True:
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        ).all()
        if not events:
            return None
        for event in events:
            if event.id != expected_id or event.prev_hash != prev_hash or event.compute_hash() != event.hash:
                return event
            prev_hash, expected_id, last_id = event.hash, event.id + 1, event.id
        db.session.expunge_all()


def anchor_of(session=None) -> dict[str, Any]:
    """The chain's head: how many events, the newest id and its hash. Kept outside the database,
    it proves later that no event up to the head was removed or rewritten."""
    session = session or db.session
    count = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    last = session.execute(sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return {
        "count": count,
        "last_id": last.id if last else 0,
        "head": last.hash if last else GENESIS_HASH,
        "at": utcnow().isoformat(timespec="seconds"),
    }


def check_anchor(anchor: Mapping[str, Any]) -> str | None:
    """Why the chain does not reach the anchored head (None when it does). Call after `verify_chain`:
    an intact chain that still holds the anchored event with the anchored hash has lost nothing."""
    try:
        last_id, head, count = int(anchor["last_id"]), str(anchor["head"]), int(anchor["count"])
    except (KeyError, TypeError, ValueError):
        return "the anchor file is not an anchor written by `flask audit anchor`"
    if last_id == 0:
        return None
    stored = db.session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.id == last_id))
    if stored is None:
        return f"event {last_id} of the anchor is missing: the newest events were removed"
    if stored != head:
        return f"event {last_id} differs from the anchor: the chain was rewritten"
    have = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.id <= last_id))
    if have != count:
        return f"the anchor counts {count} events up to event {last_id}, the database {have}"
    return None


def rehash_chain(
    connection: sa.Connection,
    old: Callable[[str, Mapping[str, Any]], str],
    new: Callable[[str, Mapping[str, Any]], str],
    batch_size: int = 2000,
) -> int:
    """Check every event against the `old` hash function, then rewrite the chain with `new`.

    For migrations (unkeyed to keyed) and key rotation; works on a bare connection so that a
    migration can use it. Raises ValueError, changing nothing, when the old chain is broken.
    """
    table = AuditEvent.__table__
    old_prev, new_prev, expected_id, last_id, updates = GENESIS_HASH, GENESIS_HASH, 1, 0, []
    while True:
        rows = connection.execute(
            sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch_size)
        ).all()
        if not rows:
            break
        for row in rows:
            payload = payload_of(row)
            if row.id != expected_id or row.prev_hash != old_prev or old(old_prev, payload) != row.hash:
                raise ValueError(f"audit trail broken at event {row.id}; it was not rewritten")
            new_hash = new(new_prev, payload)
            updates.append({"row_id": row.id, "new_prev": new_prev, "new_hash": new_hash})
            old_prev, new_prev, expected_id, last_id = row.hash, new_hash, row.id + 1, row.id
    # Rewrite in two passes so that the unique index on hash never sees an old and a new value clash.
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values(prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash"))
    )
    if updates:
        temporary = [{"row_id": u["row_id"], "new_prev": "", "new_hash": f"rehash-{u['row_id']}"} for u in updates]
        connection.execute(statement, temporary)
        connection.execute(statement, updates)
    return len(updates)


# What an event is about, in words ---------------------------------------------------------------
#
# Features register each kind of object their events concern: a label ("Formele reactie") and a
# function that names a batch of objects by id ("Reactie van sectorgroep Horeca"), so the audit
# views and the public procesverloop say which item an event concerns without showing codes.

Describe = Callable[[list[int]], dict[int, str]]
_KINDS: dict[str, tuple[Any, Describe | None]] = {}


def register_kind(object_type: str, label, describe: Describe | None = None) -> None:
    """Make an object type known to the audit views: its label, and how to name objects of it."""
    _KINDS[object_type] = (label, describe)


def kind_label(object_type: str) -> str:
    return str(_KINDS[object_type][0]) if object_type in _KINDS else object_type


def kind_choices() -> list[tuple[str, str]]:
    """(object type, label) of every registered kind, by label."""
    return sorted(((t, str(label)) for t, (label, _d) in _KINDS.items()), key=lambda c: c[1])


def describe(events) -> dict[tuple[str, int], str]:
    """What each event is about, in words: one query per kind of object among `events`."""
    ids: dict[str, set[int]] = {}
    for e in events:
        if e.object_id is not None:
            ids.setdefault(e.object_type, set()).add(e.object_id)
    names: dict[tuple[str, int], str] = {}
    for object_type, wanted in ids.items():
        label, fn = _KINDS.get(object_type, (object_type, None))
        found = fn(sorted(wanted)) if fn else {}
        for object_id in wanted:
            names[(object_type, object_id)] = found.get(object_id) or f"{label} {object_id}"
    return names
