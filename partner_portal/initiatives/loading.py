"""Loading initiatives for pages: one query for what every page shows, 404 for what the user may not see."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user
from sqlalchemy import orm as so

from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from partner_portal.initiatives import permissions
from partner_portal.initiatives.models import CoInitiator, FundingRequest, Grant, Initiative, InitiativeState, Spending
from partner_portal.partners.models import Organisation


def initiative_options():
    """What every initiative page shows around its text, in one query; the lists load when rendered."""
    return (
        so.joinedload(Initiative.consultation),
        # The lead's sector memberships load only where a page asks for them.
        so.joinedload(Initiative.lead_organisation).lazyload(Organisation.sectors),
        # Few rows each, so joined into the one query (their product stays small).
        so.joinedload(Initiative.co_initiators).joinedload(CoInitiator.organisation).lazyload(Organisation.sectors),
        so.joinedload(Initiative.themes),
        so.joinedload(Initiative.locations),
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
    initiative = db.session.scalars(query).unique().first()
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


@dataclass
class Ledger:
    """An initiative's money per funding source (cents), read in one query for its page."""

    requested: dict[int, int] = field(default_factory=dict)
    granted: dict[int, int] = field(default_factory=dict)
    spent: dict[int, int] = field(default_factory=dict)

    def total(self, kind: str) -> int:
        return sum(getattr(self, kind).values())


def ledger_of(initiative: Initiative) -> Ledger:
    """Requested, granted and spent per source in one statement (the page's table; the model's
    requested_for/granted_for/spent_for load three collections instead). Read once per request
    and initiative: the page and its forms (rendered after every operation) share it."""
    cache = g.setdefault("initiative_ledgers", {})
    if initiative.id not in cache:
        cache[initiative.id] = _read_ledger(initiative)
    return cache[initiative.id]


def _read_ledger(initiative: Initiative) -> Ledger:
    parts = [
        sa.select(sa.literal(kind).label("kind"), model.funding_source_id, model.amount_cents).where(
            model.initiative_id == initiative.id
        )
        for kind, model in (("requested", FundingRequest), ("granted", Grant), ("spent", Spending))
    ]
    ledger = Ledger()
    for kind, source_id, cents in db.session.execute(sa.union_all(*parts)):
        book = getattr(ledger, kind)
        book[source_id] = book.get(source_id, 0) + cents
    return ledger
