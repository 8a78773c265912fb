"""What a member organisation did on the platform, as one list of activities (one SQL UNION ALL).

Each activity is (organisation_id, kind, item_id, consultation_id, at). Only what is public or
shared counts, never a draft: an active endorsement of a response, an initiative or a
commitment that is no draft, a signature of a commitment that was not revoked, an initiative the organisation leads
(once submitted), an initiative it co-initiates (accepted, once submitted). The dashboard, the
per-sector view and the reminders all read "active" from here, so they agree on it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from partner_portal.commitments.models import Commitment, CommitmentState, Signature, SignatureState
from partner_portal.core.models import UTCDateTime
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.initiatives.models import CoInitiator, Initiative, InitiativeState, InvitationState
from partner_portal.responses.models import FormalResponse, ResponseState

ENDORSED_RESPONSE = "endorsed_response"
ENDORSED_INITIATIVE = "endorsed_initiative"
ENDORSED_COMMITMENT = "endorsed_commitment"
SIGNED = "signed"
LEADS = "leads"
CO_INITIATES = "co_initiates"
KINDS = (ENDORSED_RESPONSE, ENDORSED_INITIATIVE, ENDORSED_COMMITMENT, SIGNED, LEADS, CO_INITIATES)

SIGNED_STATES = (SignatureState.complete, SignatureState.pending_second, SignatureState.noticed)


def _parts(consultation_id: int | None = None, since: datetime | None = None) -> list[tuple]:
    """The kinds of activity, each as (kind, organisation column, item column, consultation column,
    time column, joins, conditions): the one definition that activities() and the per-organisation
    expressions below are built from."""
    not_draft = Initiative.state != InitiativeState.draft
    parts = [
        (
            ENDORSED_RESPONSE,
            Endorsement.organisation_id,
            Endorsement.formal_response_id,
            FormalResponse.consultation_id,
            Endorsement.endorsed_at,
            [(FormalResponse, FormalResponse.id == Endorsement.formal_response_id)],
            (Endorsement.withdrawn_at.is_(None), FormalResponse.state != ResponseState.draft),
        ),
        (
            ENDORSED_INITIATIVE,
            Endorsement.organisation_id,
            Endorsement.initiative_id,
            Initiative.consultation_id,
            Endorsement.endorsed_at,
            [(Initiative, Initiative.id == Endorsement.initiative_id)],
            (Endorsement.withdrawn_at.is_(None), not_draft),
        ),
        (
            ENDORSED_COMMITMENT,
            Endorsement.organisation_id,
            Endorsement.commitment_id,
            Commitment.consultation_id,
            Endorsement.endorsed_at,
            [(Commitment, Commitment.id == Endorsement.commitment_id)],
            (Endorsement.withdrawn_at.is_(None), Commitment.state != CommitmentState.draft),
        ),
        (
            SIGNED,
            Signature.organisation_id,
            Signature.commitment_id,
            Commitment.consultation_id,
            Signature.signed_at,
            [(Commitment, Commitment.id == Signature.commitment_id)],
            (Signature.state.in_(SIGNED_STATES),),
        ),
        (
            LEADS,
            Initiative.lead_organisation_id,
            Initiative.id,
            Initiative.consultation_id,
            Initiative.submitted_at,
            [],
            (not_draft, Initiative.submitted_at.is_not(None)),
        ),
        (
            CO_INITIATES,
            CoInitiator.organisation_id,
            CoInitiator.initiative_id,
            Initiative.consultation_id,
            CoInitiator.answered_at,
            [(Initiative, Initiative.id == CoInitiator.initiative_id)],
            (CoInitiator.state == InvitationState.accepted, not_draft, Initiative.submitted_at.is_not(None)),
        ),
    ]
    result = []
    for kind, org, item, consultation, at, joins, conditions in parts:
        if consultation_id is not None:
            conditions = (*conditions, consultation == consultation_id)
        if since is not None:
            conditions = (*conditions, at >= since)
        result.append((kind, org, item, consultation, at, joins, conditions))
    return result


def _select(columns, org, joins, conditions) -> sa.Select:
    query = sa.select(*columns).select_from(org.class_)
    for target, on in joins:
        query = query.join(target, on)
    return query.where(*conditions)


def activities(
    *, consultation_id: int | None = None, since: datetime | None = None, organisation_ids=None
) -> sa.Subquery:
    """Every activity of every organisation, as a subquery with the columns organisation_id, kind,
    item_id, consultation_id and at; narrowed to a consultation, to activities at or after
    `since`, and to `organisation_ids` (a list or a scalar subquery of ids) when given."""
    selects = []
    for kind, org, item, consultation, at, joins, conditions in _parts(consultation_id, since):
        if organisation_ids is not None:
            conditions = (*conditions, org.in_(organisation_ids))
        columns = (
            org.label("organisation_id"),
            sa.literal(kind).label("kind"),
            item.label("item_id"),
            consultation.label("consultation_id"),
            at.label("at"),
        )
        selects.append(_select(columns, org, joins, conditions))
    return sa.union_all(*selects).subquery("activity")


def has_activity(organisation_id, *, consultation_id: int | None = None, since: datetime | None = None):
    """A condition: the organisation in the column `organisation_id` (of an outer query) has an activity.
    Per organisation, on the activities' organisation indexes: a page need not count everyone's activity."""
    return sa.or_(
        *(
            _select((sa.literal(1),), org, joins, (*conditions, org == organisation_id))
            .correlate(organisation_id.class_)
            .exists()
            for _kind, org, _item, _consultation, _at, joins, conditions in _parts(consultation_id, since)
        )
    )


def last_activity_at(organisation_id, *, consultation_id: int | None = None):
    """The time of the last activity of the organisation in the column `organisation_id` (of an outer
    query), or NULL: the latest of one correlated maximum per kind, on the organisation indexes."""
    latest = [
        _select((sa.func.max(at),), org, joins, (*conditions, org == organisation_id))
        .correlate(organisation_id.class_)
        .scalar_subquery()
        for _kind, org, _item, _consultation, at, joins, conditions in _parts(consultation_id)
    ]
    if db.engine.dialect.name == "postgresql":
        return sa.type_coerce(sa.func.greatest(*latest), UTCDateTime)  # GREATEST skips NULLs
    # SQLite's max() of several values is NULL when one is: compare the stored text, '' for none.
    none = sa.literal("", sa.String)
    return sa.type_coerce(sa.func.nullif(sa.func.max(*(sa.func.coalesce(x, none) for x in latest)), none), UTCDateTime)
