"""Operations on responses: drafting, conflicts, submission with revisions, attachments, answers, Nota."""

import pytest
import sqlalchemy as sa

from partner_portal.core import workflow
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.extensions import db
from partner_portal.notifications.models import OutboxMessage
from partner_portal.responses import operations
from partner_portal.responses.models import (
    FormalResponse,
    Nota,
    Position,
    ResponseRevision,
    ResponseState,
)
from partner_portal.responses.workflow import RESPONSE
from tests import factories
from tests.consultations import factories as cf
from tests.responses import factories as rf

S = ResponseState


def _events(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def _outbox(kind):
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def _positions(world, value="supports", text="Uitleg."):
    return {t.id: (value, text) for t in world.consultation.themes}


def _draft(world, author=None):
    r = operations.create_response(author or world.member, world.consultation, world.group)
    db.session.commit()
    return r


def test_create_opens_a_draft_with_every_theme_open(world):
    r = _draft(world)
    assert r.state == S.draft and len(r.positions) == 2 and all(p.position is None for p in r.positions)
    assert _events("formal_response.create")[0].actor_id == world.member.id


def test_a_second_response_for_the_same_group_is_refused(world):
    _draft(world)
    with pytest.raises(Conflict, match="heeft al een formele reactie"):
        operations.create_response(world.member2, world.consultation, world.group)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormalResponse)) == 1


def test_only_the_groups_people_can_start_one(world):
    with pytest.raises(PermissionDenied):
        operations.create_response(world.other_member, world.consultation, world.group)
    with pytest.raises(PermissionDenied):
        operations.create_response(world.moderator, world.consultation, world.group)


def test_save_draft_allows_open_themes_and_bumps_the_version(world):
    r = _draft(world)
    themes = world.consultation.themes
    operations.save_draft(
        world.member2,
        r,
        version=r.version,
        statement="Wij steunen de visie.",
        collaboration_stance=None,
        collaboration_conditions="",
        positions={themes[0].id: ("supports", "Goed plan."), themes[1].id: (None, "")},
    )
    db.session.commit()
    assert r.version == 2 and r.last_edited_by_id == world.member2.id
    assert r.position_for(themes[0].id).position == Position.supports
    assert r.position_for(themes[1].id).position is None


def test_a_stale_save_is_a_conflict_and_keeps_the_other_text(world):
    r = _draft(world)
    args = {"statement": "Eerste tekst.", "collaboration_stance": None, "collaboration_conditions": ""}
    operations.save_draft(world.member, r, version=1, positions={}, **args)
    db.session.commit()
    with pytest.raises(Conflict, match="intussen door iemand anders gewijzigd"):
        operations.save_draft(world.member2, r, version=1, positions={}, **{**args, "statement": "Tweede."})
    db.session.rollback()
    assert db.session.get(FormalResponse, r.id).statement == "Eerste tekst."


def test_bad_values_are_refused(world):
    r = _draft(world)
    base = {"version": r.version, "statement": "", "collaboration_conditions": ""}
    with pytest.raises(OperationError, match="standpunten uit de lijst"):
        operations.save_draft(world.member, r, collaboration_stance="misschien", positions={}, **base)
    other = cf.consultation()
    with pytest.raises(OperationError, match="hoort niet bij"):
        operations.save_draft(
            world.member, r, collaboration_stance=None, positions={other.themes[0].id: (None, "")}, **base
        )
    with pytest.raises(PermissionDenied):
        operations.save_draft(world.other_member, r, collaboration_stance=None, positions={}, **base)


def _fill(world, r):
    operations.save_draft(
        world.member,
        r,
        version=r.version,
        statement="Wij steunen de visie.",
        collaboration_stance="joins",
        collaboration_conditions="",
        positions=_positions(world),
    )
    db.session.commit()


def test_submit_freezes_a_revision_and_notifies_the_moderators(world):
    r = _draft(world)
    _fill(world, r)
    revision = operations.submit_response(world.coordinator, r, version=r.version, publication="not_public")
    db.session.commit()
    assert r.state == S.submitted and r.submitted_at and r.submitted_by_id == world.coordinator.id
    assert r.publication == "not_public"
    assert revision.number == 1 and revision.data["statement"] == "Wij steunen de visie."
    assert [m.recipient_email for m in _outbox("response_submitted")] == [world.moderator.email]
    assert "Horeca" in _outbox("response_submitted")[0].body_text
    assert _events("formal_response.submit")[0].to_state == "submitted"


