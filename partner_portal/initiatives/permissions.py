"""Who may see initiatives and their parts, and who speaks for which organisation: pure predicates.

What a user may *do* with an initiative in its current state (edit, invite, submit, the
gemeente's steps, progress) is decided by the workflow table in initiatives/workflow.py.
"""

from __future__ import annotations

from partner_portal.auth.roles import (  # noqa: F401 (speaks_for_organisation: for the callers)
    ENDORSERS,
    GEMEENTE,
    MODERATORS,
    PROCESS_MANAGERS,
    is_active_person,
    partner_organisation_id,
    speaks_for_organisation,
)
from partner_portal.initiatives.models import Initiative, InitiativeState, InvitationState

_active = is_active_person


def _staff(user, roles) -> bool:
    return _active(user) and user.staff_role in roles


def is_gemeente(user) -> bool:
    return _staff(user, GEMEENTE)


def is_moderator(user) -> bool:
    return _staff(user, MODERATORS)


def is_process_manager(user) -> bool:
    return _staff(user, PROCESS_MANAGERS)


def is_initiator(user, initiative: Initiative) -> bool:
    """A person of the lead organisation or of a co-initiator that accepted."""
    org = partner_organisation_id(user)
    return org is not None and org in initiative.initiator_ids


def is_lead(user, initiative: Initiative) -> bool:
    org = partner_organisation_id(user)
    return org is not None and org == initiative.lead_organisation_id


def is_lead_speaker(user, initiative: Initiative) -> bool:
    return is_lead(user, initiative) and user.org_role in ENDORSERS


def is_invited(user, initiative: Initiative) -> bool:
    """A person of an organisation with an open invitation to co-initiate."""
    org = partner_organisation_id(user)
    return org is not None and any(
        c.organisation_id == org and c.state == InvitationState.invited for c in initiative.co_initiators
    )


def can_view_initiative(user, initiative: Initiative) -> bool:
    """Public ones for everyone; the initiators and invited organisations always; the gemeente once submitted."""
    if initiative.is_public:
        return True
    if is_initiator(user, initiative) or is_invited(user, initiative):
        return True
    return initiative.state != InitiativeState.draft and is_gemeente(user)


def can_view_revisions(user, initiative: Initiative) -> bool:
    return is_initiator(user, initiative) or (initiative.state != InitiativeState.draft and is_gemeente(user))


def can_start_initiative(user, consultation) -> bool:
    """People of an active partner organisation may start a draft in a running consultation."""
    return consultation.status == "published" and partner_organisation_id(user) is not None
