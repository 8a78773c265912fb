"""Who may manage which people: pure predicates, also used by templates."""

from partner_portal.auth.models import User
from partner_portal.auth.roles import ADMINISTRATORS


def can_manage_registry(user) -> bool:
    """Administrators manage sector groups, organisations and every user."""
    return bool(user and user.is_authenticated and user.staff_role in ADMINISTRATORS)


def can_manage_people_of(user, organisation_id: int | None) -> bool:
    """Administrators for everyone; organisation admins for their own organisation."""
    if not (user and user.is_authenticated):
        return False
    if can_manage_registry(user):
        return True
    return bool(organisation_id and user.is_org_admin and user.organisation_id == organisation_id)


def can_manage_user(user, target: User) -> bool:
    """May `user` change `target`'s role or active state? Never their own (no self-lockout)."""
    if target.id == getattr(user, "id", None):
        return False
    if can_manage_registry(user):
        return True
    return target.staff_role is None and can_manage_people_of(user, target.organisation_id)
