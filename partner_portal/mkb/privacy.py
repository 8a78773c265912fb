"""Erasing what the registry no longer needs: contact data of ended members after the retention period."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from partner_portal.core import audit
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.mkb.models import MkbMember


def erase_expired(actor=None, today: date | None = None) -> int:
    """Erase the contact data of members ended more than MKB_MEMBER_RETENTION_DAYS ago; how many."""
    today = today or date.today()
    cutoff = today - timedelta(days=int(current_app.config["MKB_MEMBER_RETENTION_DAYS"]))
    table = MkbMember.__table__
    result = db.session.execute(
        table.update()
        .where(table.c.ended_on < cutoff, table.c.contact_erased_at.is_(None))
        .values(name="", member_number="", contact_name="", contact_email="", postcode="", contact_erased_at=utcnow())
    )
    count = result.rowcount or 0
    if count:
        audit.record(actor, "mkb_member.erase_contact", object_type="mkb_member", details={"members": count})
    return count
