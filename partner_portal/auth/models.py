"""People who log in: their organisation role or staff role, password hash and session version."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm as so

from partner_portal.core import audit, pagecache, workflow
from partner_portal.core.models import TimestampMixin, UTCDateTime, enum_check
from partner_portal.extensions import db

if TYPE_CHECKING:
    from partner_portal.partners.models import Organisation, SectorGroup


class OrgRole(enum.StrEnum):
    """A person's role within their partner organisation."""

    member = "member"
    signatory = "signatory"
    org_admin = "org_admin"

    @property
    def label(self) -> str:
        return str(ORG_ROLE_LABELS[self])


class StaffRole(enum.StrEnum):
    """A role of gemeente or MKB staff, or of the platform administrator."""

    moderator = "moderator"
    process_manager = "process_manager"
    mkb_staff = "mkb_staff"
    administrator = "administrator"

    @property
    def label(self) -> str:
        return str(STAFF_ROLE_LABELS[self])


ORG_ROLE_LABELS = {
    OrgRole.member: _l("Lid"),
    OrgRole.signatory: _l("Tekenbevoegd"),
    OrgRole.org_admin: _l("Beheerder organisatie"),
}
STAFF_ROLE_LABELS = {
    StaffRole.moderator: _l("Moderator gemeente"),
    StaffRole.process_manager: _l("Procesmanager"),
    StaffRole.mkb_staff: _l("Medewerker MKB"),
    StaffRole.administrator: _l("Beheerder platform"),
}


class User(TimestampMixin, db.Model):
    """A person: either in one partner organisation (with an org role) or staff (with a staff role)."""

    __tablename__ = "user"
    __table_args__ = (
        sa.CheckConstraint("(organisation_id IS NULL) = (org_role IS NULL)", name="org_role_with_organisation"),
        sa.CheckConstraint("(organisation_id IS NULL) != (staff_role IS NULL)", name="organisation_xor_staff"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        enum_check("org_role", OrgRole),
        enum_check("staff_role", StaffRole),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    function_title: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    org_role: so.Mapped[OrgRole | None] = so.mapped_column(
        sa.Enum(OrgRole, native_enum=False, length=20, validate_strings=True)
    )
    staff_role: so.Mapped[StaffRole | None] = so.mapped_column(
        sa.Enum(StaffRole, native_enum=False, length=20, validate_strings=True)
    )
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), default="nl")
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    is_active: so.Mapped[bool] = so.mapped_column(default=True, index=True)
    # Bumped on logout, password change and deactivation: every cookie carrying the old value dies.
    session_version: so.Mapped[int] = so.mapped_column(default=1)
    invited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    activated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    deactivated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organisation: so.Mapped[Organisation | None] = so.relationship(back_populates="users")
    coordinated_groups: so.Mapped[list[SectorGroup]] = so.relationship(
        secondary="sector_coordinator", back_populates="coordinators"
    )

    # Columns no cached page shows: a login, a logout or a new password keeps every page stored.
    _UNSHOWN = frozenset({"last_login_at", "session_version", "password_hash", "locale", "updated_at"})

    def page_cache_scopes(self, changed: set[str] | None) -> set[str]:
        return set() if changed and changed <= self._UNSHOWN else {pagecache.SITE}

    # Flask-Login protocol ---------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The session version is part of the id, so bumping it invalidates every session
        # cookie and remember-me cookie issued before (the session itself is client-side).
        return f"{self.id}:{self.session_version}"

    # Roles --------------------------------------------------------------------------------
    @property
    def is_staff(self) -> bool:
        return self.staff_role is not None

    def has_staff_role(self, *roles: StaffRole) -> bool:
        return self.staff_role in roles

    @property
    def is_admin(self) -> bool:
        return self.staff_role == StaffRole.administrator

    @property
    def is_org_admin(self) -> bool:
        return self.org_role == OrgRole.org_admin

    @property
    def role_label(self) -> str:
        if self.staff_role:
            return self.staff_role.label
        return self.org_role.label if self.org_role else ""

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


def _user_names(ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def _user_state(value: str):
    """Accounts record their status and their role (see auth/operations.py)."""
    if value in USER_STATES:
        return USER_STATES[value]
    for role_enum, labels in ((OrgRole, ORG_ROLE_LABELS), (StaffRole, STAFF_ROLE_LABELS)):
        if value in role_enum.__members__:
            return labels[role_enum(value)]
    return None


USER_STATES = {"invited": _l("uitgenodigd"), "active": _l("actief"), "inactive": _l("gedeactiveerd")}
audit.register_kind("user", _l("Gebruiker"), _user_names)
workflow.label_states("user", _user_state)
workflow.label_action("user.invite", _l("Uitgenodigd"))
workflow.label_action("user.activate", _l("Account geactiveerd"))
workflow.label_action("user.reset_password", _l("Nieuw wachtwoord gekozen via een herstellink"))
workflow.label_action("user.change_password", _l("Wachtwoord gewijzigd"))
workflow.label_action("user.change_role", _l("Rol gewijzigd"))
workflow.label_action("user.deactivate", _l("Account gedeactiveerd"))
workflow.label_action("user.reactivate", _l("Account weer actief"))
workflow.label_action("user.resend_invitation", _l("Uitnodiging opnieuw verstuurd"))
