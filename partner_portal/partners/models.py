"""The partner registry: sector groups, organisations and their sector memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm as so

from partner_portal.core import audit, workflow
from partner_portal.core.models import TimestampMixin, VersionedMixin
from partner_portal.extensions import db

if TYPE_CHECKING:
    from partner_portal.auth.models import User


sector_coordinators = sa.Table(
    "sector_coordinator",
    db.metadata,
    sa.Column("sector_group_id", sa.ForeignKey("sector_group.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SectorGroup(TimestampMixin, VersionedMixin, db.Model):
    """A sector that responds to a vision as one group (horeca, cultuur, retail, ...)."""

    __tablename__ = "sector_group"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    position: so.Mapped[int] = so.mapped_column(default=0)

    coordinators: so.Mapped[list[User]] = so.relationship(
        secondary=sector_coordinators, back_populates="coordinated_groups", order_by="User.name"
    )
    memberships: so.Mapped[list[OrganisationSector]] = so.relationship(
        back_populates="sector_group", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<SectorGroup {self.slug}>"


class OrganisationSector(db.Model):
    """An organisation's membership of a sector group; exactly one per organisation is primary."""

    __tablename__ = "organisation_sector"
    __table_args__ = (
        sa.Index(
            "uq_organisation_sector_primary",
            "organisation_id",
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        ),
    )

    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    sector_group_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sector_group.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    is_primary: so.Mapped[bool] = so.mapped_column(default=False)

    organisation: so.Mapped[Organisation] = so.relationship(back_populates="sectors")
    sector_group: so.Mapped[SectorGroup] = so.relationship(back_populates="memberships")


class Organisation(TimestampMixin, VersionedMixin, db.Model):
    """A partner business or institution, registered by its KvK number."""

    __tablename__ = "organisation"
    __table_args__ = (sa.CheckConstraint("length(kvk_number) = 8", name="kvk_length"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    kvk_number: so.Mapped[str] = so.mapped_column(sa.String(8), unique=True)
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    is_active: so.Mapped[bool] = so.mapped_column(default=True, index=True)
    # Gezamenlijk bevoegd: the statutes need two signatories, so a signature counts only once a
    # second, different signatory co-signed the same version (see commitments/operations.py).
    joint_authority: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    sectors: so.Mapped[list[OrganisationSector]] = so.relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin"
    )
    users: so.Mapped[list[User]] = so.relationship(back_populates="organisation", order_by="User.name")

    @property
    def is_mkb_member(self) -> bool:
        """A current member of MKB Assen's registry (mkb.models.MkbMember, matched by KvK number)."""
        member = self.mkb_member  # the registry's backref
        return member is not None and member.ended_on is None

    @property
    def primary_sector(self) -> SectorGroup | None:
        return next((m.sector_group for m in self.sectors if m.is_primary), None)

    @property
    def sector_groups(self) -> list[SectorGroup]:
        return [m.sector_group for m in sorted(self.sectors, key=lambda m: not m.is_primary)]

    def __repr__(self) -> str:
        return f"<Organisation {self.kvk_number} {self.name}>"


def _names(model):
    def names(ids: list[int]) -> dict[int, str]:
        return dict(db.session.execute(sa.select(model.id, model.name).where(model.id.in_(ids))).all())

    return names


audit.register_kind("organisation", _l("Organisatie"), _names(Organisation))
audit.register_kind("sector_group", _l("Sectorgroep"), _names(SectorGroup))
workflow.label_states("organisation", {"active": _l("actief"), "archived": _l("gearchiveerd")}.get)
workflow.label_action("organisation.create", _l("Organisatie toegevoegd"))
workflow.label_action("organisation.update", _l("Organisatie gewijzigd"))
workflow.label_action("organisation.archive", _l("Organisatie gearchiveerd"))
workflow.label_action("organisation.restore", _l("Organisatie heropend"))
workflow.label_action("sector_group.update", _l("Sectorgroep gewijzigd"))
