"""Who may see, edit, submit and answer a response, per role and state."""

import pytest

from partner_portal.core import workflow
from partner_portal.extensions import db
from partner_portal.responses import permissions as p
from partner_portal.responses.models import Publication, ResponseState
from partner_portal.responses.workflow import RESPONSE
from tests.responses import factories as rf

pytestmark = pytest.mark.sqlite_only  # permission predicates: nothing here depends on the database

S = ResponseState
PARTNERS = ("coordinator", "member", "member2", "signatory")
OUTSIDERS = ("other_member", "other_signatory", "other_coordinator", "mkb")
GEMEENTE = ("moderator", "pm", "admin")


def _roles(world, names):
    return [getattr(world, n) for n in names]


def _can(user, response, name: str) -> bool:
    return workflow.can(user, response, RESPONSE, name)


def test_a_draft_is_the_groups_own(world):
    r = rf.response(world.consultation, world.group, S.draft)
    assert all(p.can_view_response(u, r) and _can(u, r, "edit") for u in _roles(world, PARTNERS))
    assert not any(p.can_view_response(u, r) for u in _roles(world, OUTSIDERS + GEMEENTE))
    assert not p.can_view_response(None, r)


def test_submitted_is_seen_by_the_gemeente_but_edited_by_nobody(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    assert all(p.can_view_response(u, r) for u in _roles(world, PARTNERS + GEMEENTE))
    assert not any(p.can_view_response(u, r) for u in _roles(world, OUTSIDERS))
    assert not any(_can(u, r, "edit") for u in _roles(world, PARTNERS + GEMEENTE))


def test_changes_requested_is_editable_again_by_the_group(world):
    r = rf.response(world.consultation, world.group, S.changes_requested)
    assert all(_can(u, r, "edit") for u in _roles(world, PARTNERS))


@pytest.mark.parametrize(("publication", "public"), [(Publication.public, True), (Publication.not_public, False)])
def test_accepted_is_public_only_when_the_group_chose_so(world, publication, public):
    r = rf.response(world.consultation, world.group, S.accepted, publication=publication)
    assert p.can_view_response(None, r) is public
    assert p.can_view_response(world.other_member, r) is public
    assert p.can_view_response(world.moderator, r) and p.can_view_response(world.member, r)


def test_only_the_coordinator_submits_and_withdraws(world):
    r = rf.response(world.consultation, world.group, S.draft)
    assert workflow.can(world.coordinator, r, RESPONSE, "submit")
    for name in ("member", "signatory", "other_coordinator", "moderator", "admin"):
        assert not workflow.can(getattr(world, name), r, RESPONSE, "submit"), name


def test_submit_is_gated_by_the_stage(world):
    r = rf.response(world.consultation, world.group, S.draft)
    world.consultation.current_position = 2  # "Verwerking": responses are closed
    assert not workflow.can(world.coordinator, r, RESPONSE, "submit")
    assert "die fase is voorbij" in workflow.why_not(world.coordinator, r, RESPONSE, "submit")


def test_moderation_steps_are_for_moderators_and_the_administrator(world):
    r = rf.response(world.consultation, world.group, S.in_review)
    for name in ("accept", "reject", "request_changes"):
        assert workflow.can(world.moderator, r, RESPONSE, name)
        assert workflow.can(world.admin, r, RESPONSE, name)
        assert not workflow.can(world.pm, r, RESPONSE, name)  # follows the process read-only
        assert not workflow.can(world.coordinator, r, RESPONSE, name)
    assert p.can_moderate(world.pm) and not p.can_moderate(world.mkb) and not p.can_moderate(world.coordinator)


def test_answers_by_moderators_until_published(world):
    r = rf.response(world.consultation, world.group, S.accepted)
    assert _can(world.moderator, r, "answer") and not _can(world.pm, r, "answer")
    assert not _can(world.coordinator, r, "answer")
    r.answered_at = r.answer_published_at = r.accepted_at
    db.session.flush()
    assert not _can(world.moderator, r, "answer")


def test_revisions_for_the_group_and_the_gemeente(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    assert p.can_view_revisions(world.coordinator, r) and p.can_view_revisions(world.moderator, r)
    assert not p.can_view_revisions(world.other_coordinator, r) and not p.can_view_revisions(world.mkb, r)


def test_inactive_people_and_archived_organisations_lose_access(world):
    r = rf.response(world.consultation, world.group, S.draft)
    world.member.is_active = False
    world.org2.is_active = False
    assert not p.can_view_response(world.member, r)
    assert not _can(world.signatory, r, "edit")
