"""MKB Assen's member registry, the imports that maintain it, and the reminders sent to members.

`MkbMember` is one row of the association's CRM export, keyed by KvK number and matched to a
partner `Organisation` by that number (or linked by hand). A member that is no longer in the
file is ended, not deleted: `ended_on` is set, and after the retention period its contact data
is erased (`contact_erased_at`), keeping the KvK number and the dates for the statistics.

`MemberImport` stages an uploaded file: its rows as read, the column mapping staff chose (the
next upload with the same headers starts from it) and the preview's counts. Nothing reaches
the registry before staff confirm; confirming applies the file in one transaction.
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm as so

from partner_portal.core import audit, workflow
from partner_portal.core.models import TimestampMixin, UTCDateTime, VersionedMixin, enum_check, utcnow
from partner_portal.extensions import db

if TYPE_CHECKING:
    from partner_portal.auth.models import User
    from partner_portal.partners.models import Organisation, SectorGroup


class MkbMember(TimestampMixin, VersionedMixin, db.Model):
    """A member business of MKB Assen, as its CRM knows it."""

    __tablename__ = "mkb_member"
    __table_args__ = (
        sa.CheckConstraint("length(kvk_number) = 8", name="kvk_length"),
        sa.CheckConstraint("contact_erased_at IS NULL OR ended_on IS NOT NULL", name="erased_only_when_ended"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kvk_number: so.Mapped[str] = so.mapped_column(sa.String(8), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", index=True)
    member_number: so.Mapped[str] = so.mapped_column(sa.String(30), default="")
    sector_group_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("sector_group.id", ondelete="SET NULL"), index=True
    )
    contact_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    postcode: so.Mapped[str] = so.mapped_column(sa.String(10), default="")
    member_since: so.Mapped[date | None]
    # The partner organisation with the same KvK number, or the one staff linked by hand.
    organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), unique=True
    )
    linked_by_hand: so.Mapped[bool] = so.mapped_column(default=False)
    ended_on: so.Mapped[date | None] = so.mapped_column(index=True)  # no longer in the CRM's file
    contact_erased_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    sector_group: so.Mapped[SectorGroup | None] = so.relationship(lazy="joined")
    organisation: so.Mapped[Organisation | None] = so.relationship(
        backref=so.backref("mkb_member", uselist=False, lazy="select")
    )

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def __repr__(self) -> str:
        return f"<MkbMember {self.kvk_number} {self.name}>"


class ImportStatus(enum.StrEnum):
    uploaded = "uploaded"  # read; the columns are being mapped
    previewed = "previewed"  # checked; waiting for staff to confirm or cancel
    imported = "imported"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return str(IMPORT_STATUS_LABELS[self])


IMPORT_STATUS_LABELS = {
    ImportStatus.uploaded: _l("kolommen kiezen"),
    ImportStatus.previewed: _l("gecontroleerd, niet ingelezen"),
    ImportStatus.imported: _l("ingelezen"),
    ImportStatus.cancelled: _l("geannuleerd"),
}


class MemberImport(db.Model):
    """An uploaded member file, from upload through mapping and preview to imported or cancelled."""

    __tablename__ = "mkb_member_import"
    __table_args__ = (enum_check("status", ImportStatus),)
    page_cache_unshown = True  # staff's own pages only

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    status: so.Mapped[ImportStatus] = so.mapped_column(
        sa.Enum(ImportStatus, native_enum=False, length=20, validate_strings=True), default=ImportStatus.uploaded
    )
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    headers_json: so.Mapped[str] = so.mapped_column(sa.Text, default="[]")
    rows_json: so.Mapped[str] = so.mapped_column(sa.Text, default="[]")  # emptied once imported or cancelled
    mapping_json: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")  # field -> column index
    row_count: so.Mapped[int] = so.mapped_column(default=0)
    summary_json: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")  # the preview's counts, then the result's

    uploaded_by: so.Mapped[User | None] = so.relationship()

    @property
    def headers(self) -> list[str]:
        return json.loads(self.headers_json)

    @property
    def rows(self) -> list[list[str]]:
        return json.loads(self.rows_json)

    @property
    def mapping(self) -> dict[str, int]:
        return json.loads(self.mapping_json)

    @property
    def summary(self) -> dict:
        return json.loads(self.summary_json)


class MemberReminder(db.Model):
    """A reminder mail sent to a member's organisation: when, by whom, with which text."""

    __tablename__ = "mkb_member_reminder"
    __table_args__ = (sa.Index("ix_mkb_member_reminder_member_sent", "member_id", "sent_at"),)
    page_cache_unshown = True  # staff's own pages only

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    member_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("mkb_member.id", ondelete="CASCADE"))
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    recipients: so.Mapped[int] = so.mapped_column(default=0)  # how many mails went out

    # MkbMember.reminders: newest first; they go with the member.
    member: so.Mapped[MkbMember] = so.relationship(
        backref=so.backref("reminders", order_by="MemberReminder.sent_at.desc()", cascade="all, delete-orphan")
    )
    sent_by: so.Mapped[User | None] = so.relationship()


def _names(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(MkbMember.id, MkbMember.name, MkbMember.kvk_number).where(MkbMember.id.in_(ids))
    )
    return {i: name or kvk for i, name, kvk in rows}


audit.register_kind("mkb_member", _l("MKB-lid"), _names)
audit.register_kind("mkb_member_import", _l("Ledenbestand"), lambda ids: {i: f"#{i}" for i in ids})
workflow.label_action("mkb_member.import", _l("Ledenbestand ingelezen"))
workflow.label_action("mkb_member.link", _l("MKB-lid gekoppeld aan een organisatie"))
workflow.label_action("mkb_member.unlink", _l("Koppeling van MKB-lid verwijderd"))
workflow.label_action("mkb_member.invite", _l("MKB-lid uitgenodigd voor het portaal"))
workflow.label_action("mkb_member.remind", _l("Herinnering gestuurd aan MKB-lid"))
workflow.label_action("mkb_member.erase_contact", _l("Contactgegevens van oud-lid gewist"))
