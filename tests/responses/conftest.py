"""A small world for formal responses: a consultation in the responses stage, two groups, people and staff."""

from types import SimpleNamespace

import pytest

from partner_portal.auth.models import OrgRole, StaffRole
from tests import factories
from tests.consultations import factories as cf


@pytest.fixture
def world(app):
    w = SimpleNamespace()
    w.consultation = cf.consultation()  # current stage "Reactie van partners" opens responses
    w.group = factories.sector_group("horeca", "Horeca")
    w.other_group = factories.sector_group("retail", "Retail")
    w.org = factories.organisation(w.group, name="Grand Café De Brink", mkb=True)
    w.org2 = factories.organisation(w.group, name="Eetcafé Het Koopmanshuis")
    w.other_org = factories.organisation(w.other_group, name="Boekhandel Het Forum")
    w.coordinator = factories.coordinator(w.group, w.org, name="Hanna Horeca")
    w.member = factories.user(w.org, OrgRole.member, name="Lars Lid")
    w.member2 = factories.user(w.org2, OrgRole.member, name="Mila Lid")
    w.signatory = factories.user(w.org2, OrgRole.signatory, name="Tamara Tekenbevoegd")
    w.other_member = factories.user(w.other_org, OrgRole.member)
    w.other_signatory = factories.user(w.other_org, OrgRole.signatory)
    w.other_coordinator = factories.coordinator(w.other_group, w.other_org)
    w.moderator = factories.user(role=StaffRole.moderator, name="Mark de Moderator")
    w.pm = factories.user(role=StaffRole.process_manager)
    w.mkb = factories.user(role=StaffRole.mkb_staff)
    w.admin = factories.user(role=StaffRole.administrator)
    factories.commit()
    return w
