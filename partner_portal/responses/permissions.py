"""Who may see formal responses, their revisions, the moderation queue and the Nota: pure predicates.

What a user may *do* with a response in its current state (submit, edit, attach, endorse,
answer, the moderation steps) is decided by the workflow table in responses/workflow.py.
"""

from __future__ import annotations

from partner_portal.auth.roles import GEMEENTE, MODERATORS
from partner_portal.responses.models import FormalResponse, ResponseState


def _active(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def _staff(user, roles) -> bool:
    return _active(user) and user.staff_role in roles


def is_gemeente(user) -> bool:
    return _staff(user, GEMEENTE)


def is_moderator(user) -> bool:
    return _staff(user, MODERATORS)


def is_group_member(user, group_id: int) -> bool:
    """A person of an active organisation that belongs to the sector group (primary or not)."""
    if not _active(user) or user.organisation is None or not user.organisation.is_active:
        return False
    return any(m.sector_group_id == group_id for m in user.organisation.sectors)


def is_group_coordinator(user, group_id: int) -> bool:
    return is_group_member(user, group_id) and any(g.id == group_id for g in user.coordinated_groups)


def can_create_response(user, consultation, group_id: int) -> bool:
    return consultation.status == "published" and is_group_member(user, group_id)


def can_view_response(user, response: FormalResponse) -> bool:
    """Accepted public responses for everyone; the group's own people always; the gemeente once submitted."""
    if response.is_public:
        return True
    if is_group_member(user, response.sector_group_id):
        return True
    return response.state != ResponseState.draft and is_gemeente(user)


def can_view_revisions(user, response: FormalResponse) -> bool:
    """The coordinator and the group's people, and the gemeente once submitted, compare revisions."""
    return is_group_member(user, response.sector_group_id) or (
        response.state != ResponseState.draft and is_gemeente(user)
    )


def can_moderate(user) -> bool:
    """Reads the moderation queue: every gemeente role (the process manager read-only)."""
    return is_gemeente(user)


def can_see_draft_nota(user) -> bool:
    return is_gemeente(user)


def can_publish_nota(user, consultation, nota) -> bool:
    return is_moderator(user) and nota is None and consultation.status != "draft"
