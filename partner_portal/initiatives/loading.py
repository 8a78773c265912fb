"""Loading initiatives for pages: one query for what every page shows, 404 for what the user may not see."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy import orm as so

from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from partner_portal.initiatives import permissions
from partner_portal.initiatives.models import Initiative, InitiativeState


def initiative_options():
    """What every initiative page shows around its text, in one query; the lists load when rendered."""
    return (
        so.joinedload(Initiative.consultation),
        so.joinedload(Initiative.lead_organisation),
        so.selectinload(Initiative.co_initiators),
    )


def load_initiative(initiative_id: int, *, populate: bool = False, lock: bool = False) -> Initiative:
    """The initiative, or 404 when it does not exist or the user may not see it (no hint that it exists).

    `lock` holds the initiative's row until the request commits (PostgreSQL): a double click
    waits, then reads what the first request stored."""
    query = sa.select(Initiative).where(Initiative.id == initiative_id).options(*initiative_options())
    if lock:
        query = query.with_for_update(of=Initiative)
    if populate or lock:
        query = query.execution_options(populate_existing=True)
    initiative = db.session.scalar(query)
    if initiative is None or not permissions.can_view_initiative(current_user, initiative):
        abort(404)
    return initiative


def changes_requested_message(initiative: Initiative):
    """The gemeente's latest request for changes (its audit event, with the reason), while it stands."""
    if initiative.state != InitiativeState.changes_requested:
        return None
    return db.session.scalar(
        sa.select(AuditEvent)
        .where(
            AuditEvent.object_type == Initiative.__tablename__,
            AuditEvent.object_id == initiative.id,
            AuditEvent.action == "initiative.request_changes",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
