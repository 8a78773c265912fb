"""Whether staff must log in through their identity provider: read by auth's password login and reset links."""

import sqlalchemy as sa

from partner_portal.extensions import db
from partner_portal.sso.models import IdentityProvider, ProviderKind


def sso_required_for_staff() -> bool:
    """True when an enabled staff provider requires SSO: staff then cannot use a password."""
    query = sa.select(IdentityProvider.id).where(
        IdentityProvider.is_enabled,
        IdentityProvider.kind == ProviderKind.staff,
        IdentityProvider.required_for_staff,
    )
    return db.session.scalar(query.limit(1)) is not None


def password_refused(user) -> bool:
    """May this person not log in (or reset) with a password? Staff, when SSO is required for staff."""
    return bool(user is not None and user.staff_role is not None and sso_required_for_staff())


def enabled_providers() -> list[IdentityProvider]:
    """The providers shown on the login page, by name."""
    query = sa.select(IdentityProvider).where(IdentityProvider.is_enabled).order_by(IdentityProvider.name)
    return list(db.session.scalars(query))
