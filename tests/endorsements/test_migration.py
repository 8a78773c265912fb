"""The endorsements migration keeps every row: down to the old response_endorsement table and up again."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from partner_portal.auth.models import OrgRole
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.responses.models import ResponseState
from tests import factories
from tests.conftest import make_app
from tests.consultations import factories as cf
from tests.responses import factories as rf
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

BEFORE = "0007_enum_checks"
WHEN = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def _rows(sql: str) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.text(sql)).all()]


def _as_utc(value):
    """SQLite hands timestamps back as text or naive datetimes; compare them as aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_rows_survive_downgrade_and_upgrade(empty_database_url):  # noqa: F811
    app = make_app(empty_database_url)
    with app.app_context():
        try:
            upgrade()
            consultation = cf.consultation()
            group = factories.sector_group("horeca", "Horeca")
            orgs = [factories.organisation(group, name=f"Organisatie {n}") for n in range(3)]
            signer = factories.user(orgs[0], OrgRole.signatory)
            response = rf.response(consultation, group, ResponseState.accepted)
            db.session.flush()
            active = [
                Endorsement(formal_response=response, organisation=orgs[0], endorsed_by=signer, endorsed_at=WHEN),
                Endorsement(formal_response=response, organisation=orgs[1], endorsed_at=WHEN),
            ]
            withdrawn = Endorsement(
                formal_response=response, organisation=orgs[2], endorsed_at=WHEN, withdrawn_at=WHEN, withdrawn_by=signer
            )
            db.session.add_all([*active, withdrawn])
            db.session.commit()
            expected = sorted((e.id, response.id, e.organisation_id, e.endorsed_by_id) for e in active)
            response_id, third_org_id = response.id, orgs[2].id
            db.session.remove()

            downgrade(revision=BEFORE)
            old = _rows(
                "SELECT id, response_id, organisation_id, endorsed_by_id, endorsed_at FROM response_endorsement"
            )
            assert sorted(row[:4] for row in old) == expected  # the active ones, with their ids and people
            assert all(_as_utc(row[4]) == WHEN for row in old)
            db.session.remove()

            upgrade()
            new = _rows(
                "SELECT id, formal_response_id, organisation_id, endorsed_by_id, endorsed_at, withdrawn_at"
                " FROM endorsement"
            )
            assert sorted(row[:4] for row in new) == expected
            assert all(_as_utc(row[4]) == WHEN and row[5] is None for row in new)
            # New rows get ids after the moved ones (the sequence follows on PostgreSQL).
            fresh = Endorsement(formal_response_id=response_id, organisation_id=third_org_id)
            db.session.add(fresh)
            db.session.commit()
            assert fresh.id > max(row[0] for row in new)
        finally:  # a failure must not leave a connection open for later tests to trip over
            db.session.remove()
            db.engine.dispose()
