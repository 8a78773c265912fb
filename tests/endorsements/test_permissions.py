"""Who may endorse (the item's own rule, once per organisation), withdraw."""

from partner_portal.endorsements import operations
from partner_portal.endorsements import permissions as p
from partner_portal.responses.models import ResponseState
from tests.responses import factories as rf

S = ResponseState


def test_signatories_and_org_admins_of_the_group_endorse_once(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    assert p.can_endorse(world.signatory, r) and p.can_endorse(world.coordinator, r)  # org admin
    assert not p.can_endorse(world.member, r) and not p.can_endorse(world.other_signatory, r)
    assert not p.can_endorse(world.moderator, r)
    draft = rf.response(world.consultation, world.other_group, S.draft)
    assert not p.can_endorse(world.other_signatory, draft)
    operations.endorse(world.signatory, r)
    assert not p.can_endorse(world.signatory, r) and p.can_endorse(world.coordinator, r)


def test_withdrawal_by_signatories_and_admins_of_the_endorsing_organisation(world):
    r = rf.response(world.consultation, world.group, S.submitted)
    e = operations.endorse(world.coordinator, r)  # Grand Café De Brink
    assert p.can_withdraw(world.coordinator, e)
    assert not p.can_withdraw(world.member, e)  # a member of the same organisation
    assert not p.can_withdraw(world.signatory, e)  # another organisation of the group
    assert not p.can_withdraw(world.admin, e) and not p.can_withdraw(world.moderator, e)
    world.org.is_active = False
    assert not p.can_withdraw(world.coordinator, e)
