"""The one endorsement row type: an organisation's support for an item of any registered kind.

The pattern of Indico's `LinkMixin`: a real foreign key per kind (`formal_response_id`, ...),
a generated CHECK that exactly one of them is set, and per kind a unique index on
(item, organisation) that only counts active rows, so an organisation endorses an item once
at a time and can endorse it again after withdrawing. A withdrawal keeps the row (with who,
when and why) so that what was once public stays traceable.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from partner_portal.core import pagecache
from partner_portal.core.models import UTCDateTime, utcnow
from partner_portal.endorsements.kinds import KINDS, Kind, kind_of
from partner_portal.extensions import db

if TYPE_CHECKING:
    from partner_portal.auth.models import User
    from partner_portal.partners.models import Organisation

ACTIVE = "withdrawn_at IS NULL"


def _exactly_one_item() -> sa.CheckConstraint:
    count = " + ".join(f"(CASE WHEN {kind.column} IS NULL THEN 0 ELSE 1 END)" for kind in KINDS)
    return sa.CheckConstraint(f"{count} = 1", name="exactly_one_item")


def _one_active_per_organisation(kind: Kind) -> sa.Index:
    return sa.Index(
        f"uq_endorsement_{kind.name}_organisation",
        kind.column,
        "organisation_id",
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def _item_links() -> type:
    """A mixin with each kind's foreign key column and its relationship."""
    attrs: dict[str, Any] = {}
    for kind in KINDS:
        attrs[kind.column] = so.mapped_column(
            sa.Integer, sa.ForeignKey(f"{kind.table}.id", ondelete="CASCADE"), nullable=True, index=True
        )
        attrs[kind.name] = so.declared_attr(
            lambda cls, kind=kind: so.relationship(kind.model, foreign_keys=[getattr(cls, kind.column)])
        )
    return type("ItemLinks", (), attrs)


class Endorsement(_item_links(), db.Model):
    """An organisation endorses one item; active until withdrawn (the row stays, with who withdrew it and why)."""

    __tablename__ = "endorsement"
    __table_args__ = (
        _exactly_one_item(),
        sa.CheckConstraint("withdrawn_by_id IS NULL OR withdrawn_at IS NOT NULL", name="withdrawn_by_when_withdrawn"),
        *(_one_active_per_organisation(kind) for kind in KINDS),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    endorsed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    endorsed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    withdrawn_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    withdrawal_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    organisation: so.Mapped[Organisation] = so.relationship(lazy="joined")  # shown by name wherever listed
    endorsed_by: so.Mapped[User | None] = so.relationship(foreign_keys=[endorsed_by_id])
    withdrawn_by: so.Mapped[User | None] = so.relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def kind(self) -> Kind:
        for kind in KINDS:
            if getattr(self, kind.column) is not None:
                return kind
        raise ValueError("endorsement without an item")

    @property
    def item(self):
        return getattr(self, self.kind.name)

    def page_cache_scopes(self, changed: set[str] | None) -> set[str]:
        """Shown with the item it endorses: touches what a write to the item would."""
        # By its key: a new row's relationship is not loaded while it is being flushed.
        item = db.session.get(self.kind.model, getattr(self, self.kind.column))
        scopes_of = getattr(item, "page_cache_scopes", None)
        return scopes_of(set()) if scopes_of is not None else {pagecache.SITE}

    @item.setter
    def item(self, item) -> None:
        for kind in KINDS:
            setattr(self, kind.name, None)
        setattr(self, kind_of(item).name, item)

    @classmethod
    def of(cls, item):
        """SQL condition: endorsements of `item` (active and withdrawn)."""
        return getattr(cls, kind_of(item).column) == item.id
