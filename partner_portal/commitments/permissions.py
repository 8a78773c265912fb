"""Who may see commitments and who speaks for which organisation: pure predicates.

What a user may *do* with a commitment in its current state (edit, open, sign, revoke, give
notice) is decided by the workflow table in commitments/workflow.py.
"""

from __future__ import annotations

import sqlalchemy as sa

from partner_portal.auth.roles import (
    GEMEENTE,
    PROCESS_MANAGERS,
    is_active_person,
    partner_organisation_id,
    speaks_for_organisation,
)
from partner_portal.commitments.models import PRIVATE_STATES, Commitment, CommitmentState

_active = is_active_person


def is_gemeente(user) -> bool:
    return _active(user) and user.staff_role in GEMEENTE


def is_process_manager(user) -> bool:
    return _active(user) and user.staff_role in PROCESS_MANAGERS


def coordinated_group_ids(user) -> list[int]:
    """The sector groups this person coordinates (and so may propose a commitment for)."""
    if partner_organisation_id(user) is None:
        return []
    return sorted(g.id for g in user.coordinated_groups)


def may_propose(user, consultation) -> bool:
    """A sector coordinator proposes a commitment to the gemeente while the consultation runs."""
    return consultation.status == "published" and bool(coordinated_group_ids(user))


def is_proposer(user, commitment: Commitment) -> bool:
    """A coordinator of the sector group that proposed the commitment."""
    return commitment.proposed_by_group_id is not None and commitment.proposed_by_group_id in coordinated_group_ids(
        user
    )


def is_invited(user, commitment: Commitment) -> bool:
    """The person's organisation is among the commitment's invited parties."""
    return partner_organisation_id(user) is not None and commitment.invites(user.organisation)


def may_sign_for(user, commitment: Commitment) -> bool:
    """A signatory or organisation admin of an invited organisation."""
    return speaks_for_organisation(user) and is_invited(user, commitment)


def can_view_commitment(user, commitment: Commitment) -> bool:
    """Everything but drafts and proposals is public (in a public consultation); drafts only for the
    gemeente, a proposal (also once declined) for the gemeente and the proposing group's coordinators."""
    if commitment.is_public:
        return True
    if commitment.state in (CommitmentState.proposed, CommitmentState.declined):
        return is_gemeente(user) or is_proposer(user, commitment)
    if commitment.state == CommitmentState.draft:
        return is_gemeente(user)
    return is_gemeente(user) or partner_organisation_id(user) is not None


def visible_condition(user, consultation):
    """can_view_commitment as a condition on a consultation's commitments (for the list)."""
    if is_gemeente(user):
        return sa.true()
    own = sa.and_(
        Commitment.state.in_((CommitmentState.proposed, CommitmentState.declined)),
        Commitment.proposed_by_group_id.in_(coordinated_group_ids(user)),
    )
    if not consultation.is_public and partner_organisation_id(user) is None:
        return sa.false()
    return sa.or_(Commitment.state.not_in(PRIVATE_STATES), own)
