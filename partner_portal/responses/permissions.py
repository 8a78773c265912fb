"""Who may see and change formal responses, answers and the Nota: pure predicates, also used by templates."""

from __future__ import annotations

from flask_babel import gettext as _

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.core.errors import OperationError, PermissionDenied
from partner_portal.responses.models import EDITABLE_STATES, FormalResponse, ResponseState

# Gemeente staff who read submitted responses and the draft Nota; MKB staff read only what is public.
GEMEENTE = (StaffRole.moderator, StaffRole.process_manager, StaffRole.administrator)
# Who takes the moderation steps and writes answers; the process manager follows along read-only.
MODERATORS = (StaffRole.moderator, StaffRole.administrator)
ENDORSERS = (OrgRole.signatory, OrgRole.org_admin)
ENDORSABLE_STATES = (ResponseState.submitted, ResponseState.in_review, ResponseState.accepted)


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


def is_coordinator_of(user, response: FormalResponse) -> bool:
    """Workflow rule: the sector coordinator of the response's group."""
    return is_group_coordinator(user, response.sector_group_id)


def is_moderator_rule(user, response: FormalResponse) -> bool:
    """Workflow rule: a gemeente moderator (or the platform administrator)."""
    return is_moderator(user)


def can_create_response(user, consultation, group_id: int) -> bool:
    return consultation.status == "published" and is_group_member(user, group_id)


def can_view_response(user, response: FormalResponse) -> bool:
    """Accepted public responses for everyone; the group's own people always; the gemeente once submitted."""
    if response.is_public:
        return True
    if is_group_member(user, response.sector_group_id):
        return True
    return response.state != ResponseState.draft and is_gemeente(user)


def can_edit_response(user, response: FormalResponse) -> bool:
    """People of the group's organisations edit a draft, or a response the gemeente asked to change."""
    return (
        response.state in EDITABLE_STATES
        and response.consultation.status == "published"
        and is_group_member(user, response.sector_group_id)
    )


def can_view_revisions(user, response: FormalResponse) -> bool:
    """The coordinator and the group's people, and the gemeente once submitted, compare revisions."""
    return is_group_member(user, response.sector_group_id) or (
        response.state != ResponseState.draft and is_gemeente(user)
    )


def check_endorse(user, response: FormalResponse) -> None:
    """Raise the reason why `user` may not endorse `response` on behalf of their organisation.

    The responses' rule for the endorsements feature (registered in endorsements/kinds.py):
    signatories and organisation admins of an organisation of the group, once the response is
    submitted. Whether the organisation already endorsed it is the endorsements feature's check.
    """
    if response.state not in ENDORSABLE_STATES:
        raise OperationError(_("Alleen een ingediende of geaccepteerde reactie kan worden onderschreven."))
    if getattr(user, "org_role", None) not in ENDORSERS or not is_group_member(user, response.sector_group_id):
        raise PermissionDenied(
            _("Alleen tekenbevoegden van organisaties in deze sectorgroep kunnen de reactie onderschrijven.")
        )


def can_moderate(user) -> bool:
    """Reads the moderation queue: every gemeente role (the process manager read-only)."""
    return is_gemeente(user)


def can_answer(user, response: FormalResponse) -> bool:
    return is_moderator(user) and response.state == ResponseState.accepted and response.answer_published_at is None


def can_see_draft_nota(user) -> bool:
    return is_gemeente(user)


def can_publish_nota(user, consultation, nota) -> bool:
    return is_moderator(user) and nota is None and consultation.status != "draft"
