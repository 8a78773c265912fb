"""Who may use MKB Assen's registry and dashboard: MKB staff and administrators, nobody else.

The registry holds personal data of contact persons (names, e-mail addresses), so the gemeente's
staff do not see it either; partners get 403 on every `/mkb/...` page."""

from __future__ import annotations

from partner_portal.auth.roles import MKB_READERS, is_active_person


def can_use_registry(user) -> bool:
    """MKB staff and administrators: the member registry, its imports, the dashboard and reminders."""
    return is_active_person(user) and user.staff_role in MKB_READERS
