"""Who may use MKB Assen's registry and dashboard: MKB staff and administrators, nobody else.

The registry holds personal data of contact persons (names, e-mail addresses), so the gemeente's
staff do not see it either; partners get 403 on every `/mkb/...` page."""

from __future__ import annotations

from partner_portal.auth.roles import MKB_READERS, is_active_person


def can_use_registry(user) -> bool:
    """MKB staff and administrators: the member registry, its imports, the dashboard and reminders."""
    return is_active_person(user) and user.staff_role in MKB_READERS


def require_registry(user) -> None:
    """Refuse an operation (PermissionDenied, 403) to anyone but MKB staff and administrators."""
    from flask_babel import gettext as _

    from partner_portal.core.errors import PermissionDenied

    if not can_use_registry(user):
        raise PermissionDenied(_("Alleen medewerkers van MKB Assen en beheerders werken met het ledenregister."))


def abort_unless_registry() -> None:
    """A page's check: 403 for anyone logged in but MKB staff and administrators."""
    from flask import abort
    from flask_login import current_user

    if not can_use_registry(current_user):
        abort(403)
