"""Erasing what the registry no longer needs: contact data of ended members, staged member files.

A member that left MKB Assen's file keeps its KvK number, sector, dates and organisation link
(for the statistics); after MKB_MEMBER_RETENTION_DAYS its name, member number, contact person,
e-mail address and postcode are erased. A staged import (uploaded or previewed, never confirmed)
holds the whole file's contact data: after a day it is cancelled and its rows emptied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from partner_portal.core import audit
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.mkb.models import ImportStatus, MemberImport, MkbMember

STAGED_MAX_AGE = timedelta(hours=24)
STAGED = (ImportStatus.uploaded, ImportStatus.previewed)


@dataclass
class Purged:
    """What one purge erased: members' contact data and staged imports."""

    members: int = 0
    imports: int = 0

    def __str__(self) -> str:
        return (
            f"contact data erased of {self.members} former member(s); "
            f"{self.imports} staged member file(s) cancelled and emptied"
        )


def erase_expired(actor=None, today: date | None = None) -> int:
    """Erase the contact data of members that ended more than MKB_MEMBER_RETENTION_DAYS before
    `today` (default: today, UTC); returns how many members were erased.

    Kept: KvK number, sector group, member since, ended on, the organisation link. Set:
    contact_erased_at. Also cancels staged imports older than a day (see `purge`). Side effect:
    one audit event "mkb_member.erase_contact" with the count when anything was erased (no
    personal data in it). Flushes, never commits. `actor` is None for the command and the import.
    """
    return purge(actor, today).members


def purge(actor=None, today: date | None = None) -> Purged:
    """erase_expired's work, returning both counts (members erased, staged imports cancelled)."""
    now = utcnow()
    today = today or now.date()
    cutoff = today - timedelta(days=current_app.config["MKB_MEMBER_RETENTION_DAYS"])
    members = list(
        db.session.scalars(
            sa.select(MkbMember).where(
                MkbMember.ended_on.is_not(None), MkbMember.ended_on < cutoff, MkbMember.contact_erased_at.is_(None)
            )
        )
    )
    for member in members:
        member.name = ""
        member.member_number = ""
        member.contact_name = ""
        member.contact_email = ""
        member.postcode = ""
        member.contact_erased_at = now
    staged = list(
        db.session.scalars(
            sa.select(MemberImport).where(
                MemberImport.status.in_(STAGED), MemberImport.uploaded_at < now - STAGED_MAX_AGE
            )
        )
    )
    for staged_import in staged:
        staged_import.status = ImportStatus.cancelled
        staged_import.finished_at = now
        staged_import.rows_json = "[]"
    db.session.flush()
    if members or staged:
        audit.record(
            actor,
            "mkb_member.erase_contact",
            object_type="mkb_member",
            details={
                "members": len(members),
                "imports_cancelled": len(staged),
                "ended_before": cutoff.isoformat(),
            },
        )
    return Purged(len(members), len(staged))
