"""A small world for commitments: a consultation whose current stage opens signing, partner
organisations with their people (one with joint authority, one archived), and the gemeente's staff."""

from types import SimpleNamespace

import pytest

from partner_portal.auth.models import OrgRole, StaffRole
from tests import factories
from tests.consultations import factories as cf


@pytest.fixture
def world(app):
    w = SimpleNamespace()
    w.consultation = cf.consultation(current=3)  # "Uitvoering" opens signing
    w.gemeente_source, w.fonds_source = w.consultation.funding_sources
    w.other_consultation = cf.consultation()
    w.horeca = factories.sector_group("horeca", "Horeca")
    w.culture = factories.sector_group("cultuur", "Cultuur")
    w.brink = factories.organisation(w.horeca, name="Grand Café De Brink")
    w.museum = factories.organisation(w.culture, name="Drents Museum")
    w.joint = factories.organisation(w.horeca, name="Hotel De Jonge", joint_authority=True)
    w.archived = factories.organisation(w.horeca, name="Oud Café", is_active=False)
    w.member = factories.user(w.brink, OrgRole.member, name="Lars Lid")
    w.signatory = factories.user(w.brink, OrgRole.signatory, name="Tamara Tekenbevoegd")
    w.brink_admin = factories.user(w.brink, OrgRole.org_admin, name="Bert Beheerder")
    w.museum_signatory = factories.user(w.museum, OrgRole.signatory, name="Daan Directeur")
    w.joint_first = factories.user(w.joint, OrgRole.signatory, name="Eva Eerste")
    w.joint_second = factories.user(w.joint, OrgRole.signatory, name="Tom Tweede")
    w.archived_signatory = factories.user(w.archived, OrgRole.signatory)
    w.pm = factories.user(role=StaffRole.process_manager, name="Petra Procesmanager")
    w.moderator = factories.user(role=StaffRole.moderator)
    factories.commit()
    return w


def fields(w, **overrides) -> dict[str, str]:
    """A complete create/edit form for a commitment inviting everyone, without threshold."""
    values = {
        "title": "Intentieverklaring oprichting binnenstadsorganisatie",
        "text": "De partners richten samen één binnenstadsorganisatie op.",
        "themes": str(w.consultation.themes[0].id),
        "invited": "all",
        "threshold_organisations": "",
        "threshold": "",
        "allows_money": "1",
        "allows_hours": "1",
        "allows_in_kind": "1",
    }
    values.update(overrides)
    return values
