"""Signatures racing each other on PostgreSQL with two real connections.

Every signing operation locks the commitment's row before it re-reads the state and the current
version (operations.lock_commitment), so the last two signatures of a threshold run one after the
other: exactly one binding event. A double submit of the same organisation waits for the first
and is refused as already signed, and a text change waits for a signature in progress (or the
signature waits for it and then names the new version).
"""

import threading

import pytest
import sqlalchemy as sa

from partner_portal.commitments import operations as ops
from partner_portal.commitments.models import Commitment, CommitmentState, Signature
from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from tests.commitments import factories as cof
from tests.commitments.conftest import fields
from tests.factories import PASSWORD
from tests.responses.test_nota_races import Other, wait_until_blocked

pytestmark = pytest.mark.postgres_only

S = CommitmentState


def _setup(world, threshold: int | None = 3):
    c = cof.commitment(world.consultation, S.open, threshold_organisations=threshold)
    db.session.commit()
    return c.id, c.current_hash


def _signing(app, user_id: int, commitment_id: int, version_hash: str, barrier=None) -> Other:
    def step():
        from partner_portal.auth.models import User

        actor = db.session.get(User, user_id)
        commitment = db.session.get(Commitment, commitment_id)
        if barrier is not None:
            barrier.wait(timeout=20)
        return ops.sign(
            actor, commitment, password=PASSWORD, version_hash=version_hash, signer_name=actor.name, function="Dir"
        )

    return Other(app, step)


def _bind_events(commitment_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "commitment.bind", AuditEvent.object_id == commitment_id)
    )


def _sign_here(actor, commitment_id, version_hash):
    commitment = db.session.get(Commitment, commitment_id)
    return ops.sign(actor, commitment, password=PASSWORD, version_hash=version_hash, signer_name="X", function="Dir")


def test_two_organisations_completing_the_threshold_at_once_give_one_binding_event(app, world):
    commitment_id, version_hash = _setup(world, threshold=2)
    barrier = threading.Barrier(2)
    others = [
        _signing(app, user.id, commitment_id, version_hash, barrier).start()
        for user in (world.signatory, world.museum_signatory)
    ]
    results = [o.outcome() for o in others]
    assert not any(isinstance(r, tuple) for r in results), results
    assert all(isinstance(r, Signature) for r in results), results
    assert _bind_events(commitment_id) == 1
    c = db.session.get(Commitment, commitment_id)
    assert c.state == S.binding and ops.totals(c).organisations == 2


def test_the_signature_after_the_binding_one_waits_and_is_refused(app, world):
    commitment_id, version_hash = _setup(world, threshold=2)
    _sign_here(world.museum_signatory, commitment_id, version_hash)
    db.session.commit()
    _sign_here(world.signatory, commitment_id, version_hash)  # binds; the lock is held until commit

    other = _signing(app, world.joint_first.id, commitment_id, version_hash).start()
    wait_until_blocked()
    db.session.commit()

    result = other.outcome()
    assert isinstance(result, ops.NotOpen), result
    assert _bind_events(commitment_id) == 1


def test_a_double_submit_waits_for_the_first_and_is_refused_as_already_signed(app, world):
    commitment_id, version_hash = _setup(world, threshold=None)
    _sign_here(world.signatory, commitment_id, version_hash)

    other = _signing(app, world.brink_admin.id, commitment_id, version_hash).start()
    wait_until_blocked()
    db.session.commit()

    result = other.outcome()
    assert isinstance(result, ops.AlreadySigned), result
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1


def test_a_signature_waiting_for_a_text_change_is_told_the_text_changed(app, world):
    commitment_id, version_hash = _setup(world, threshold=None)
    c = db.session.get(Commitment, commitment_id)
    ops.save_commitment(world.pm, c, fields(world, text="Versie twee."), version=c.version)  # holds the lock

    other = _signing(app, world.signatory.id, commitment_id, version_hash).start()
    wait_until_blocked()
    db.session.commit()

    result = other.outcome()
    assert isinstance(result, ops.TextChanged) and result.current == 2, result
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0
