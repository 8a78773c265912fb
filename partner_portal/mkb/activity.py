"""What a member organisation did on the platform, as one list of activities (one SQL UNION ALL).

Each activity is (organisation_id, kind, item_id, consultation_id, at). Only what is public or
shared counts, never a draft: an active endorsement of a response or an initiative that is no
draft, a signature of a commitment that was not revoked, an initiative the organisation leads
(once submitted), an initiative it co-initiates (accepted, once submitted). The dashboard, the
per-sector view and the reminders all read "active" from here, so they agree on it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from partner_portal.commitments.models import Commitment, Signature, SignatureState
from partner_portal.endorsements.models import Endorsement
from partner_portal.initiatives.models import CoInitiator, Initiative, InitiativeState, InvitationState
from partner_portal.responses.models import FormalResponse, ResponseState

ENDORSED_RESPONSE = "endorsed_response"
ENDORSED_INITIATIVE = "endorsed_initiative"
SIGNED = "signed"
LEADS = "leads"
CO_INITIATES = "co_initiates"
KINDS = (ENDORSED_RESPONSE, ENDORSED_INITIATIVE, SIGNED, LEADS, CO_INITIATES)

SIGNED_STATES = (SignatureState.complete, SignatureState.pending_second, SignatureState.noticed)


def activities(
    *, consultation_id: int | None = None, since: datetime | None = None, organisation_ids=None
) -> sa.Subquery:
    """Every activity of every organisation, as a subquery with the columns organisation_id, kind,
    item_id, consultation_id and at; narrowed to a consultation, to activities at or after
    `since`, and to `organisation_ids` (a list or a scalar subquery of ids) when given."""

    def part(kind: str, org, item, consultation, at, *joins_and_conditions):
        query = sa.select(
            org.label("organisation_id"),
            sa.literal(kind).label("kind"),
            item.label("item_id"),
            consultation.label("consultation_id"),
            at.label("at"),
        )
        joins, conditions = joins_and_conditions
        for target, on in joins:
            query = query.join(target, on)
        if consultation_id is not None:
            conditions = (*conditions, consultation == consultation_id)
        if since is not None:
            conditions = (*conditions, at >= since)
        if organisation_ids is not None:
            conditions = (*conditions, org.in_(organisation_ids))
        return query.where(*conditions)

    not_draft = Initiative.state != InitiativeState.draft
    parts = [
        part(
            ENDORSED_RESPONSE,
            Endorsement.organisation_id,
            Endorsement.formal_response_id,
            FormalResponse.consultation_id,
            Endorsement.endorsed_at,
            [(FormalResponse, FormalResponse.id == Endorsement.formal_response_id)],
            (Endorsement.withdrawn_at.is_(None), FormalResponse.state != ResponseState.draft),
        ),
        part(
            ENDORSED_INITIATIVE,
            Endorsement.organisation_id,
            Endorsement.initiative_id,
            Initiative.consultation_id,
            Endorsement.endorsed_at,
            [(Initiative, Initiative.id == Endorsement.initiative_id)],
            (Endorsement.withdrawn_at.is_(None), not_draft),
        ),
        part(
            SIGNED,
            Signature.organisation_id,
            Signature.commitment_id,
            Commitment.consultation_id,
            Signature.signed_at,
            [(Commitment, Commitment.id == Signature.commitment_id)],
            (Signature.state.in_(SIGNED_STATES),),
        ),
        part(
            LEADS,
            Initiative.lead_organisation_id,
            Initiative.id,
            Initiative.consultation_id,
            Initiative.submitted_at,
            [],
            (not_draft, Initiative.submitted_at.is_not(None)),
        ),
        part(
            CO_INITIATES,
            CoInitiator.organisation_id,
            CoInitiator.initiative_id,
            Initiative.consultation_id,
            CoInitiator.answered_at,
            [(Initiative, Initiative.id == CoInitiator.initiative_id)],
            (CoInitiator.state == InvitationState.accepted, not_draft, Initiative.submitted_at.is_not(None)),
        ),
    ]
    return sa.union_all(*parts).subquery("activity")
