"""Who may see commitments and who speaks for which organisation: pure predicates.

What a user may *do* with a commitment in its current state (edit, open, sign, revoke, give
notice) is decided by the workflow table in commitments/workflow.py.
"""

from __future__ import annotations

from partner_portal.auth.roles import ENDORSERS, GEMEENTE, PROCESS_MANAGERS
from partner_portal.commitments.models import Commitment, CommitmentState


def _active(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def is_gemeente(user) -> bool:
    return _active(user) and user.staff_role in GEMEENTE


def is_process_manager(user) -> bool:
    return _active(user) and user.staff_role in PROCESS_MANAGERS


def partner_organisation_id(user) -> int | None:
    """The active organisation a person speaks from, or None (staff, archived organisation, logged out)."""
    if not _active(user) or user.organisation is None or not user.organisation.is_active:
        return None
    return user.organisation_id


def speaks_for_organisation(user) -> bool:
    """A signatory or organisation admin of an active organisation: may sign for it."""
    return partner_organisation_id(user) is not None and user.org_role in ENDORSERS


def is_invited(user, commitment: Commitment) -> bool:
    """The person's organisation is among the commitment's invited parties."""
    return partner_organisation_id(user) is not None and commitment.invites(user.organisation)


def may_sign_for(user, commitment: Commitment) -> bool:
    """A signatory or organisation admin of an invited organisation."""
    return speaks_for_organisation(user) and is_invited(user, commitment)


def can_view_commitment(user, commitment: Commitment) -> bool:
    """Everything but drafts is public (in a public consultation); drafts only for the gemeente."""
    if commitment.is_public:
        return True
    if commitment.state == CommitmentState.draft:
        return is_gemeente(user)
    return is_gemeente(user) or partner_organisation_id(user) is not None
