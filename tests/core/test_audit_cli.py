"""`flask audit verify`: passes on an intact chain, names the first broken event after raw-SQL tampering."""

import sqlalchemy as sa

from partner_portal.auth.models import StaffRole
from partner_portal.core import audit
from partner_portal.extensions import db
from tests import factories


def _three_events():
    actor = factories.user(role=StaffRole.administrator)
    for n in range(3):
        audit.record(actor, f"test.event{n}", object_type="test", object_id=n, reason=f"reden {n}")
    db.session.commit()


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_verify_passes_on_an_intact_chain(app):
    _three_events()
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "audit trail intact: 3 events" in result.output


def test_verify_passes_on_an_empty_trail(app):
    result = _verify(app)
    assert result.exit_code == 0 and "intact: 0 events" in result.output


def test_verify_fails_after_an_update_in_raw_sql(app):
    _three_events()
    db.session.execute(sa.text("UPDATE audit_event SET reason = 'vervalst' WHERE id = 2"))
    db.session.commit()
    result = _verify(app)
    assert result.exit_code != 0
    assert "broken at event 2" in result.output


def test_verify_fails_after_a_delete_in_raw_sql(app):
    _three_events()
    db.session.execute(sa.text("DELETE FROM audit_event WHERE id = 2"))
    db.session.commit()
    result = _verify(app)
    assert result.exit_code != 0
    assert "broken at event 3" in result.output


def test_verify_fails_when_a_hash_is_recomputed_without_the_chain(app):
    """Changing a row and its own hash still breaks the link to the next event."""
    _three_events()
    event = db.session.get(audit.AuditEvent, 2)
    event.reason = "vervalst"
    new_hash = event.compute_hash()
    db.session.rollback()
    db.session.execute(sa.text("UPDATE audit_event SET reason = 'vervalst', hash = :h WHERE id = 2"), {"h": new_hash})
    db.session.commit()
    result = _verify(app)
    assert result.exit_code != 0 and "broken at event 3" in result.output


def test_consultation_id_is_covered_by_the_hash(app):
    from tests.consultations import factories as cf

    c = cf.consultation()
    actor = factories.user(role=StaffRole.administrator)
    audit.record(actor, "test.event", c, consultation_id=c.id)
    db.session.commit()
    other = cf.consultation()
    db.session.commit()
    db.session.execute(sa.text("UPDATE audit_event SET consultation_id = :o"), {"o": other.id})
    db.session.commit()
    assert _verify(app).exit_code != 0