def test_revisions_are_immutable(world):
    r = _draft(world)
    _fill(world, r)
    revision = operations.submit_response(world.coordinator, r, version=r.version, publication="public")
    db.session.commit()
    revision.content = "{}"
    with pytest.raises(ValueError, match="immutable"):
        db.session.flush()
    db.session.rollback()


def test_submit_needs_a_position_on_every_theme_and_the_stance(world):
    r = _draft(world)
    with pytest.raises(OperationError) as info:
        operations.submit_response(world.coordinator, r, version=r.version, publication="public")
    assert "Kies een standpunt bij het thema 'De bereikbare binnenstad'" in info.value.message
    assert "structurele samenwerking" in info.value.message
    db.session.rollback()
    assert db.session.get(FormalResponse, r.id).state == S.draft


def test_submit_outside_the_stage_says_when_it_ran(world):
    r = _draft(world)
    _fill(world, r)
    world.consultation.current_position = 2
    db.session.commit()
    with pytest.raises(OperationError, match="die fase is voorbij"):
        operations.submit_response(world.coordinator, r, version=r.version, publication="public")


def test_submit_by_a_member_is_refused(world):
    r = _draft(world)
    _fill(world, r)
    with pytest.raises(PermissionDenied):
        operations.submit_response(world.member, r, version=r.version, publication="public")


def test_submit_needs_a_publication_choice(world):
    r = _draft(world)
    _fill(world, r)
    with pytest.raises(OperationError, match="openbaar wordt of niet"):
        operations.submit_response(world.coordinator, r, version=r.version, publication="")


def test_request_changes_then_resubmit_makes_a_second_revision(world):
    r = _draft(world)
    _fill(world, r)
    operations.submit_response(world.coordinator, r, version=r.version, publication="public")
    operations.take_step(world.moderator, r, "start_review", version=r.version)
    with pytest.raises(OperationError, match="reden"):
        operations.take_step(world.moderator, r, "request_changes", version=r.version, reason="")
    operations.take_step(world.moderator, r, "request_changes", version=r.version, reason="Licht thema 2 toe.")
    db.session.commit()
    (mail,) = _outbox("changes_requested")
    assert mail.recipient_email == world.coordinator.email and "Licht thema 2 toe." in mail.body_text
    operations.save_draft(
        world.member2,
        r,
        version=r.version,
        statement="Aangepast.",
        collaboration_stance="joins",
        collaboration_conditions="",
        positions=_positions(world),
    )
    revision = operations.submit_response(world.coordinator, r, version=r.version, publication="public")
    db.session.commit()
    assert revision.number == 2 and r.state == S.submitted
    assert [rev.number for rev in r.revisions] == [1, 2]


