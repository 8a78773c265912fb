"""Loading formal responses for pages: one query for what every page shows, 404 for what the user may not see."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy import orm as so

from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from partner_portal.responses import permissions
from partner_portal.responses.models import FormalResponse, ResponseState


def response_options():
    """What every response page shows around the response's text, in one query. The text and the
    lists (positions, answers, attachments, endorsements, revisions) load when a page renders
    them, one query each, and not at all when it comes from the page cache."""
    return (
        so.joinedload(FormalResponse.consultation),
        so.joinedload(FormalResponse.sector_group),
        so.joinedload(FormalResponse.submitted_by),
    )


def load_response(response_id: int, *, populate: bool = False, lock: bool = False) -> FormalResponse:
    """The response, or 404 when it does not exist or the user may not see it (no hint that it exists).

    `lock` holds the response's row until the request commits (PostgreSQL): a second request on
    it (a double click) waits, then reads what the first one stored."""
    query = sa.select(FormalResponse).where(FormalResponse.id == response_id).options(*response_options())
    if lock:
        query = query.with_for_update(of=FormalResponse)
    if populate or lock:
        query = query.execution_options(populate_existing=True)
    response = db.session.scalar(query)
    if response is None or not permissions.can_view_response(current_user, response):
        abort(404)
    return response


def last_moderator_message(response: FormalResponse) -> AuditEvent | None:
    """The latest request for changes or rejection, with its reason (shown to the group and the gemeente)."""
    if response.state not in (ResponseState.changes_requested, ResponseState.rejected):
        return None
    return db.session.scalar(
        sa.select(AuditEvent)
        .where(
            AuditEvent.object_type == FormalResponse.__tablename__,
            AuditEvent.object_id == response.id,
            AuditEvent.action.in_(("formal_response.request_changes", "formal_response.reject")),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
