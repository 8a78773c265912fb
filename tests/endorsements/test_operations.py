"""Operations on endorsements: endorse any kind once per organisation, withdraw (kept, audited), endorse again."""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.endorsements import operations
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.notifications.models import OutboxMessage
from partner_portal.responses.models import FormalResponse, ResponseState
from tests.responses import factories as rf

S = ResponseState


def _events(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def _count(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement).where(*where))


def test_endorse_once_per_organisation(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    operations.endorse(world.signatory, r)
    db.session.commit()
    with pytest.raises(Conflict, match="al onderschreven"):
        operations.endorse(world.signatory, r)
    with pytest.raises(PermissionDenied):
        operations.endorse(world.member, r)
    with pytest.raises(PermissionDenied):
        operations.endorse(world.other_signatory, r)
    operations.endorse(world.coordinator, r)  # org admin of the other organisation
    db.session.commit()
    assert sorted(e.organisation.name for e in r.endorsements) == ["Eetcafé Het Koopmanshuis", "Grand Café De Brink"]


@pytest.mark.parametrize("state", [S.draft, S.changes_requested, S.rejected, S.withdrawn])
def test_only_submitted_in_review_or_accepted_responses_are_endorsed(world, state):
    r = rf.response(world.consultation, world.group, state)
    with pytest.raises(OperationError, match="ingediende of geaccepteerde"):
        operations.endorse(world.signatory, r)
    assert _count() == 0


def test_endorse_records_the_row_and_a_public_audit_event(world):
    r = rf.response(world.consultation, world.group, S.accepted)
    db.session.commit()
    outbox_before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    e = operations.endorse(world.signatory, r)
    db.session.commit()
    assert e.formal_response_id == r.id and e.item is r and e.kind.name == "formal_response"
    assert e.organisation_id == world.org2.id and e.endorsed_by_id == world.signatory.id
    assert e.is_active and e.withdrawn_at is None
    (event,) = _events("formal_response.endorse")
    assert (event.object_type, event.object_id, event.actor_id) == ("formal_response", r.id, world.signatory.id)
    assert event.is_public and event.consultation_id == r.consultation_id
    assert event.details_dict == {"organisation": "Eetcafé Het Koopmanshuis", "endorsement": e.id}
    # Endorsing sends no mail.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == outbox_before


def test_withdraw_keeps_the_row_audits_and_allows_endorsing_again(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    first = operations.endorse(world.signatory, r)
    db.session.commit()
    operations.withdraw_endorsement(world.signatory, first, reason="  Ons standpunt is veranderd.  ")
    db.session.commit()
    assert first.withdrawn_at is not None and first.withdrawn_by_id == world.signatory.id
    assert first.withdrawal_reason == "Ons standpunt is veranderd." and not first.is_active
    assert r.endorsements == []  # the page lists active endorsements only
    (event,) = _events("formal_response.withdraw_endorsement")
    assert (event.object_type, event.object_id) == ("formal_response", r.id)
    assert event.reason == "Ons standpunt is veranderd."
    assert event.organisation_id == world.org2.id and event.details_dict["endorsement"] == first.id
    again = operations.endorse(world.signatory, r)
    db.session.commit()
    assert again.id != first.id and [e.id for e in r.endorsements] == [again.id]
    assert _count() == 2 and _count(Endorsement.withdrawn_at.is_(None)) == 1


def test_only_the_endorsing_organisation_withdraws(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    e = operations.endorse(world.coordinator, r)  # org admin of Grand Café De Brink
    db.session.commit()
    for outsider in (world.member, world.signatory, world.moderator, world.admin, world.other_signatory):
        with pytest.raises(PermissionDenied, match="onderschrijvende organisatie"):
            operations.withdraw_endorsement(outsider, e)
    assert e.is_active and _events("formal_response.withdraw_endorsement") == []
    operations.withdraw_endorsement(world.coordinator, e)
    db.session.commit()
    with pytest.raises(Conflict, match="al ingetrokken"):
        operations.withdraw_endorsement(world.coordinator, e)
    assert len(_events("formal_response.withdraw_endorsement")) == 1


def test_a_withdrawal_reason_has_a_limit(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    e = operations.endorse(world.signatory, r)
    with pytest.raises(OperationError, match="hoogstens"):
        operations.withdraw_endorsement(world.signatory, e, reason="x" * (operations.REASON_MAX + 1))
    assert e.is_active


def test_withdrawing_a_copy_that_is_already_withdrawn_elsewhere_is_a_conflict(world, app):
    """A second request holding a stale copy must not withdraw twice (two audit events)."""
    r = rf.response(world.consultation, world.group, S.submitted)
    e = operations.endorse(world.signatory, r)
    db.session.commit()
    assert e.withdrawn_at is None  # loaded: this session's copy says active
    db.session.execute(  # another request withdraws it meanwhile
        sa.update(Endorsement)
        .where(Endorsement.id == e.id)
        .values(withdrawn_at=sa.func.now())
        .execution_options(synchronize_session=False)
    )
    assert e.withdrawn_at is None
    with pytest.raises(Conflict, match="al ingetrokken"):
        operations.withdraw_endorsement(world.signatory, e)
    assert _events("formal_response.withdraw_endorsement") == []


def test_the_database_refuses_an_endorsement_of_nothing_and_a_second_active_one(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    db.session.commit()
    db.session.add(Endorsement(organisation_id=world.org.id))
    with pytest.raises(IntegrityError, match="exactly_one_item"):
        db.session.flush()
    db.session.rollback()
    db.session.add(Endorsement(formal_response_id=r.id, organisation_id=world.org.id))
    db.session.add(Endorsement(formal_response_id=r.id, organisation_id=world.org.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # A withdrawn one does not count: one active and any number withdrawn.
    db.session.add(Endorsement(formal_response_id=r.id, organisation_id=world.org.id))
    for _ in range(2):
        db.session.add(
            Endorsement(
                formal_response_id=r.id,
                organisation_id=world.org.id,
                withdrawn_at=r.submitted_at,
                withdrawn_by_id=world.coordinator.id,
            )
        )
    db.session.commit()
    assert _count() == 3


@pytest.mark.postgres_only
def test_twenty_parallel_endorsements_leave_one(world, app):
    r = rf.response(world.consultation, world.group, S.submitted)
    db.session.commit()
    response_id, user_id = r.id, world.signatory.id
    barrier = threading.Barrier(20)
    results, errors = [], []

    def endorse():
        from partner_portal.auth.models import User

        barrier.wait(timeout=10)  # before taking a connection: the pool is smaller than twenty
        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                target = db.session.get(FormalResponse, response_id)
                operations.endorse(actor, target)
                db.session.commit()
                results.append("ok")
            except Conflict:
                db.session.rollback()
                results.append("conflict")
            except Exception as exc:  # any other error is a failure of the test
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=endorse) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(results) == ["conflict"] * 19 + ["ok"]
    assert _count() == 1
    assert len(_events("formal_response.endorse")) == 1


@pytest.mark.postgres_only
def test_parallel_withdrawals_withdraw_once(world, app):
    r = rf.response(world.consultation, world.group, S.submitted)
    endorsement_id = operations.endorse(world.signatory, r).id
    db.session.commit()
    user_id = world.signatory.id
    barrier = threading.Barrier(5)
    results, errors = [], []

    def withdraw():
        from partner_portal.auth.models import User

        barrier.wait(timeout=10)
        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                operations.withdraw_endorsement(actor, db.session.get(Endorsement, endorsement_id))
                db.session.commit()
                results.append("ok")
            except Conflict:
                db.session.rollback()
                results.append("conflict")
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=withdraw) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(results) == ["conflict"] * 4 + ["ok"]
    assert len(_events("formal_response.withdraw_endorsement")) == 1