def test_editing_after_submission_is_refused(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    with pytest.raises(OperationError, match="kan niet meer worden gewijzigd"):
        operations.save_draft(
            world.member,
            r,
            version=r.version,
            statement="x",
            collaboration_stance=None,
            collaboration_conditions="",
            positions={},
        )


def test_accept_and_reject_notify_the_group(world):
    accepted = rf.response(world.consultation, world.group, S.in_review)
    rejected = rf.response(world.consultation, world.other_group, S.in_review)
    operations.take_step(world.moderator, accepted, "accept", version=accepted.version)
    operations.take_step(world.moderator, rejected, "reject", version=rejected.version, reason="Te laat.")
    db.session.commit()
    assert [m.recipient_email for m in _outbox("response_accepted")] == [world.coordinator.email]
    (mail,) = _outbox("response_rejected")
    assert mail.recipient_email == world.other_coordinator.email and "Te laat." in mail.body_text
    assert _events("formal_response.accept")[0].is_public


def test_attachments_are_pdfs_of_at_most_10_mb_and_at_most_five(world):
    r = _draft(world)
    operations.add_attachment(world.member, r, cf.pdf_upload(name="brief.pdf"))
    with pytest.raises(OperationError, match="geen PDF"):
        operations.add_attachment(world.member, r, cf.pdf_upload(b"GIF89a...", name="brief.pdf"))
    with pytest.raises(OperationError, match="leeg"):
        operations.add_attachment(world.member, r, cf.pdf_upload(b"", name="leeg.pdf"))
    with pytest.raises(OperationError, match="te groot"):
        operations.add_attachment(
            world.member, r, cf.pdf_upload(b"%PDF-" + b"0" * (10 * 1024 * 1024), name="groot.pdf")
        )
    for n in range(4):
        operations.add_attachment(world.member, r, cf.pdf_upload(cf.pdf_bytes(text=f"deel {n}")))
    with pytest.raises(OperationError, match="hoogstens 5 bijlagen"):
        operations.add_attachment(world.member, r, cf.pdf_upload(cf.pdf_bytes(text="nog een")))
    db.session.commit()
    assert len(r.attachments) == 5
    with pytest.raises(PermissionDenied):
        operations.add_attachment(world.other_member, r, cf.pdf_upload())


def test_the_same_file_twice_is_attached_once(world, tmp_path):
    """Issue 11.4: a double upload stored the file once but then answered with an error."""
    r = _draft(world)
    first, added = operations.add_attachment(world.member, r, cf.pdf_upload(name="brief.pdf"))
    again, added_again = operations.add_attachment(world.member, r, cf.pdf_upload(name="brief (1).pdf"))
    db.session.commit()
    assert added and not added_again and again.id == first.id
    assert [a.file.original_name for a in r.attachments] == ["brief.pdf"]
    assert len(_events("formal_response.attach")) == 1
    assert sorted(p.name for p in first.file.path.parent.iterdir()) == [first.file.path.name]


def test_answers_are_drafted_then_published_with_the_nota(world):
    r = rf.response(world.consultation, world.group, S.accepted)
    themes = world.consultation.themes
    operations.save_answers(world.moderator, r, {themes[0].id: ("adopted", "Neem ik over.")}, version=r.version)
    db.session.commit()
    assert r.answered_at is None and r.answer_published_at is None
    with pytest.raises(OperationError, match="Stel eerst bij elk thema"):
        operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)
    db.session.rollback()
    with pytest.raises(OperationError, match="ook of het standpunt is overgenomen"):
        operations.save_answers(world.moderator, r, {themes[1].id: (None, "Uitleg zonder oordeel.")}, version=r.version)
    db.session.rollback()
    operations.save_answers(world.moderator, r, {t.id: ("partly_adopted", "Deels.") for t in themes}, version=r.version)
    db.session.commit()
    assert r.answered_at is not None
    nota = operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)
    db.session.commit()
    assert r.answer_published_at == nota.published_at
    event = _events("nota.publish")[0]
    assert event.is_public and event.consultation_id == world.consultation.id
    recipients = {m.recipient_email for m in _outbox("nota_published")}
    assert world.coordinator.email in recipients and world.other_member.email in recipients
    assert world.moderator.email not in recipients
    # Issue 11.13: the mail spoke of initiatives, which do not exist yet.
    assert not any("initiatie" in m.body_text.lower() for m in _outbox("nota_published"))
    with pytest.raises(Conflict, match="al gepubliceerd"):
        operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)
    with pytest.raises(PermissionDenied):
        operations.save_answers(world.moderator, r, {}, version=r.version)


def test_the_nota_waits_for_every_pending_response(world):
    rf.response(world.consultation, world.group, S.submitted)
    with pytest.raises(OperationError, match="nog open: Horeca"):
        operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)
    with pytest.raises(PermissionDenied):
        operations.publish_nota(world.pm, world.consultation, despite_open_stage=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nota)) == 0


def test_answers_only_by_moderators_on_accepted_responses(world):
    r = rf.response(world.consultation, world.group, S.in_review)
    with pytest.raises(PermissionDenied):
        operations.save_answers(world.moderator, r, {}, version=r.version)
    r2 = rf.response(world.consultation, world.other_group, S.accepted)
    with pytest.raises(PermissionDenied):
        operations.save_answers(world.pm, r2, {}, version=r2.version)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResponseRevision)) == 0


