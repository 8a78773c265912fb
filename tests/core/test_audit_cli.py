"""`flask audit verify`, `anchor` and `rekey`: the keyed chain resists rewrites, the anchor catches truncation."""

import pytest
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


# Keyed chain and anchor -------------------------------------------------------------------------


def _rewrite_all(app, hash_function):
    """What someone with write access to the database can do: change an event, then recompute
    prev_hash and hash of every event with the given function, so every link matches."""
    db.session.execute(sa.text("UPDATE audit_event SET reason = 'vervalst' WHERE id = 2"))
    prev = audit.GENESIS_HASH
    for event in db.session.scalars(sa.select(audit.AuditEvent).order_by(audit.AuditEvent.id)).all():
        new = hash_function(prev, event.payload())
        db.session.execute(
            sa.text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :i"),
            {"p": prev, "h": new, "i": event.id},
        )
        prev = new
    db.session.commit()


def test_a_chain_rewritten_with_the_apps_unkeyed_function_fails_verify(app):
    _three_events()
    _rewrite_all(app, audit.unkeyed_hash)
    result = _verify(app)
    assert result.exit_code != 0 and "broken at event 1" in result.output


def test_a_chain_rewritten_with_another_key_fails_verify(app):
    _three_events()
    _rewrite_all(app, lambda prev, payload: audit.keyed_hash(prev, payload, b"guessed-key"))
    assert _verify(app).exit_code != 0


def _anchor(app, tmp_path):
    path = tmp_path / "anchor.json"
    result = app.test_cli_runner().invoke(args=["audit", "anchor", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_anchor_prints_the_head_and_verify_accepts_a_longer_chain(app, tmp_path):
    import json

    _three_events()
    printed = json.loads(app.test_cli_runner().invoke(args=["audit", "anchor"]).output)
    head = db.session.get(audit.AuditEvent, 3)
    assert printed["count"] == 3 and printed["last_id"] == 3 and printed["head"] == head.hash
    path = _anchor(app, tmp_path)
    audit.record(None, "test.later", object_type="test", object_id=9)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", str(path)])
    assert result.exit_code == 0 and "intact: 4 events (anchor matches)" in result.output


def test_a_truncated_chain_passes_alone_but_fails_against_the_anchor(app, tmp_path):
    _three_events()
    path = _anchor(app, tmp_path)
    db.session.execute(sa.text("DELETE FROM audit_event WHERE id = 3"))
    db.session.commit()
    assert _verify(app).exit_code == 0  # the shorter chain is still consistent
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", str(path)])
    assert result.exit_code != 0 and "event 3 of the anchor is missing" in result.output


def test_a_chain_rewritten_with_the_key_fails_against_the_anchor(app, tmp_path):
    _three_events()
    path = _anchor(app, tmp_path)
    _rewrite_all(app, lambda prev, payload: audit.keyed_hash(prev, payload, audit.hmac_key()))
    assert _verify(app).exit_code == 0
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", str(path)])
    assert result.exit_code != 0 and "rewritten" in result.output


def test_a_garbled_anchor_file_is_refused(app, tmp_path):
    path = tmp_path / "anchor.json"
    path.write_text("[1, 2]")
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--anchor", str(path)])
    assert result.exit_code != 0 and "not an anchor" in result.output


def test_rekey_rotates_the_key(app, monkeypatch):
    _three_events()
    monkeypatch.setenv("AUDIT_HMAC_KEY_OLD", app.config["AUDIT_HMAC_KEY"])
    app.config["AUDIT_HMAC_KEY"] = "a-new-key"
    assert _verify(app).exit_code != 0
    result = app.test_cli_runner().invoke(args=["audit", "rekey"])
    assert result.exit_code == 0 and "rekeyed: 3 events" in result.output
    assert _verify(app).exit_code == 0


@pytest.mark.sqlite_only
def test_the_upgrade_rewrites_an_unkeyed_trail_so_that_verify_passes(tmp_path, backend):
    from flask_migrate import upgrade

    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'upgrade.sqlite'}")
    with app.app_context():
        upgrade(revision="0008_endorsements")  # the one before the keyed chain
        for n in range(3):
            audit.record(None, f"test.old{n}", object_type="test", object_id=n)
        db.session.commit()
        # What the trail looked like before the upgrade: plain SHA-256 links.
        key = audit.hmac_key()
        audit.rehash_chain(db.session.connection(), lambda p, d: audit.keyed_hash(p, d, key), audit.unkeyed_hash)
        db.session.commit()
        assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code != 0
        db.session.remove()
        upgrade()
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 0 and "intact: 3 events" in result.output
        db.session.remove()
        db.engine.dispose()


def test_rehash_refuses_a_broken_old_chain_and_changes_nothing(app):
    _three_events()
    db.session.execute(sa.text("UPDATE audit_event SET reason = 'vervalst' WHERE id = 2"))
    db.session.commit()
    before = db.session.scalars(sa.select(audit.AuditEvent.hash).order_by(audit.AuditEvent.id)).all()
    key = audit.hmac_key()
    with pytest.raises(ValueError, match="broken at event 2"):
        audit.rehash_chain(db.session.connection(), lambda p, d: audit.keyed_hash(p, d, key), audit.unkeyed_hash)
    db.session.rollback()
    assert db.session.scalars(sa.select(audit.AuditEvent.hash).order_by(audit.AuditEvent.id)).all() == before
