"""Erasing former members' contact data after the retention period, and staged member files after a day."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_portal.core.audit import AuditEvent
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.mkb.models import ImportStatus, MemberImport, MkbMember
from partner_portal.mkb.privacy import erase_expired
from tests import factories


def _member(kvk: str, ended_days_ago: int | None, org=None) -> MkbMember:
    today = utcnow().date()
    return factories.mkb_member(
        kvk,
        name=f"Winkel {kvk}",
        member_number=f"MKB-{kvk}",
        contact_name="Carla Contact",
        contact_email=f"carla@{kvk}.example",
        postcode="9401 AB",
        sector=factories.sector_group(),
        ended_on=None if ended_days_ago is None else today - timedelta(days=ended_days_ago),
        organisation=org,
    )


@pytest.fixture
def members(app):
    org = factories.organisation(name="Schoenen Van der Veen")
    result = {
        "expired": _member("00000091", 91, org),
        "recent": _member("00000089", 89),
        "current": _member("00000001", None),
    }
    factories.commit()
    return result


def test_contact_data_is_erased_91_days_after_the_end_and_kept_at_89(app, members):
    expired = members["expired"]
    kept = {
        "kvk": expired.kvk_number,
        "sector": expired.sector_group_id,
        "since": expired.member_since,
        "ended": expired.ended_on,
        "org": expired.organisation_id,
    }
    assert erase_expired() == 1
    db.session.commit()
    db.session.expire_all()
    expired = db.session.get(MkbMember, expired.id)
    assert (expired.name, expired.member_number, expired.contact_name, expired.contact_email, expired.postcode) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert expired.contact_erased_at is not None
    assert kept == {
        "kvk": expired.kvk_number,
        "sector": expired.sector_group_id,
        "since": expired.member_since,
        "ended": expired.ended_on,
        "org": expired.organisation_id,
    }
    for name in ("recent", "current"):
        member = db.session.get(MkbMember, members[name].id)
        assert member.contact_email and member.contact_name and member.contact_erased_at is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mkb_member.erase_contact"))
    assert event.details_dict["members"] == 1
    assert "Carla" not in event.details and "example" not in event.details and "Winkel" not in event.details
    assert erase_expired() == 0  # nothing left to erase: no second event
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "mkb_member.erase_contact")) == 1


def test_today_moves_the_boundary(app, members):
    assert erase_expired(today=utcnow().date() + timedelta(days=2)) == 2  # 89 days ago becomes 91


@pytest.mark.app_config(MKB_MEMBER_RETENTION_DAYS=30)
def test_the_retention_period_is_a_setting(app, members):
    assert erase_expired() == 2


def test_staged_member_files_older_than_a_day_are_cancelled_and_emptied(app, members):
    now = utcnow()
    rows = '[["00000001", "Winkel", "carla@x.example"]]'
    old = MemberImport(
        filename="oud.csv", rows_json=rows, status=ImportStatus.previewed, uploaded_at=now - timedelta(hours=25)
    )
    fresh = MemberImport(
        filename="nieuw.csv", rows_json=rows, status=ImportStatus.uploaded, uploaded_at=now - timedelta(hours=2)
    )
    done = MemberImport(
        filename="klaar.csv", rows_json="[]", status=ImportStatus.imported, uploaded_at=now - timedelta(days=9)
    )
    db.session.add_all([old, fresh, done])
    db.session.commit()
    erase_expired()
    db.session.commit()
    assert (old.status, old.rows_json, old.finished_at is not None) == (ImportStatus.cancelled, "[]", True)
    assert (fresh.status, fresh.rows_json) == (ImportStatus.uploaded, rows)
    assert done.status == ImportStatus.imported


def test_the_purge_command_says_what_it_erased(app, members):
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "contact data erased of 1 former member(s)" in result.output
    db.session.expire_all()
    assert db.session.get(MkbMember, members["expired"].id).contact_erased_at is not None
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert "erased of 0 former member(s)" in result.output