def test_once_the_nota_is_published_no_response_can_be_started_or_submitted(world):
    """The Nota answers the round. A response submitted after it would never get a public
    answer, and the gemeente's draft answers to it would show in the published Nota."""
    from partner_portal.auth.models import OrgRole
    from tests import factories

    late = _draft(world)
    _fill(world, late)
    rf.response(world.consultation, world.other_group, S.accepted, answered=True)
    cultuur = factories.sector_group("cultuur", "Cultuur")
    museum = factories.user(factories.organisation(cultuur, name="Drents Museum"), OrgRole.member)
    db.session.commit()
    assert workflow.can(world.coordinator, late, RESPONSE, "submit")
    operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)
    db.session.commit()
    # The table itself says no, with the reason: pages and the operation read the same answer.
    assert not workflow.can(world.coordinator, late, RESPONSE, "submit")
    assert workflow.why_not(world.coordinator, late, RESPONSE, "submit") == (
        "De Nota van beantwoording is al gepubliceerd; er kunnen geen reacties meer worden ingediend."
    )
    with pytest.raises(OperationError, match="Nota van beantwoording is al gepubliceerd"):
        operations.submit_response(world.coordinator, late, version=late.version, publication="public")
    db.session.rollback()
    with pytest.raises(OperationError, match="Nota van beantwoording is al gepubliceerd"):
        operations.create_response(museum, world.consultation, cultuur)
    db.session.rollback()
    assert late.state == S.draft and late.submitted_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormalResponse)) == 2


def _answers_as_seen(r) -> dict:
    """The answer form's fields as a moderator opening the review page sees them (the merge base)."""
    return r.answer_values(r.consultation.themes)


def test_an_answer_saved_from_an_old_page_does_not_overwrite_another_moderator_s(world):
    """Issue 12.3: moderator 1 saving from an old review page silently dropped moderator 2's text."""
    from partner_portal.auth.models import StaffRole

    other = factories.user(role=StaffRole.moderator, name="Mia de Moderator")
    r = rf.response(world.consultation, world.group, S.accepted)
    db.session.commit()
    t1, t2 = (t.id for t in world.consultation.themes[:2])
    seen_version, seen = r.version, _answers_as_seen(r)
    # Moderator 2 answers theme 1 and saves first.
    operations.save_answers(other, r, {t1: ("adopted", "Tekst van Mia.")}, version=r.version, base=_answers_as_seen(r))
    db.session.commit()
    # Moderator 1, on the page opened before, writes a different answer on theme 1: refused, both kept apart.
    with pytest.raises(operations.EditConflict) as refused:
        operations.save_answers(
            world.moderator, r, {t1: ("not_adopted", "Tekst van Mark."), t2: ("", "")}, version=seen_version, base=seen
        )
    db.session.rollback()
    assert sorted(refused.value.merge.conflicts) == [f"answer_{t1}", f"verdict_{t1}"]
    assert refused.value.theirs[f"answer_{t1}"] == "Tekst van Mia."
    assert db.session.get(FormalResponse, r.id).answer_for(t1).explanation == "Tekst van Mia."
    # Without the base (an old form) a stale save that differs is refused too, never saved over.
    with pytest.raises(operations.EditConflict):
        operations.save_answers(world.moderator, r, {t1: ("not_adopted", "Tekst van Mark.")}, version=seen_version)
    db.session.rollback()
    # Moderator 1 answers only theme 2 from the old page: merged, Mia's answer on theme 1 stays.
    taken = operations.save_answers(
        world.moderator,
        r,
        {t1: ("", ""), t2: ("partly_adopted", "Tekst van Mark.")},
        version=seen_version,
        base=seen,
    )
    db.session.commit()
    r = db.session.get(FormalResponse, r.id)
    assert sorted(taken) == [f"answer_{t1}", f"verdict_{t1}"]
    assert r.answer_for(t1).explanation == "Tekst van Mia." and r.answer_for(t2).explanation == "Tekst van Mark."


def test_saving_only_an_answer_row_moves_the_response_s_version(world):
    """A later save from a page opened before this one must see that something changed."""
    r = rf.response(world.consultation, world.group, S.accepted)
    t1 = world.consultation.themes[0].id
    operations.save_answers(world.moderator, r, {t1: ("adopted", "Een.")}, version=r.version)
    db.session.commit()
    before = r.version
    operations.save_answers(world.moderator, r, {t1: ("adopted", "Twee.")}, version=r.version)
    db.session.commit()
    assert r.version == before + 1
