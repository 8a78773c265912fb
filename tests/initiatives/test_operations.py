"""Operations on initiatives: drafting with money, co-initiators, submission, the gemeente's steps,
adoption with grants that never over-grant a source, and execution."""

import pytest
import sqlalchemy as sa

from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import OperationError, PermissionDenied
from partner_portal.core.merge import EditConflict
from partner_portal.extensions import db
from partner_portal.initiatives import operations
from partner_portal.initiatives.models import Initiative, InitiativeState, InvitationState
from partner_portal.notifications.models import OutboxMessage
from tests.initiatives import factories as inf
from tests.initiatives.conftest import fields

S = InitiativeState


def _events(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def _outbox(kind):
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def _draft(w, **overrides):
    i = operations.create_initiative(w.member, w.consultation, fields(w, **overrides))
    db.session.commit()
    return i


def test_a_member_drafts_with_money_split_over_sources(world):
    i = _draft(world)
    assert i.state == S.draft and i.lead_organisation_id == world.lead.id
    assert i.total_cost_cents == 10_000_000 and i.own_contribution_cents == 5_000_000
    assert i.requested_for(world.gemeente_source.id) == 5_000_000 and i.requested_for(world.fonds_source.id) == 0
    assert [loc.location.name for loc in i.locations] == ["Brink"]
    assert _events("initiative.create")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("total_cost", "-100", "negatief"),
        ("total_cost", "veel", "geen bedrag"),
        ("planned_end", "2027-01-01", "voor de geplande start"),
        ("summary", "x" * 281, "hoogstens 280"),
        ("themes", "999999", "thema's van deze consultatie"),
        ("locations", "999999", "locaties uit de lijst"),
        ("title", "", "titel"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world, field, value, message):
    i = _draft(world)
    before = i.field_values(world.consultation.funding_sources)
    with pytest.raises(operations.InvalidFields, match=message):
        operations.save_draft(world.member, i, fields(world, **{field: value}), version=i.version)
    db.session.rollback()
    assert db.session.get(Initiative, i.id).field_values(world.consultation.funding_sources) == before


def test_concurrent_edits_merge_field_by_field(world):
    i = _draft(world)
    base = i.field_values(world.consultation.funding_sources)
    version = i.version
    operations.save_draft(world.member, i, {**base, "title": "Nieuwe titel"}, version=version, base=base)
    db.session.commit()
    taken = operations.save_draft(
        world.signatory, i, {**base, "summary": "Andere samenvatting"}, version=version, base=base
    )
    db.session.commit()
    assert (i.title, i.summary) == ("Nieuwe titel", "Andere samenvatting") and taken == ["title"]
    with pytest.raises(EditConflict) as refused:
        operations.save_draft(world.member, i, {**base, "title": "Weer anders"}, version=version, base=base)
    assert refused.value.merge.conflicts == ["title"]


def test_co_initiator_invited_accepts_and_may_then_edit(world):
    i = _draft(world)
    with pytest.raises(PermissionDenied):
        operations.save_draft(world.co_member, i, fields(world), version=i.version)
    db.session.rollback()
    operations.invite(world.member, i, world.co)
    db.session.commit()
    # Queued for the invited organisation's speakers, not for its members.
    assert {m.recipient_email for m in _outbox("initiative_invitation")} == {world.co_signatory.email}
    with pytest.raises(PermissionDenied):  # a member cannot answer for the organisation
        operations.answer_invitation(world.co_member, i, accept=True)
    db.session.rollback()
    operations.answer_invitation(world.co_signatory, i, accept=True)
    db.session.commit()
    assert [c.state for c in i.co_initiators] == [InvitationState.accepted]
    # The lead organisation's people hear of the answer.
    told = {m.recipient_email for m in _outbox("initiative_invitation_answered")}
    assert {world.member.email, world.signatory.email} <= told and world.co_member.email not in told
    operations.save_draft(world.co_member, i, fields(world, title="Samen"), version=i.version)
    db.session.commit()
    assert i.title == "Samen" and _events("initiative.invitation_accepted")


@pytest.mark.parametrize("who", ["lead", "archived"])
def test_inviting_ones_own_or_an_archived_organisation_is_refused(world, who):
    i = _draft(world)
    with pytest.raises(OperationError, match=r"eigen organisatie|gearchiveerd"):
        operations.invite(world.member, i, world.lead if who == "lead" else world.archived)


def test_submission_waits_for_every_invitation_and_for_money_that_adds_up(world):
    i = _draft(world)
    operations.invite(world.member, i, world.co)
    db.session.commit()
    with pytest.raises(OperationError, match="Nog niet alle uitgenodigde"):
        operations.submit(world.signatory, i, version=i.version)
    db.session.rollback()
    operations.remove_co_initiator(world.member, i, i.co_initiators[0])
    operations.save_draft(world.member, i, fields(world, own_contribution="40.000"), version=i.version)
    db.session.commit()
    with pytest.raises(OperationError, match="tellen niet op"):
        operations.submit(world.signatory, i, version=i.version)
    db.session.rollback()
    with pytest.raises(PermissionDenied):  # a member may draft but not submit
        operations.submit(world.member, i, version=i.version)
    db.session.rollback()
    operations.save_draft(world.member, i, fields(world), version=i.version)
    revision = operations.submit(world.signatory, i, version=i.version)
    db.session.commit()
    assert i.state == S.submitted and revision.number == 1 and _outbox("initiative_submitted")
    with pytest.raises(OperationError):  # no editing after submission
        operations.save_draft(world.member, i, fields(world, title="Later"), version=i.version)


def test_review_changes_resubmit_and_adopt_with_grants(world):
    i = inf.initiative(world.consultation, world.lead, S.submitted)
    db.session.commit()
    operations.take_step(world.moderator, i, "start_review", version=i.version)
    operations.take_step(world.moderator, i, "request_changes", version=i.version, reason="Graag een planning.")
    db.session.commit()
    assert i.state == S.changes_requested
    operations.submit(world.signatory, i, version=i.version)
    operations.take_step(world.moderator, i, "start_review", version=i.version)
    db.session.commit()
    with pytest.raises(PermissionDenied):  # moderators review; the process manager adopts
        operations.adopt(world.moderator, i, version=i.version, grants={}, answer="")
    db.session.rollback()
    with pytest.raises(operations.InvalidFields, match="gevraagde bedrag"):
        operations.adopt(world.pm, i, version=i.version, grants={world.gemeente_source.id: "60.000"}, answer="")
    db.session.rollback()
    operations.adopt(world.pm, i, version=i.version, grants={world.gemeente_source.id: "45.000"}, answer="Goed plan.")
    db.session.commit()
    assert i.state == S.adopted and i.granted_for(world.gemeente_source.id) == 4_500_000 and i.answer == "Goed plan."
    assert _outbox("initiative_changed")


def test_a_source_is_never_over_granted(world):
    world.fonds_source.amount_euros = 70_000
    big = {world.fonds_source: 50_000}
    first = inf.initiative(world.consultation, world.lead, S.in_review, requested=big)
    second = inf.initiative(world.consultation, world.other, S.in_review, requested=big)
    db.session.commit()
    operations.adopt(world.pm, first, version=first.version, grants={world.fonds_source.id: "50.000"}, answer="")
    db.session.commit()
    with pytest.raises(operations.InvalidFields, match=r"nog € 20\.000 over"):
        operations.adopt(world.pm, second, version=second.version, grants={world.fonds_source.id: "50.000"}, answer="")
    db.session.rollback()
    assert operations.remaining_per_source(world.consultation)[world.fonds_source.id] == 2_000_000


def test_decline_needs_a_reason_that_becomes_the_public_answer(world):
    i = inf.initiative(world.consultation, world.lead, S.in_review)
    db.session.commit()
    with pytest.raises(OperationError, match="reden"):
        operations.take_step(world.pm, i, "decline", version=i.version, reason="  ")
    db.session.rollback()
    operations.take_step(world.pm, i, "decline", version=i.version, reason="Geen budget.")
    db.session.commit()
    assert i.state == S.declined and i.answer == "Geen budget." and i.is_public


def test_progress_is_derived_from_weighted_milestones(world):
    i = inf.initiative(world.consultation, world.lead, S.in_progress)
    db.session.commit()
    a = operations.add_milestone(world.member, i, title="Ontwerp", planned_on="2027-03-01", weight="1")
    b = operations.add_milestone(world.member, i, title="Aanleg", planned_on="2027-09-01", weight="3")
    db.session.commit()
    assert i.progress == 0
    operations.set_milestone_done(world.member, i, b, done_on="2027-09-15", version=b.version)
    db.session.commit()
    assert i.progress == 75 and a.done_on is None
    with pytest.raises(OperationError, match="Nog niet alle mijlpalen"):
        operations.take_step(world.member, i, "complete", version=i.version)


def test_states_and_invitation_states_keep_their_own_words(app):
    """The two enums share the value "declined": one label table for both gave the initiative the invitation's word."""
    with app.test_request_context():
        assert S.declined.label == "niet opgenomen"
        assert InvitationState.declined.label == "afgeslagen"
