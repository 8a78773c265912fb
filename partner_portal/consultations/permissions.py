"""Who may see and manage consultations and the audit log: pure predicates, also used by templates."""

from partner_portal.auth.roles import GEMEENTE, PROCESS_MANAGERS


def _staff(user, roles) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.staff_role in roles)


def can_manage_consultations(user) -> bool:
    """Process managers and administrators run the process (stages, vision, publication)."""
    return _staff(user, PROCESS_MANAGERS)


def can_manage_consultation(user, consultation) -> bool:
    return can_manage_consultations(user)


def can_see_drafts(user) -> bool:
    """Gemeente staff who run or moderate the process see draft consultations."""
    return _staff(user, GEMEENTE)


def can_view_consultation(user, consultation) -> bool:
    """Published and closed consultations are public; drafts only for gemeente staff who run them."""
    return consultation.is_public or can_see_drafts(user)


def can_view_audit_log(user) -> bool:
    return _staff(user, GEMEENTE)
